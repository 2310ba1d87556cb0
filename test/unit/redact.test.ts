/** Redaction: known secret values, credential shapes, structured data, pi session files, the terminal. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRedactor, redactingIo, redactJsonlFile, redactorFor, secretsFromEnv } from '../../src/redact/index.js';
import { Journal } from '../../src/journal/writer.js';

const env = {
  MY_SERVICE_TOKEN: 'supersecretvalue123',
  OPENAI_API_KEY: 'abcdefghijklmnop',
  DB_PASSWORD: 'hunter22',
  CLIENT_SECRET: 'cl-secret-1',
  SHORT_TOKEN: 'abc', // too short to hide: it would redact ordinary text
  HOME: '/home/someone',
  PATH_KEYBOARD: 'not-a-secret-name',
};
const redactor = redactorFor({ models: {} }, env);

describe('secret values from the environment', () => {
  it('picks variables named *_KEY, *_API_KEY, *_TOKEN, *_SECRET, *_PASSWORD with values of 6+ characters', () => {
    expect(
      secretsFromEnv(env)
        .map((s) => s.name)
        .sort(),
    ).toEqual(['CLIENT_SECRET', 'DB_PASSWORD', 'MY_SERVICE_TOKEN', 'OPENAI_API_KEY']);
  });

  it('also picks PGPASSWORD, DB_PASS, MYSQL_PWD and *_PASSPHRASE, never PWD or OLDPWD', () => {
    const names = secretsFromEnv({
      PGPASSWORD: 'hunter22',
      DB_PASS: 'hunter22x',
      MYSQL_PWD: 'hunter22y',
      GPG_PASSPHRASE: 'correct horse',
      PWD: '/home/someone/project',
      OLDPWD: '/home/someone',
      PASSENGER_COUNT: '12345678',
    }).map((s) => s.name);
    expect(names.sort()).toEqual(['DB_PASS', 'GPG_PASSPHRASE', 'MYSQL_PWD', 'PGPASSWORD']);
  });

  it('hides each line of a multi-line secret, however a tool prints it', () => {
    const pem =
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----';
    const json = '{\n  "type": "service_account",\n  "private_key_id": "0123456789abcdef"\n}';
    const r = redactorFor({ models: {} }, { SIGNING_KEY: pem, GCP_CREDENTIALS: json });
    expect(r.text('line: MIIEvQIBADANBgkqhkiG9w0BAQEFAASC')).toBe('line: [redacted:SIGNING_KEY]');
    expect(r.text('  > BKcwggSjAgEAAoIBAQC7 <')).toBe('  > [redacted:SIGNING_KEY] <');
    expect(r.text('"private_key_id": "0123456789abcdef"')).not.toContain('0123456789abcdef');
  });

  it('replaces each value, wherever it appears, with its variable name', () => {
    expect(redactor.text('echo supersecretvalue123; pw=hunter22 done')).toBe(
      'echo [redacted:MY_SERVICE_TOKEN]; pw=[redacted:DB_PASSWORD] done',
    );
    expect(redactor.text('abc stays, /home/someone stays')).toBe('abc stays, /home/someone stays');
  });

  it('hides the keys the configuration names: a literal apiKey and the variable of apiKeyEnv', () => {
    const r = redactorFor(
      {
        models: {
          'p/m': { baseUrl: 'http://x', api: 'openai-completions', vision: false, apiKey: 'literal-key-123' },
          'q/n': { baseUrl: 'http://y', api: 'openai-completions', vision: false, apiKeyEnv: 'PROVIDER' },
        },
      },
      { PROVIDER: 'env-key-456789' },
    );
    expect(r.text('literal-key-123 env-key-456789')).toBe('[redacted:p/m.apiKey] [redacted:PROVIDER]');
  });
});

describe('credential shapes', () => {
  const r = createRedactor();
  it.each([
    ['sk-abcdefghijklmnopqrstuvwxyz', '[redacted:sk-key]'],
    ['key sk-ant-api03-abcdefghijklmnopqrst end', 'key [redacted:sk-key] end'],
    ['Authorization: Bearer abc.def.ghi-jkl', 'Authorization: [redacted:authorization]'],
    ['curl -H "authorization: Basic dXNlcjpwYXNz" x', 'curl -H "authorization: [redacted:authorization]" x'],
    ['token Bearer eyJhbGciOiJIUzI1NiJ9', 'token Bearer [redacted:bearer]'],
    ['ghp_abcdefghijklmnopqrstuvwxyz0123456789', '[redacted:github-token]'],
    ['AKIAABCDEFGHIJKLMNOP', '[redacted:aws-access-key]'],
    ['export NPM_TOKEN=npm_abcdef123456', 'export NPM_TOKEN=[redacted:NPM_TOKEN]'],
    ['API_KEY: "qwertyuiop"', 'API_KEY: "[redacted:API_KEY]"'],
    ['https://api.x.com/v1?api_key=abc123&q=1', 'https://api.x.com/v1?api_key=[redacted:url-param]&q=1'],
    ['postgres://user:pa55word@db:5432/app', 'postgres://user:[redacted:url-password]@db:5432/app'],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----', '[redacted:private-key]'],
    ['curl -H "x-api-key: abcd1234efgh" https://x', 'curl -H "x-api-key: [redacted:api-key-header]" https://x'],
    ["curl -H 'api-key: abcd1234efgh' https://x", "curl -H 'api-key: [redacted:api-key-header]' https://x"],
    ['X-Auth-Token: 0123456789', 'X-Auth-Token: [redacted:api-key-header]'],
    ['curl -u admin:s3cr3tpw https://x', 'curl -u admin:[redacted:user-password] https://x'],
    ['curl --user admin:s3cr3tpw https://x', 'curl --user admin:[redacted:user-password] https://x'],
    ['password: hunter2', 'password: [redacted:password]'],
    ['db:\n  password: "hunter2"', 'db:\n  password: "[redacted:password]"'],
    ['{"password":"hunter2"}', '{"password":"[redacted:password]"}'],
    ['host=db user=app password=hunter2 dbname=x', 'host=db user=app password=[redacted:password] dbname=x'],
    ['Server=db;Database=x;Password=hunter2;', 'Server=db;Database=x;Password=[redacted:password];'],
    ['redis://:hunter22@cache:6379/0', 'redis://:[redacted:url-password]@cache:6379/0'],
    ['postgresql://app:p@ss@db/app', 'postgresql://app:[redacted:url-password]@db/app'],
    ['mongodb+srv://app:hunter22@cluster0.x.net/db', 'mongodb+srv://app:[redacted:url-password]@cluster0.x.net/db'],
    ['gsk_abcdefghijklmnopqrstuvwxyz0123', '[redacted:groq-key]'],
    ['hf_abcdefghijklmnopqrstuvwxyz0123', '[redacted:huggingface-token]'],
    ['sk_live_abcdefghijklmnopqrstuvwx', '[redacted:stripe-key]'],
    ['rk_test_abcdefghijklmnopqrstuvwx', '[redacted:stripe-key]'],
    ['npm_abcdefghijklmnopqrstuvwxyz0123456789', '[redacted:npm-token]'],
    ['export PGPASSWORD=hunter22', 'export PGPASSWORD=[redacted:PGPASSWORD]'],
    ['DB_PASS=hunter22 node app', 'DB_PASS=[redacted:DB_PASS] node app'],
  ])('%s', (input, expected) => {
    expect(r.text(input)).toBe(expected);
  });

  it('leaves ordinary text alone', () => {
    for (const text of [
      'primary_key: id',
      'the task-list is long',
      'tokens 100 in / 20 out',
      'Authorization header missing',
      'KEYBOARD=us',
      'password: string;',
      'function login(password: string, secret?: number)',
      'if (!password) throw new Error("password required")',
      'cd /work && pwd',
      'http://localhost:8080/path?x=1',
      'git@github.com:owner/repo.git',
      'see https://example.com/users/@alice',
    ]) {
      expect(r.text(text)).toBe(text);
    }
  });

  it('is idempotent', () => {
    const once = redactor.text(
      'Authorization: Bearer xyzxyzxyz MY_TOKEN=supersecretvalue123 sk-abcdefghijklmnopqrstuv',
    );
    expect(redactor.text(once)).toBe(once);
  });
});

describe('structured data', () => {
  it('redacts every string and blanks values under secret-named keys', () => {
    const value = {
      headers: { Authorization: 'opaque', 'x-api-key': 'k' },
      apiKey: 'whatever',
      list: ['supersecretvalue123'],
      n: 3,
      MY_TOKEN: 'zzz',
    };
    expect(redactor.value(value)).toEqual({
      headers: { Authorization: '[redacted:Authorization]', 'x-api-key': '[redacted:x-api-key]' },
      apiKey: '[redacted:apiKey]',
      list: ['[redacted:MY_SERVICE_TOKEN]'],
      n: 3,
      MY_TOKEN: '[redacted:MY_TOKEN]',
    });
  });

  it('redacts journal events before they are written or seen by a listener', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'journal-redact-'));
    const journal = new Journal(path.join(dir, 'journal.jsonl'), 'run', { redactor });
    const seen: string[] = [];
    journal.onEvent((event) => seen.push(JSON.stringify(event)));
    journal.append({ type: 'error', message: 'tool printed supersecretvalue123' });
    expect(readFileSync(journal.file, 'utf8')).toContain('[redacted:MY_SERVICE_TOKEN]');
    expect(readFileSync(journal.file, 'utf8')).not.toContain('supersecretvalue123');
    expect(seen.join()).not.toContain('supersecretvalue123');
  });
});

describe('pi session files and the terminal', () => {
  it('rewrites only the records that hold a secret, keeping the others byte for byte', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'session-redact-')), 's.jsonl');
    const clean = '{"type":"session","id":"x",  "cwd":"/repo"}';
    const dirty = JSON.stringify({
      type: 'message',
      message: { role: 'toolResult', content: [{ type: 'text', text: 'supersecretvalue123\n' }] },
    });
    writeFileSync(file, `${clean}\n${dirty}\nnot json supersecretvalue123\n`);
    expect(redactJsonlFile(file, redactor)).toBe(true);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines[0]).toBe(clean);
    expect(JSON.parse(lines[1]!).message.content[0].text).toBe('[redacted:MY_SERVICE_TOKEN]\n');
    expect(lines[2]).toBe('not json [redacted:MY_SERVICE_TOKEN]');
    expect(redactJsonlFile(file, redactor)).toBe(false);
  });

  it('redacts stdout and stderr', () => {
    const out: string[] = [];
    const io = redactingIo({ stdout: (t) => out.push(t), stderr: (t) => out.push(t), env: {}, cwd: '/' }, redactor);
    io.stdout('a supersecretvalue123\n');
    io.stderr('b hunter22\n');
    expect(out).toEqual(['a [redacted:MY_SERVICE_TOKEN]\n', 'b [redacted:DB_PASSWORD]\n']);
  });
});
