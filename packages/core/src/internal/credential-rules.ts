// The table of credential formats recognised anywhere in text: one row per family, each with the
// literals its tokens start with (the quick trigger is built from them) and an example generator.

/** Fills `length` characters from `alphabet` (tests pass a seeded random source). */
export type Fill = (alphabet: string, length: number) => string;

/** One credential family recognised by its shape alone. */
export interface CredentialRule {
  /** Reported as `pattern:<family>`. */
  readonly family: string;
  /** The shape in words, for the documentation. */
  readonly shape: string;
  /**
   * Literals every match contains, at least two characters each. The quick trigger fires on
   * them and the rule runs only when the text holds one, so they must be exact.
   */
  readonly prefixes: readonly string[];
  /** Matches one token (a global expression; no groups needed). */
  readonly regex: RegExp;
  /** A syntactically valid placeholder of this family, built from `fill`. */
  readonly example: (fill: Fill) => string;
  /**
   * A last check of a match, for a shape that ordinary text can also take (an identifier that
   * starts like a token): false leaves it visible. Default: every match is a credential.
   */
  readonly accept?: (match: string) => boolean;
}

/**
 * Whether letters look drawn at random rather than written: at least `least` upper-case and
 * `least` lower-case ones. A camelCase identifier (`hf_supportedKindsForDisplay`) has a few
 * capitals; 34 random letters have fewer than 6 of either case about once in 60,000.
 */
function mixedCase(least: number): (match: string) => boolean {
  return (match) => {
    let upper = 0;
    let lower = 0;
    for (let index = 0; index < match.length; index++) {
      const char = match.charCodeAt(index);
      if (char >= 0x41 && char <= 0x5a) upper++;
      else if (char >= 0x61 && char <= 0x7a) lower++;
    }
    return upper >= least && lower >= least;
  };
}

export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
export const DIGITS = '0123456789';
export const HEX = '0123456789abcdef';
export const ALNUM = UPPER + LOWER + DIGITS;
export const LETTERS = UPPER + LOWER;
export const URL_SAFE = `${ALNUM}_-`;
export const BASE64 = `${ALNUM}+/`;
const UPPER_DIGITS = UPPER + DIGITS;

// Tokens are bounded by characters that cannot belong to them, so `xsk-…` or `mysk_live_…`
// inside a longer identifier is left alone (no token family starts in the middle of a word).
const START = '(?<![A-Za-z0-9])';

function token(body: string): RegExp {
  return new RegExp(`${START}(?:${body})`, 'g');
}

/** A JSON object (`{"…`) in base64, as 1Password service-account and Sentry tokens carry. */
function base64Json(fill: Fill, length: number): string {
  return `eyJ${fill(BASE64, length)}fQ==`;
}

/**
 * Credential families recognised by their shape, most specific first: a family whose prefix
 * extends another's (`sk-ant-` and `sk-`) comes before it, so the more precise rule id is reported.
 */
export const CREDENTIAL_RULES: readonly CredentialRule[] = [
  // --- LLM platforms -------------------------------------------------------------------------
  { family: 'anthropic-key', shape: 'sk-ant-<kind><nn>-<base64url ≥ 16>', prefixes: ['sk-ant-'], regex: token('sk-ant-[A-Za-z0-9_-]{16,}'), example: (f) => `sk-ant-api03-${f(URL_SAFE, 93)}AA` },
  { family: 'openrouter-key', shape: 'sk-or-v1-<64 hex>', prefixes: ['sk-or-'], regex: token('sk-or-v\\d-[a-f0-9]{32,}'), example: (f) => `sk-or-v1-${f(HEX, 64)}` },
  { family: 'langfuse-secret-key', shape: 'sk-lf-<uuid>', prefixes: ['sk-lf-'], regex: token('sk-lf-[a-f0-9-]{20,}'), example: (f) => `sk-lf-${f(HEX, 8)}-${f(HEX, 4)}-${f(HEX, 4)}-${f(HEX, 4)}-${f(HEX, 12)}` },
  // OpenAI project, service-account and admin keys, and the DeepSeek, Moonshot and other keys that copied the `sk-` shape.
  { family: 'openai-key', shape: 'sk-[proj-|svcacct-|admin-]<base64url ≥ 20>', prefixes: ['sk-'], regex: token('sk-[A-Za-z0-9_-]{20,}'), example: (f) => `sk-proj-${f(URL_SAFE, 74)}T3BlbkFJ${f(URL_SAFE, 74)}` },
  { family: 'google-api-key', shape: 'AIza<35 base64url>', prefixes: ['AIza'], regex: token('AIza[0-9A-Za-z_-]{35}'), example: (f) => `AIza${f(URL_SAFE, 35)}` },
  { family: 'amazon-bedrock-key', shape: 'ABSK<base64 ≥ 60> or bedrock-api-key-<base64 ≥ 60>', prefixes: ['ABSK', 'bedrock-api-key-'], regex: token('(?:ABSK|bedrock-api-key-)[A-Za-z0-9+/]{60,}={0,2}'), example: (f) => `ABSKQmVkcm9ja0FQSUtleS1${f(BASE64, 108)}=` },
  { family: 'perplexity-key', shape: 'pplx-<48 alphanumerics>', prefixes: ['pplx-'], regex: token('pplx-[A-Za-z0-9]{40,}'), example: (f) => `pplx-${f(ALNUM, 48)}` },
  // Letters only, as an identifier's are: told apart by their mix of cases.
  { family: 'huggingface-token', shape: 'hf_<34 letters> or api_org_<34 letters>, both cases mixed', prefixes: ['hf_', 'api_org_'], regex: token('(?:hf_|api_org_)[A-Za-z]{30,}'), example: (f) => `hf_${f(UPPER, 8)}${f(LOWER, 8)}${f(LETTERS, 18)}`, accept: mixedCase(6) },
  { family: 'groq-key', shape: 'gsk_<52 alphanumerics>', prefixes: ['gsk_'], regex: token('gsk_[A-Za-z0-9]{48,}'), example: (f) => `gsk_${f(ALNUM, 52)}` },
  { family: 'xai-key', shape: 'xai-<80 alphanumerics>', prefixes: ['xai-'], regex: token('xai-[A-Za-z0-9]{60,}'), example: (f) => `xai-${f(ALNUM, 80)}` },
  { family: 'replicate-token', shape: 'r8_<37 alphanumerics>', prefixes: ['r8_'], regex: token('r8_[A-Za-z0-9]{30,}'), example: (f) => `r8_${f(ALNUM, 37)}` },
  { family: 'fireworks-key', shape: 'fw_<≥ 24 alphanumerics>', prefixes: ['fw_'], regex: token('fw_[A-Za-z0-9]{24,}'), example: (f) => `fw_${f(ALNUM, 24)}` },
  { family: 'together-key', shape: 'tgp_v1_<≥ 40 base64url>', prefixes: ['tgp_v1_'], regex: token('tgp_v1_[A-Za-z0-9_-]{40,}'), example: (f) => `tgp_v1_${f(URL_SAFE, 43)}` },
  { family: 'pinecone-key', shape: 'pcsk_<id>_<≥ 40 alphanumerics>', prefixes: ['pcsk_'], regex: token('pcsk_[A-Za-z0-9]{4,}_[A-Za-z0-9]{40,}'), example: (f) => `pcsk_${f(ALNUM, 6)}_${f(ALNUM, 63)}` },
  { family: 'langsmith-key', shape: 'lsv2_pt_|lsv2_sk_<32 hex>_<10 hex>', prefixes: ['lsv2_'], regex: token('lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}'), example: (f) => `lsv2_pt_${f(HEX, 32)}_${f(HEX, 10)}` },
  // --- Clouds and infrastructure ---------------------------------------------------------------
  { family: 'aws-access-key', shape: 'AKIA|ASIA|ABIA|ACCA|A3T?<16 upper-case alphanumerics>', prefixes: ['AKIA', 'ASIA', 'ABIA', 'ACCA', 'A3T'], regex: token('(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Z0-9])'), example: (f) => `AKIA${f('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}` },
  { family: 'azure-client-secret', shape: '<3 chars><digit>Q~<31–34 chars>', prefixes: ['Q~'], regex: /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g, example: (f) => `${f(ALNUM, 3)}8Q~${f(`${ALNUM}_~.-`, 34)}` },
  { family: 'cloudflare-token', shape: 'cfk_|cfut_|cfat_<40 alphanumerics><8 hex>', prefixes: ['cfk_', 'cfut_', 'cfat_'], regex: token('cf(?:k|ut|at)_[A-Za-z0-9]{40}[0-9a-f]{8}'), example: (f) => `cfut_${f(ALNUM, 40)}${f(HEX, 8)}` },
  { family: 'cloudflare-origin-ca-key', shape: 'v1.0-<24 hex>-<146 hex>', prefixes: ['v1.0-'], regex: token('v1\\.0-[a-f0-9]{24}-[a-f0-9]{146}'), example: (f) => `v1.0-${f(HEX, 24)}-${f(HEX, 146)}` },
  { family: 'databricks-token', shape: 'dapi<32 hex>[-<digit>]', prefixes: ['dapi'], regex: token('dapi[a-fA-F0-9]{32}(?:-\\d)?'), example: (f) => `dapi${f(HEX, 32)}` },
  { family: 'digitalocean-token', shape: 'dop_v1_|doo_v1_|dor_v1_<64 hex>', prefixes: ['dop_v1_', 'doo_v1_', 'dor_v1_'], regex: token('do[opr]_v1_[a-f0-9]{64}'), example: (f) => `dop_v1_${f(HEX, 64)}` },
  { family: 'hashicorp-vault-token', shape: 'hvs.|hvb.|hvr.<≥ 90 base64url>', prefixes: ['hvs.', 'hvb.', 'hvr.'], regex: token('hv[sbr]\\.[A-Za-z0-9_-]{90,}'), example: (f) => `hvs.${f(URL_SAFE, 95)}` },
  { family: 'terraform-cloud-token', shape: '<14 alphanumerics>.atlasv1.<60–70 chars>', prefixes: ['.atlasv1.'], regex: token('[a-z0-9]{14}\\.atlasv1\\.[a-z0-9_=-]{60,70}'), example: (f) => `${f(LOWER + DIGITS, 14)}.atlasv1.${f(LOWER + DIGITS, 67)}` },
  { family: 'vercel-token', shape: 'vcp_|vci_|vca_|vcr_|vck_<20–60 alphanumerics>', prefixes: ['vcp_', 'vci_', 'vca_', 'vcr_', 'vck_'], regex: token('vc[pciark]_[A-Za-z0-9]{20,}'), example: (f) => `vcp_${f(ALNUM, 56)}` },
  { family: 'tailscale-key', shape: 'tskey-<kind>-<id>-<secret>', prefixes: ['tskey-'], regex: token('tskey-[a-z]{2,20}-[A-Za-z0-9_]{8,40}-[A-Za-z0-9_]{16,}'), example: (f) => `tskey-auth-k${f(ALNUM, 10)}CNTRL-${f(ALNUM, 33)}` },
  { family: 'docker-token', shape: 'dckr_pat_<27 base64url>', prefixes: ['dckr_pat_', 'dckr_oat_'], regex: token('dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,}'), example: (f) => `dckr_pat_${f(URL_SAFE, 27)}` },
  { family: 'onepassword-token', shape: 'ops_eyJ<base64 JSON>', prefixes: ['ops_eyJ'], regex: token('ops_eyJ[A-Za-z0-9+/]{100,}={0,3}'), example: (f) => `ops_${base64Json(f, 240)}` },
  { family: 'onepassword-secret-key', shape: 'A3-<6>-<11 or 6-5>-<5>-<5>-<5>', prefixes: ['A3-'], regex: token('A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}'), example: (f) => `A3-${f(UPPER_DIGITS, 6)}-${f(UPPER_DIGITS, 11)}-${f(UPPER_DIGITS, 5)}-${f(UPPER_DIGITS, 5)}-${f(UPPER_DIGITS, 5)}` },
  { family: 'grafana-token', shape: 'glsa_<32>_<8 hex>, glc_<base64 ≥ 32>', prefixes: ['glsa_', 'glc_'], regex: token('glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,}={0,2}'), example: (f) => `glsa_${f(ALNUM, 32)}_${f(HEX, 8)}` },
  { family: 'heroku-key', shape: 'HRKU-<≥ 40 base64url>', prefixes: ['HRKU-'], regex: token('HRKU-[A-Za-z0-9_-]{40,}'), example: (f) => `HRKU-AA${f(URL_SAFE, 58)}` },
  { family: 'fly-token', shape: 'fo1_<43 base64url>, fm1r_/fm2_<base64>', prefixes: ['fo1_', 'fm1a_', 'fm1r_', 'fm2_'], regex: token('fo1_[A-Za-z0-9_-]{43}|fm(?:1[ar]|2)_[A-Za-z0-9+/]{100,}={0,3}'), example: (f) => `fo1_${f(URL_SAFE, 43)}` },
  { family: 'alibaba-access-key', shape: 'LTAI<20 alphanumerics>', prefixes: ['LTAI'], regex: token('LTAI[A-Za-z0-9]{20}(?![A-Za-z0-9])'), example: (f) => `LTAI${f(ALNUM, 20)}` },
  { family: 'age-secret-key', shape: 'AGE-SECRET-KEY-1<58 bech32>', prefixes: ['AGE-SECRET-KEY-1'], regex: token('AGE-SECRET-KEY-1[0-9A-Z]{58}'), example: (f) => `AGE-SECRET-KEY-1${f('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58)}` },
  { family: 'kubernetes-token', shape: 'sha256~<43 base64url> (OpenShift)', prefixes: ['sha256~'], regex: token('sha256~[A-Za-z0-9_-]{43}'), example: (f) => `sha256~${f(URL_SAFE, 43)}` },
  // --- Source hosting and package registries -------------------------------------------------
  // GitHub app installation tokens also come as ghs_<installation id>_<JWT>.
  { family: 'github-token', shape: 'ghp_|gho_|ghu_|ghs_|ghr_<≥ 30>, ghs_<id>_<JWT>, github_pat_<≥ 30>', prefixes: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'], regex: token('gh[pousr]_\\d{1,20}_[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*|gh[pousr]_[A-Za-z0-9_]{30,}|github_pat_[A-Za-z0-9_]{30,}'), example: (f) => `ghp_${f(ALNUM, 36)}` },
  { family: 'gitlab-token', shape: 'glpat-|gldt-|glrt-|glcbt-|glptt-|glft-|glimt-|glagent-|gloas-|glsoat-|glffct-|glwt-<≥ 20>, GR1348941<20>', prefixes: ['glpat-', 'gldt-', 'glrt-', 'glrtr-', 'glcbt-', 'glptt-', 'glft-', 'glimt-', 'glagent-', 'gloas-', 'glsoat-', 'glffct-', 'glwt-', 'GR1348941'], regex: token('gl(?:pat|dt|rtr?|cbt|ptt|ft|imt|agent|oas|soat|ffct|wt)-[A-Za-z0-9_.-]{20,}|GR1348941[A-Za-z0-9_-]{20,}'), example: (f) => `glpat-${f(URL_SAFE, 20)}` },
  { family: 'bitbucket-token', shape: 'ATBB<≥ 32 alphanumerics>', prefixes: ['ATBB'], regex: token('ATBB[A-Za-z0-9_=.-]{32,}'), example: (f) => `ATBB${f(ALNUM, 32)}${f(HEX, 8)}` },
  { family: 'atlassian-token', shape: 'ATATT3<≥ 150 base64url>', prefixes: ['ATATT3'], regex: token('ATATT3[A-Za-z0-9_=-]{150,}'), example: (f) => `ATATT3${f(URL_SAFE, 186)}` },
  { family: 'npm-token', shape: 'npm_<36 alphanumerics>', prefixes: ['npm_'], regex: token('npm_[A-Za-z0-9]{36,}'), example: (f) => `npm_${f(ALNUM, 36)}` },
  { family: 'pypi-token', shape: 'pypi-AgEIcHlwaS5vcmc<≥ 50 base64url>', prefixes: ['pypi-AgEIcHlwaS5vcmc'], regex: token('pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}'), example: (f) => `pypi-AgEIcHlwaS5vcmc${f(URL_SAFE, 70)}` },
  { family: 'rubygems-key', shape: 'rubygems_<48 hex>', prefixes: ['rubygems_'], regex: token('rubygems_[a-f0-9]{48}'), example: (f) => `rubygems_${f(HEX, 48)}` },
  { family: 'clojars-token', shape: 'CLOJARS_<60 alphanumerics>', prefixes: ['CLOJARS_'], regex: token('CLOJARS_[A-Za-z0-9]{60}'), example: (f) => `CLOJARS_${f(LOWER + DIGITS, 60)}` },
  { family: 'sourcegraph-token', shape: 'sgp_<16 hex or local>_<40 hex>', prefixes: ['sgp_'], regex: token('sgp_(?:[a-f0-9]{16}|local)_[a-f0-9]{40}'), example: (f) => `sgp_${f(HEX, 16)}_${f(HEX, 40)}` },
  { family: 'artifactory-key', shape: 'AKCp<69 alphanumerics>', prefixes: ['AKCp'], regex: token('AKCp[A-Za-z0-9]{69}'), example: (f) => `AKCp${f(ALNUM, 69)}` },
  // --- Messaging and SaaS ------------------------------------------------------------------------
  { family: 'slack-token', shape: 'xoxb-|xoxp-|xoxa-|xoxr-|xoxs-|xoxo-|xoxe-|xoxe.xoxp-|xapp-<≥ 10>', prefixes: ['xoxa-', 'xoxb-', 'xoxp-', 'xoxr-', 'xoxs-', 'xoxe-', 'xoxo-', 'xoxe.', 'xapp-'], regex: token('xox[abprseo](?:\\.xox[a-z])?-[A-Za-z0-9-]{10,}|xapp-\\d-[A-Za-z0-9-]{10,}'), example: (f) => `xoxb-${f(DIGITS, 12)}-${f(DIGITS, 13)}-${f(ALNUM, 24)}` },
  { family: 'slack-webhook', shape: 'https://hooks.slack.com/services|workflows|triggers/<path>', prefixes: ['hooks.slack.com/'], regex: /(?<=hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9_/-]{20,}/g, example: (f) => `https://hooks.slack.com/services/T${f(UPPER_DIGITS, 10)}/B${f(UPPER_DIGITS, 10)}/${f(ALNUM, 24)}` },
  { family: 'discord-webhook', shape: 'discord.com/api/webhooks/<id>/<token>', prefixes: ['discord.com/api/webhooks/', 'discordapp.com/api/webhooks/'], regex: /(?<=\/api\/webhooks\/\d{5,30}\/)[A-Za-z0-9_-]{40,}/g, example: (f) => `https://discord.com/api/webhooks/${f(DIGITS, 18)}/${f(URL_SAFE, 68)}` },
  { family: 'telegram-bot-token', shape: '<bot id>:AA<≥ 33 base64url>', prefixes: [':AA'], regex: /(?<![A-Za-z0-9])\d{5,16}:AA[A-Za-z0-9_-]{33,}/g, example: (f) => `${f(DIGITS, 10)}:AA${f(URL_SAFE, 33)}` },
  { family: 'sendgrid-key', shape: 'SG.<22>.<43>', prefixes: ['SG.'], regex: token('SG\\.[A-Za-z0-9_-]{16,32}\\.[A-Za-z0-9_-]{16,64}'), example: (f) => `SG.${f(URL_SAFE, 22)}.${f(URL_SAFE, 43)}` },
  { family: 'sendinblue-key', shape: 'xkeysib-<64 hex>-<16 alphanumerics>', prefixes: ['xkeysib-', 'xsmtpsib-'], regex: token('x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16}'), example: (f) => `xkeysib-${f(HEX, 64)}-${f(ALNUM, 16)}` },
  { family: 'mailchimp-key', shape: '<32 hex>-us<n>', prefixes: ['-us'], regex: token('[a-f0-9]{32}-us\\d{1,2}(?![A-Za-z0-9])'), example: (f) => `${f(HEX, 32)}-us${f(DIGITS, 2)}` },
  { family: 'mailgun-key', shape: 'key-<32 hex>', prefixes: ['key-'], regex: token('key-[a-f0-9]{32}(?![A-Za-z0-9])'), example: (f) => `key-${f(HEX, 32)}` },
  { family: 'twilio-key', shape: 'SK<32 hex>', prefixes: ['SK'], regex: token('SK[a-f0-9]{32}(?![A-Za-z0-9])'), example: (f) => `SK${f(HEX, 32)}` },
  { family: 'linear-key', shape: 'lin_api_<≥ 32>, lin_oauth_<64 hex>', prefixes: ['lin_api_', 'lin_oauth_'], regex: token('lin_api_[A-Za-z0-9_]{32,}|lin_oauth_[a-f0-9]{64}'), example: (f) => `lin_api_${f(ALNUM, 40)}` },
  { family: 'notion-token', shape: 'ntn_<11 digits><35 alphanumerics>', prefixes: ['ntn_'], regex: token('ntn_\\d{11}[A-Za-z0-9]{35}'), example: (f) => `ntn_${f(DIGITS, 11)}${f(ALNUM, 35)}` },
  { family: 'figma-token', shape: 'figd_<≥ 40 base64url>', prefixes: ['figd_'], regex: token('figd_[A-Za-z0-9_-]{40,}'), example: (f) => `figd_${f(URL_SAFE, 40)}` },
  { family: 'postman-key', shape: 'PMAK-<24 hex>-<34 hex>', prefixes: ['PMAK-'], regex: token('PMAK-[a-f0-9]{24}-[a-f0-9]{34}'), example: (f) => `PMAK-${f(HEX, 24)}-${f(HEX, 34)}` },
  { family: 'newrelic-key', shape: 'NRAK-|NRII-|NRJS-<≥ 19>', prefixes: ['NRAK-', 'NRII-', 'NRJS-', 'NRAA-'], regex: token('NR(?:AK|II|JS|AA)-[A-Za-z0-9]{19,}'), example: (f) => `NRAK-${f(UPPER_DIGITS, 27)}` },
  { family: 'sentry-token', shape: 'sntrys_eyJ<base64>, sntryu_<64 hex>', prefixes: ['sntrys_', 'sntryu_'], regex: token('sntrys_eyJ[A-Za-z0-9+/=_-]{50,}|sntryu_[a-f0-9]{64}'), example: (f) => `sntryu_${f(HEX, 64)}` },
  { family: 'dynatrace-token', shape: 'dt0c01.<24>.<64>', prefixes: ['dt0c01.'], regex: token('dt0c01\\.[A-Za-z0-9]{24}\\.[A-Za-z0-9]{64}'), example: (f) => `dt0c01.${f(UPPER_DIGITS, 24)}.${f(ALNUM, 64)}` },
  { family: 'doppler-token', shape: 'dp.pt.|dp.st.|dp.sa.<43 alphanumerics>', prefixes: ['dp.pt.', 'dp.st.', 'dp.sa.', 'dp.ct.', 'dp.scim.', 'dp.audit.'], regex: token('dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,}'), example: (f) => `dp.pt.${f(ALNUM, 43)}` },
  { family: 'planetscale-token', shape: 'pscale_tkn_|pscale_pw_|pscale_oauth_<≥ 32>', prefixes: ['pscale_'], regex: token('pscale_(?:tkn|pw|oauth)_[A-Za-z0-9=._-]{32,}'), example: (f) => `pscale_tkn_${f(URL_SAFE, 43)}` },
  { family: 'prefect-key', shape: 'pnu_<36 alphanumerics>', prefixes: ['pnu_'], regex: token('pnu_[A-Za-z0-9]{36}'), example: (f) => `pnu_${f(ALNUM, 36)}` },
  { family: 'pulumi-token', shape: 'pul-<40 hex>', prefixes: ['pul-'], regex: token('pul-[a-f0-9]{40}'), example: (f) => `pul-${f(HEX, 40)}` },
  { family: 'readme-key', shape: 'rdme_<70 alphanumerics>', prefixes: ['rdme_'], regex: token('rdme_[a-z0-9]{70}'), example: (f) => `rdme_${f(LOWER + DIGITS, 70)}` },
  { family: 'typeform-token', shape: 'tfp_<≥ 59>', prefixes: ['tfp_'], regex: token('tfp_[A-Za-z0-9_.=-]{59,}'), example: (f) => `tfp_${f(URL_SAFE, 59)}` },
  // Not after a dot: `favicon.ico-<hash>.png` is a file name.
  { family: 'infracost-key', shape: 'ico-<32 alphanumerics>', prefixes: ['ico-'], regex: new RegExp('(?<![A-Za-z0-9.])ico-[A-Za-z0-9]{32}', 'g'), example: (f) => `ico-${f(ALNUM, 32)}` },
  { family: 'scalingo-token', shape: 'tk-us-<48 base64url>', prefixes: ['tk-us-'], regex: token('tk-us-[A-Za-z0-9_-]{48}'), example: (f) => `tk-us-${f(URL_SAFE, 48)}` },
  { family: 'frameio-token', shape: 'fio-u-<64 base64url>', prefixes: ['fio-u-'], regex: token('fio-u-[A-Za-z0-9_=-]{64}'), example: (f) => `fio-u-${f(URL_SAFE, 64)}` },
  { family: 'easypost-key', shape: 'EZAK|EZTK<54 alphanumerics>', prefixes: ['EZAK', 'EZTK'], regex: token('EZ[AT]K[A-Za-z0-9]{54}'), example: (f) => `EZAK${f(ALNUM, 54)}` },
  { family: 'flutterwave-key', shape: 'FLWSECK-|FLWPUBK-[_TEST-]<32 hex>-X', prefixes: ['FLWSECK-', 'FLWSECK_', 'FLWPUBK-', 'FLWPUBK_'], regex: token('FLW(?:SEC|PUB)K(?:_TEST)?-[a-h0-9]{32}-X'), example: (f) => `FLWSECK_TEST-${f(HEX, 32)}-X` },
  { family: 'duffel-token', shape: 'duffel_test_|duffel_live_<43>', prefixes: ['duffel_'], regex: token('duffel_(?:test|live)_[A-Za-z0-9_=-]{43}'), example: (f) => `duffel_test_${f(URL_SAFE, 43)}` },
  { family: 'shippo-token', shape: 'shippo_live_|shippo_test_<40 hex>', prefixes: ['shippo_'], regex: token('shippo_(?:live|test)_[a-f0-9]{40}'), example: (f) => `shippo_live_${f(HEX, 40)}` },
  { family: 'harness-token', shape: 'pat.|sat.<22>.<24 hex>.<20>', prefixes: ['pat.', 'sat.'], regex: token('(?:pat|sat)\\.[A-Za-z0-9_-]{22}\\.[a-f0-9]{24}\\.[A-Za-z0-9]{20}'), example: (f) => `pat.${f(ALNUM, 22)}.${f(HEX, 24)}.${f(ALNUM, 20)}` },
  { family: 'settlemint-token', shape: 'sm_pat_|sm_aat_|sm_sat_<16>', prefixes: ['sm_pat_', 'sm_aat_', 'sm_sat_'], regex: token('sm_(?:pat|aat|sat)_[a-z0-9]{16,}'), example: (f) => `sm_pat_${f(LOWER + DIGITS, 16)}` },
  { family: 'intra42-secret', shape: 's-s4t2ud-|s-s4t2af-<64 hex>', prefixes: ['s-s4t2'], regex: token('s-s4t2(?:ud|af)-[a-f0-9]{64}'), example: (f) => `s-s4t2ud-${f(HEX, 64)}` },
  { family: 'defined-networking-key', shape: 'dnkey-<26>-<52>', prefixes: ['dnkey-'], regex: token('dnkey-[a-z0-9=_-]{26}-[a-z0-9=_-]{52}'), example: (f) => `dnkey-${f(LOWER + DIGITS, 26)}-${f(LOWER + DIGITS, 52)}` },
  { family: 'plaid-token', shape: 'access-<environment>-<uuid>', prefixes: ['access-sandbox-', 'access-development-', 'access-production-'], regex: token('access-(?:sandbox|development|production)-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}'), example: (f) => `access-sandbox-${f(HEX, 8)}-${f(HEX, 4)}-${f(HEX, 4)}-${f(HEX, 4)}-${f(HEX, 12)}` },
  { family: 'adobe-client-secret', shape: 'p8e-<32 alphanumerics>', prefixes: ['p8e-'], regex: token('p8e-[A-Za-z0-9]{32}'), example: (f) => `p8e-${f(ALNUM, 32)}` },
  { family: 'dropbox-token', shape: 'sl.<≥ 130 base64url>', prefixes: ['sl.'], regex: token('sl\\.[A-Za-z0-9_.=-]{130,}'), example: (f) => `sl.${f(URL_SAFE, 140)}` },
  { family: 'octopus-deploy-key', shape: 'API-<26 upper-case alphanumerics>', prefixes: ['API-'], regex: token('API-[A-Z0-9]{26}(?![A-Za-z0-9])'), example: (f) => `API-${f(UPPER_DIGITS, 26)}` },
  { family: 'contentful-token', shape: 'CFPAT-<43 base64url>', prefixes: ['CFPAT-'], regex: token('CFPAT-[A-Za-z0-9_-]{43}'), example: (f) => `CFPAT-${f(URL_SAFE, 43)}` },
  // --- Payments ----------------------------------------------------------------------------------
  { family: 'stripe-key', shape: 'sk_|rk_<test|live|prod>_<≥ 10>, whsec_<≥ 32>', prefixes: ['sk_test_', 'sk_live_', 'sk_prod_', 'rk_test_', 'rk_live_', 'rk_prod_', 'whsec_'], regex: token('[sr]k_(?:test|live|prod)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9+/]{32,}'), example: (f) => `rk_live_${f(ALNUM, 99)}` },
  { family: 'shopify-token', shape: 'shpat_|shpca_|shppa_|shpss_<32–64>', prefixes: ['shpat_', 'shpca_', 'shppa_', 'shpss_'], regex: token('shp(?:at|ca|pa|ss)_[A-Za-z0-9]{32,}'), example: (f) => `shpat_${f(HEX, 32)}` },
  { family: 'square-token', shape: 'sq0atp-|sq0csp-<≥ 22>, EAAA<60>', prefixes: ['sq0atp-', 'sq0csp-', 'EAAA'], regex: token('sq0(?:atp|csp)-[A-Za-z0-9_-]{22,}|EAAA[A-Za-z0-9_+=-]{60,}'), example: (f) => `sq0csp-${f(URL_SAFE, 43)}` },
  { family: 'facebook-token', shape: 'EAAC|EAAM<≥ 100 alphanumerics>', prefixes: ['EAAC', 'EAAM'], regex: token('EAA[CM][A-Za-z0-9]{100,}'), example: (f) => `EAAM${f(ALNUM, 120)}` },
  // --- Generic structures ------------------------------------------------------------------------
  { family: 'jwt', shape: 'eyJ<header>.eyJ<payload>.<signature>', prefixes: ['.eyJ'], regex: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, example: (f) => `eyJhbGciOiJIUzI1NiJ9.eyJ${f(URL_SAFE, 40)}.${f(URL_SAFE, 43)}` },
];
