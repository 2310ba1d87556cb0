/**
 * Credential shapes recognised in any text, whether or not the harness knows the value: API keys
 * of the common providers, bearer tokens, `Authorization` headers, `NAME_TOKEN=value` assignments,
 * key-like URL parameters, passwords in URLs and private key blocks. Each match becomes
 * `[redacted:<kind>]`, and no pattern matches its own replacement, so redacting twice changes
 * nothing.
 */

export interface SecretPattern {
  kind: string;
  regex: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

const marker = (kind: string) => `[redacted:${kind}]`;
const whole = (kind: string) => () => marker(kind);

/**
 * Environment-style names of secrets: `*_KEY`, `*_API_KEY`, `*_TOKEN`, `*_SECRET`, `*_PASSWORD`,
 * also glued to a prefix (`PGPASSWORD`, `GITHUBTOKEN`), and the short forms `*_PASS`, `*_PWD`,
 * `*_PASSPHRASE` (`DB_PASS`, `MYSQL_PWD`; the shell's own `PWD`/`OLDPWD` have no underscore).
 * Shared by the environment scan (which values to hide) and the assignment pattern below.
 */
export const SECRET_NAME =
  /(?:(?:^|_)(?:API_?KEY|KEY)|(?:TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE)|_(?:PASS|PWD|CREDENTIALS?))$/i;

/** Values that follow `password:` in code rather than in a credential (`password: string`). */
const NOT_A_VALUE = /^(?:string|number|boolean|undefined|null|true|false|none|str|int|required|optional)\b/i;

// Order matters: a header is redacted as a whole before its bearer token could be found inside it.
export const SECRET_PATTERNS: readonly SecretPattern[] = [
  {
    kind: 'private-key',
    regex: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g,
    replace: whole('private-key'),
  },
  {
    // `Authorization: Basic abc`, `authorization="Bearer x"`, `"Authorization": "..."` in raw text.
    kind: 'authorization',
    regex: /\b((?:proxy-)?authorization)(["']?\s*[:=]\s*["']?)(?![\s"']*\[redacted)([^\s"'][^\r\n"']*)/gi,
    replace: (_m, name, separator) => `${name}${separator}${marker('authorization')}`,
  },
  {
    // API-key headers in raw text: `x-api-key: abc`, `-H 'api-key: abc'`, `X-Auth-Token: abc`.
    kind: 'api-key-header',
    regex:
      /\b((?:x-)?(?:api-key|auth-token|access-token)|x-goog-api-key)(["']?\s*:\s*)(?!\[redacted)([^\s"'][^\r\n"']*)/gi,
    replace: (_m, name, separator) => `${name}${separator}${marker('api-key-header')}`,
  },
  {
    // `curl -u user:secret`, `--user user:secret`, `-uuser:secret`.
    kind: 'user-password',
    regex: /((?:^|\s)(?:-u\s*|--user[=\s]\s*)["']?[^\s:"']*:)(?!\[redacted)([^\s"']+)/g,
    replace: (_m, prefix) => `${prefix}${marker('user-password')}`,
  },
  {
    kind: 'bearer',
    regex: /\b(bearer\s+)(?!\[redacted)[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: (_m, prefix) => `${prefix}${marker('bearer')}`,
  },
  { kind: 'sk-key', regex: /\bsk-[A-Za-z0-9_-]{16,}/g, replace: whole('sk-key') },
  {
    kind: 'github-token',
    regex: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g,
    replace: whole('github-token'),
  },
  { kind: 'gitlab-token', regex: /\bglpat-[A-Za-z0-9_-]{20,}/g, replace: whole('gitlab-token') },
  { kind: 'slack-token', regex: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, replace: whole('slack-token') },
  { kind: 'aws-access-key', regex: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, replace: whole('aws-access-key') },
  { kind: 'google-api-key', regex: /\bAIza[0-9A-Za-z_-]{35}/g, replace: whole('google-api-key') },
  { kind: 'groq-key', regex: /\bgsk_[A-Za-z0-9]{20,}/g, replace: whole('groq-key') },
  { kind: 'huggingface-token', regex: /\bhf_[A-Za-z0-9]{20,}/g, replace: whole('huggingface-token') },
  { kind: 'stripe-key', regex: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g, replace: whole('stripe-key') },
  { kind: 'npm-token', regex: /\bnpm_[A-Za-z0-9]{36}\b/g, replace: whole('npm-token') },
  { kind: 'xai-key', regex: /\bxai-[A-Za-z0-9]{20,}/g, replace: whole('xai-key') },
  {
    // `export MY_SERVICE_TOKEN=abc123…`, `API_KEY: "…"`: upper-case names only, as environment
    // variables are written, so code such as `primary_key: id` is left alone.
    kind: 'assignment',
    regex:
      /\b((?:[A-Z0-9]+_)*[A-Z0-9]*(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE)|[A-Z0-9]+_(?:PASS|PWD))(\s*[=:]\s*)(["']?)(?!\[redacted)([^\s"'`]{6,})/g,
    replace: (_m, name, separator, quote) => `${name}${separator}${quote}${marker(name)}`,
  },
  {
    // Lower-case `password: hunter2`, `"passwd"="x"`, `secret = "…"` in config files and logs; a type
    // annotation such as `password: string` is code, not a credential.
    kind: 'password',
    regex:
      /\b(password|passwd|passphrase|secret|client_secret)(["']?\s*[:=]\s*)(["']?)(?!\[redacted)([^\s"'`,;]{3,})/gi,
    replace: (match, name, separator, quote, value) =>
      NOT_A_VALUE.test(value) ? match : `${name}${separator}${quote}${marker('password')}`,
  },
  {
    kind: 'url-param',
    regex: /([?&](?:api[_-]?key|access[_-]?token|token|key|secret|password)=)(?!\[redacted)[^&\s"'#]+/gi,
    replace: (_m, prefix) => `${prefix}${marker('url-param')}`,
  },
  {
    kind: 'url-password',
    // The user may be empty (`redis://:secret@host`) and the password may hold `@`: the host
    // starts after the last `@` of the authority.
    regex: /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/"']*:)(?!\[redacted)([^\s/"']+)(@)(?![^\s/"']*@)/gi,
    replace: (_m, prefix, _password, at) => `${prefix}${marker('url-password')}${at}`,
  },
];

/**
 * Object keys whose string values are credentials wherever they appear (HTTP headers, provider
 * configs, `{"MY_TOKEN": "..."}`), so structured data is redacted even when the value has no
 * recognisable shape.
 */
const SECRET_KEY =
  /^(?:(?:proxy-)?authorization|x-api-key|api[-_]?key|password|passwd|secret|client[-_]?secret|access[-_]?token|refresh[-_]?token)$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) || (/^[A-Z0-9_]+$/.test(key) && SECRET_NAME.test(key));
}
