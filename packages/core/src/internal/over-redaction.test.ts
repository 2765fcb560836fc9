// Over-redaction at scale: thousands of generated texts that hold no credential — identifiers,
// digests, model names, numbers under secret-sounding names, code, prose about keys and tokens,
// inline images — go through the default redactor as free text, as a chat message in JSON and as
// tool-call arguments. None may change. The counts per kind are reported in the core README.
import { createSeededRandom } from '@runtrace/testkit';
import { describe, expect, it } from 'vitest';
import { defaultRedactor } from '../redactor.js';

type Random = () => number;

const HEX = '0123456789abcdef';
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const B64 = `${ALNUM}+/`;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function chars(random: Random, alphabet: string, length: number): string {
  let out = '';
  for (let index = 0; index < length; index++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

function int(random: Random, below: number): number {
  return Math.floor(random() * below);
}

const uuid = (random: Random): string =>
  `${chars(random, HEX, 8)}-${chars(random, HEX, 4)}-4${chars(random, HEX, 3)}-${pick(random, ['8', '9', 'a', 'b'])}${chars(random, HEX, 3)}-${chars(random, HEX, 12)}`;

const WORDS =
  'the model answered with a short summary of the build log and then listed every failing test in the nightly run including retries timeouts and error handling for each call please keep the answer brief'.split(' ');
const prose = (random: Random, length: number): string => Array.from({ length }, () => pick(random, WORDS)).join(' ');

const MODELS = ['gpt-4o-mini', 'gpt-4.1', 'o3-mini', 'claude-sonnet-4-5', 'claude-3-5-haiku', 'gemini-2.5-flash', 'mistral-large', 'llama-3.3-70b-instruct', 'deepseek-chat', 'grok-4'];
const SECRET_WORDS = ['token', 'key', 'secret', 'password', 'auth', 'credential', 'api_key', 'access_token', 'session'];
const PLAIN_VALUES = ['true', 'false', 'null', 'none', 'strict', 'bearer', 'required', 'disabled', 'rotate weekly', 'see the vault', '300', '4096', '0.7'];

/** Each kind: a name and a generator of one text that holds no credential. */
const KINDS: readonly (readonly [string, (random: Random) => string])[] = [
  ['UUIDs', (random) => `request ${uuid(random)} failed, retried as ${uuid(random)}`],
  ['trace and span ids', (random) => `trace_id=${chars(random, HEX, 32)} span_id=${chars(random, HEX, 16)}`],
  ['git commits', (random) => `fixed in commit ${chars(random, HEX, 40)} (short ${chars(random, HEX, 7)})`],
  ['SHA-256 and MD5 digests', (random) => `sha256:${chars(random, HEX, 64)} md5 ${chars(random, HEX, 32)}`],
  ['model names with dates', (random) => `${pick(random, MODELS)}-20${10 + int(random, 16)}-${String(1 + int(random, 12)).padStart(2, '0')}-${String(1 + int(random, 28)).padStart(2, '0')} answered`],
  ['versions, dates and addresses', (random) => `v${int(random, 20)}.${int(random, 50)}.${int(random, 100)} released 2026-${String(1 + int(random, 12)).padStart(2, '0')}-0${1 + int(random, 9)}T12:${10 + int(random, 49)}:00Z from 10.${int(random, 255)}.${int(random, 255)}.${int(random, 255)}:${1024 + int(random, 60000)}`],
  ['secret-sounding names with plain values', (random) => `${pick(random, SECRET_WORDS)}_${pick(random, ['count', 'limit', 'mode', 'type', 'ttl', 'enabled', 'used'])} = ${pick(random, PLAIN_VALUES)}`],
  ['prose about keys and tokens', (random) => `The ${pick(random, SECRET_WORDS)} expired, so ${prose(random, 8)}; the ${pick(random, ['token limit', 'key rotation', 'password policy', 'auth flow'])} is documented.`],
  ['code with secret-sounding identifiers', (random) => `const ${pick(random, ['apiKey', 'authToken', 'secretName', 'passwordField'])}${int(random, 99)} = process.env.${pick(random, ['OPENAI_API_KEY', 'DB_PASSWORD', 'AUTH_TOKEN'])}; if (!${pick(random, ['hasToken', 'isAuthorized'])}()) throw new Error("missing");`],
  ['file paths and URLs without credentials', (random) => `open /home/${pick(random, ['ada', 'lin', 'sam'])}/src/${chars(random, 'abcdefgh', 6)}_${int(random, 99)}.ts and https://docs.example.com/${chars(random, 'abcdefgh', 5)}/${int(random, 999)}?page=${int(random, 9)}#section-${int(random, 9)}`],
  ['inline images (data URLs)', (random) => `data:image/png;base64,iVBORw0KGgo${chars(random, B64, 200 + int(random, 400))}==`],
  ['hex colours and CSS', (random) => `color: #${chars(random, HEX, 6)}; background: #${chars(random, HEX, 3)}; width: ${int(random, 900)}px`],
  ['public keys (SSH, PEM)', (random) => pick(random, [`ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${chars(random, B64, 43)} ada@laptop`, `-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA${chars(random, B64, 64)}\n${chars(random, B64, 64)}\n-----END PUBLIC KEY-----`])],
  // A word assigned to a secret name (`password=changeme`, `password=your-api-key-here`) is masked
  // on purpose: it may be the password. References, masks and bracketed placeholders are not.
  ['references, masks and bracketed placeholders', (random) => `${pick(random, ['OPENAI_API_KEY', 'api_key', 'token', 'password'])}${pick(random, ['=', ': ', ' = '])}${pick(random, ['<your-api-key>', 'xxxxxxxxxxxxxxxx', '********', '${API_KEY}', '$DB_PASSWORD', '%TOKEN%', 'process.env.API_KEY', '[REDACTED]'])}`],
  ['snake_case identifiers with prefixes', (random) => `${pick(random, ['pdf', 'npm', 'hf', 'sk', 'gh', 'ak', 'xox'])}_${pick(random, ['file', 'install', 'transfer', 'learn', 'pages', 'runner', 'o'])}_${int(random, 50)}`],
];

const PER_KIND = 300;

describe('over-redaction: generated texts with no credential stay byte-identical', () => {
  const random = createSeededRandom(0x5eed);
  const changed = new Map<string, string[]>();
  for (const [kind, generate] of KINDS) {
    const examples: string[] = [];
    for (let index = 0; index < PER_KIND; index++) {
      const text = generate(random);
      const asText = defaultRedactor.redactText(text).value;
      const message = JSON.stringify({ role: 'user', content: text });
      const asMessage = defaultRedactor.redactJson(message).value;
      const argumentsJson = JSON.stringify({ query: text, limit: 20 });
      const asArguments = defaultRedactor.redactAttribute('gen_ai.tool.call.arguments', argumentsJson).value;
      if (asText !== text || asMessage !== message || asArguments !== argumentsJson) examples.push(text);
    }
    changed.set(kind, examples);
  }

  it('the check sees a change: the same three contexts with a provider key planted change every time', () => {
    const control = createSeededRandom(7);
    for (let index = 0; index < 50; index++) {
      const text = `${prose(control, 5)} ${['sk', 'proj', chars(control, ALNUM, 48)].join('-')} ${prose(control, 3)}`;
      const message = JSON.stringify({ role: 'user', content: text });
      expect(defaultRedactor.redactText(text).value).not.toBe(text);
      expect(defaultRedactor.redactJson(message).value).not.toBe(message);
      expect(defaultRedactor.redactAttribute('gen_ai.tool.call.arguments', JSON.stringify({ query: text })).value).not.toContain('sk-proj-');
    }
  });

  for (const [kind] of KINDS) {
    it(`${PER_KIND} ${kind}: none changed, as text, in a chat message or in tool-call arguments`, () => {
      expect(changed.get(kind)!.slice(0, 3)).toEqual([]);
    });
  }
});

/**
 * Kinds of text that leading secret scanners list as their own false positives (gitleaks' rule
 * tests, secretlint's "should not report" cases), written here as new examples of each kind:
 * identifiers that begin like a token prefix, names holding a secret word that name something
 * else, digests, command lines whose credentials are variables or absent, URLs and markup with
 * ids, and random-looking text. A credential written out (`curl -u demo:demo`) is masked on
 * purpose, even when it is a placeholder.
 */
const SCANNER_FALSE_POSITIVES: Readonly<Record<string, readonly string[]>> = {
  'code identifiers that start like token prefixes': [
    '- (id)hf_supportedCharacteristicKindsForDisplay;',
    'static void GLC_BuildShadowTextureAtlas(void);',
    'public static final String API_ORG_MISSING = "ApiOrganizationMissing";',
    'const api_org_router = require("./routes/organizations");',
    's.RetryTimeoutSeconds = 30',
    's.buildClusterConfigWatcher = deps',
    'pub const SYSINFO1_PERF_TOTALDIRTY_THRESHOLD: u32 = 4u32;',
    'searchPagesInWikiSpace,listWikiSpacesByLabel',
    '#define OSC_DebugReadExpectedCrystalAmplitude ROM_OSC_DebugReadExpectedCrystalAmplitude',
  ],
  'names with a secret word that name something else': [
    '"accessor": "rB2xk1Z46ZDvgzgr",',
    'report_access_id: 3f1e2d4c-5b6a-4978-8c1d-2e3f4a5b6c7d',
    'author = "grace.fake@example.org",',
    "credentialsId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'",
    'keyword: "Qualification_B3"',
    'IceSSL.KeyFile=server_rsa2048_priv.pem',
    '"bucket_key": "QuarterlyResults-2.4"',
    "schemaKey = 'DOC_Vector_7_64'",
    'sequenceKey = "42"',
    'app.keystore.file=config/client.p12',
    '-DKEYTAB_FILE=/var/run/service.keytab',
    'key_length = ChaCha20.key_length',
    'KeyPair = Ed25519.KeyPair',
    'PuttyPassword=0',
    'LLM_SECRET_NAME = "PLATFORM-GPT-API-KEY"',
    'secret_length = X448.secret_length',
    "    access_token_url='https://example.com/login/oauth/access_token',",
    'notes = "Maven - io.jsonwebtoken:jjwt-api-0.12.6"',
    'clientId = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"',
    'GITHUB_API_KEY=\nDYNATRACE_API_KEY=',
    'snowflake.password=\njdbc.snowflake.url=',
    'X-API-Name": "ORDERS-Gateway-INTERNAL-API",',
    'apiUrl=gateway.corp.example.com',
    'COMMUNICATION_API_VERSION=rc0.14.1_20240102_0915-SNAPSHOT',
    '<key tag="SecurityIdentifier" name="SecurityIdentifier" type="STRING" />',
    '            keyPressed = kVK_Escape.u16',
    'timezone_mapping = { "Turkey Standard Time": "Europe/Istanbul" }',
    'secretSize must be >= XXH3_SECRET_SIZE_MIN',
    'Authentication-Results: mx3.example.net',
    'X-MS-Exchange-Organization-AuthSource: mail07.int.example.com',
  ],
  'digests and checksums': [
    'checksum: 7d3a1f0c9b8e2d4f6a5c3b1e0d9f8a7c6b5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a',
    'SRCREV_tools = "8b2e4c6a1d3f5e7a9c0b2d4f6e8a1c3b5d7f9e0a"',
    'LIC_FILES_CHKSUM = "file://${WORKDIR}/LICENSE;md5=1f2e3d4c5b6a79880f1e2d3c4b5a6978"',
    'ModuleAPI_version=4c1d7e2f9a3b8c6d5e0f1a2b3c4d5e6f7a8b9c0d',
    'eaaaC0b75a9329fded2ffa9a02b47e0117831b82',
  ],
  'command lines without a literal credential': [
    'curl -sL --user "$1:$2" "$3" > "$4"',
    'curl -u <user:password> https://api.example.com/endpoint',
    'curl --user neo4j:[PASSWORD] http://[IP]:7474/db/data/',
    'curl -u "myusername" http://localhost:8080/api/check_user/',
    'curl -u "${_username}:${_password}"',
    'curl -k -X POST -I -u "SRVC_BUILD:${APPID}"',
    'curl -u ":" https://localhost:9200',
    "curl -sw '%{http_code}' -X POST --user '$USERNAME:$PASSWORD' $API_URL/$GIT_COMMIT --data",
    'curl --silent --fail --user "{{ $.Values.username }}:{{ $.Values.password }}"',
    'curl -XGET -i -u "${{ env.ELK_ID }}:${{ env.ELK_PASS }}"',
    'curl -X POST --user "$(cat ./login.txt):$(cat ./password.txt)"',
    'curl --silent --insecure --user ${f5user}:${f5pass} \\',
    'curl --insecure --ssl-reqd "smtps://smtp.example.com" --mail-from "a@example.com" --user "a@example.com" --upload-file out.txt',
    'curl -H "Authorization: Bearer $(gcloud auth print-access-token)" https://workflows.googleapis.com/v1/projects',
    'curl -H "Authorization: Bearer $API_KEY" https://api.example.com/v1/chat/completions',
    'curl -H "Authorization: Bearer <Openverse API token>" "https://api.example.org/v1/audio/?q=test"',
    'curl -H "Authorization: Token **********" -d \'{"username": "test"}\'',
    'curl -XPOST http://localhost:8080/api/token -H "Authorization: basic {base64(email:password[\\n])}"',
  ],
  'URLs and markup with ids': [
    'https://explosivelab.notion.site/Plan-Nerdz-Ng-public-1bc826ecc0994dd8915be97fc3489cde?pvs=74',
    'http://assets.example.com/assets/media_box/video_box.ico-7a388b69018576d24b59331fd60aab0c.png',
    '<img src="./assets/avatar-f0eb1acf0da84c06a50c5b2c59932001997786b176dec02bd16128ee9ea83628.png" alt="">',
    '![diagram](https://p3.example.com/tos-cn-i-k3u1fbpfcp/6a9e704af49b4380bb686f0c96d33b81~tplv-k3u1fbpfcp-watermark.image)',
    '.ui.visible.right.sidebar~.ui.visible.left.sidebar~.pusher{transform:translate3d(0,0,0)}',
    "'url': 'http://www.example.nl/speel~VARA_101375237~mh17-het-verdriet~.html',",
    '~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~',
    'https://sonarcloud.io/api/project_badges/measure?project=Garden-Coin_API-Calculator&metric=alert_status',
    '<iframe src="./archive/gifs/api-c99e353f761d318322c853c03e.gif"> </iframe>',
    '<input type="hidden" name="authenticity_ref" value="7SWa-Fo1_hsC6oovfBsJFLGPUl2EhkSWPbJhWANwgaJW" />',
  ],
  'text and data that look random': [
    'msgstr "Näytä asiakirjamallikansio."',
    'TODAYINASIAASACKOFRICEFELLOVER',
    'CTTCATAGGGTTCACGCTGTGTAATACGCCTGAGGCCACAAGGGGACTTCAGCAACCGTCGGGGATTCATTGCCAATGGAAGCAATCTATGGGTTATCGCG',
    'R21A-A-V010SP13RC181024R16900-CN-B_250K-Release-OTA-97B6C6C59241976086FABDC41472150C.bfu',
    'in XCBuild.XCBBuildServiceSession.setSystemInfo(operatingSystemVersion: __C.NSOperatingSystemVersion)',
    '@ar = split("~", "965f1453~47~09414c93e4cef985416f472549220827da3ba6fed8ad28e29ef6ad170ad53a69");',
    "'#!/registries/5/portainer.demo~2Fportainerregistrytesting~2Falpine',",
    'MailchimpSDK.initialize(apiVersion: "3.0", region: "us18")',
  ],
};

describe("over-redaction: the kinds of the scanners' own false positives stay byte-identical", () => {
  for (const [kind, texts] of Object.entries(SCANNER_FALSE_POSITIVES)) {
    it(`${texts.length} ${kind}: none changed, as text, in a chat message or in tool-call arguments`, () => {
      const changed = texts.filter((text) => {
        const message = JSON.stringify({ role: 'user', content: text });
        const argumentsJson = JSON.stringify({ command: text });
        return (
          defaultRedactor.redactText(text).value !== text ||
          defaultRedactor.redactJson(message).value !== message ||
          defaultRedactor.redactAttribute('gen_ai.tool.call.arguments', argumentsJson).value !== argumentsJson
        );
      });
      expect(changed).toEqual([]);
    });
  }

  it('the check sees a change: the same command lines with a credential written out are masked', () => {
    for (const text of ['curl -u "ci-bot:Xq7#pL2vRm9!"', 'curl --user ada:Tr0ub4dor-3x https://h/', 'wget --password=Zq9xLm2Vb7 https://h/f', 'curl -u sk_4f9Qm2LxP7vB3nT8wK1z: https://h/']) {
      expect(defaultRedactor.redactText(text).value).not.toBe(text);
    }
  });
});
