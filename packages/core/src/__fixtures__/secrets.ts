// Fake credentials in each supported format, built at run time so no literal key sits in the tree.

function repeatTo(alphabet: string, length: number): string {
  let out = '';
  for (let index = 0; out.length < length; index++) out += alphabet[(index * 7 + 3) % alphabet.length];
  return out;
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** One fake secret per value pattern, with the rule id expected to mask it. */
export const FORMAT_SECRETS: readonly { readonly rule: string; readonly secret: string }[] = [
  { rule: 'pattern:openai-key', secret: `sk-${repeatTo(ALNUM, 48)}` },
  { rule: 'pattern:openai-key', secret: `sk-proj-${repeatTo(ALNUM + '_-', 64)}` },
  { rule: 'pattern:openai-key', secret: `sk-svcacct-${repeatTo(ALNUM, 40)}` },
  { rule: 'pattern:anthropic-key', secret: `sk-ant-api03-${repeatTo(ALNUM + '_-', 90)}AA` },
  { rule: 'pattern:anthropic-key', secret: `sk-ant-admin01-${repeatTo(ALNUM, 60)}` },
  { rule: 'pattern:google-api-key', secret: `AIza${repeatTo(ALNUM + '_-', 35)}` },
  { rule: 'pattern:aws-access-key', secret: `AKIA${repeatTo('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}` },
  { rule: 'pattern:aws-access-key', secret: `ASIA${repeatTo('QRSTUVWXYZ234567', 16)}` },
  { rule: 'pattern:github-token', secret: `ghp_${repeatTo(ALNUM, 36)}` },
  { rule: 'pattern:github-token', secret: `gho_${repeatTo(ALNUM, 36)}` },
  { rule: 'pattern:github-token', secret: `ghs_${repeatTo(ALNUM, 36)}` },
  { rule: 'pattern:github-token', secret: `ghu_${repeatTo(ALNUM, 36)}` },
  { rule: 'pattern:github-token', secret: `ghr_${repeatTo(ALNUM, 36)}` },
  { rule: 'pattern:github-token', secret: `github_pat_${repeatTo(ALNUM + '_', 82)}` },
  { rule: 'pattern:slack-token', secret: `xoxb-${repeatTo('0123456789', 12)}-${repeatTo('0123456789', 13)}-${repeatTo(ALNUM, 24)}` },
  { rule: 'pattern:slack-token', secret: `xoxp-${repeatTo('0123456789', 12)}-${repeatTo(ALNUM, 30)}` },
  { rule: 'pattern:slack-token', secret: `xoxa-2-${repeatTo(ALNUM, 30)}` },
  { rule: 'pattern:slack-token', secret: `xoxr-${repeatTo(ALNUM, 30)}` },
  { rule: 'pattern:slack-token', secret: `xoxs-${repeatTo(ALNUM, 30)}` },
  {
    rule: 'pattern:jwt',
    secret: `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"1234567890","name":"Ada"}').toString('base64url')}.${repeatTo(ALNUM + '_-', 43)}`,
  },
  {
    rule: 'pattern:private-key',
    secret: `-----BEGIN RSA PRIVATE KEY-----\n${repeatTo(ALNUM + '+/', 64)}\n${repeatTo(ALNUM, 64)}\n-----END RSA PRIVATE KEY-----`,
  },
  {
    rule: 'pattern:private-key',
    secret: `-----BEGIN PRIVATE KEY-----\n${repeatTo(ALNUM + '+/', 64)}\n-----END PRIVATE KEY-----`,
  },
  {
    rule: 'pattern:private-key',
    secret: `-----BEGIN OPENSSH PRIVATE KEY-----\n${repeatTo(ALNUM, 70)}\n-----END OPENSSH PRIVATE KEY-----`,
  },
];

/** A bearer token that matches no other format. */
export const BEARER_TOKEN = repeatTo(ALNUM + '._-', 40);

