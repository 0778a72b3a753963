import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, GovpubError } from '../../domain/errors.js';
import type { Registry } from '../../domain/registry.js';
import { REPO_ROOT, loadRegistry } from '../../config/registry.js';
import { collectSecretRefs, missingSecrets, readNamedSecrets, resolveSecrets } from '../../config/secrets.js';

const NAME = 'WECHAT_OA_BLWHLY_APP_SECRET';
const VALUE = 'b1f03-very-secret-value-9c2e';

let registry: Registry;
let tmp: string;
beforeAll(async () => {
  registry = await loadRegistry();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'govpub-secrets-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function caught(fn: () => unknown): GovpubError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GovpubError);
    return err as GovpubError;
  }
  throw new Error('expected an error');
}

function allSecrets(except: string[] = []): Record<string, string> {
  const env: Record<string, string> = {};
  for (const use of collectSecretRefs(registry)) if (!except.includes(use.secret)) env[use.secret] = `value-of-${use.secret}`;
  return env;
}

describe('collectSecretRefs', () => {
  it('lists which account needs which secret, pointing into accounts.yaml', () => {
    const uses = collectSecretRefs(registry);
    const apiAccounts = registry.accounts.filter((a) => a.publishing === 'api');
    expect(new Set(uses.map((u) => u.accountId))).toEqual(new Set(apiAccounts.map((a) => a.id)));
    const lines = readFileSync(path.join(REPO_ROOT, 'config/registry/accounts.yaml'), 'utf8').split('\n');
    for (const use of uses) {
      expect(use.secret).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(use.file).toBe('config/registry/accounts.yaml');
      expect(use.keyPath).toMatch(/^accounts\[\d+\]\.credentials\.\w+$/);
      expect(lines[use.line! - 1]).toContain(`${use.credential}: { secret: ${use.secret} }`);
    }
    const blwhly = uses.find((u) => u.secret === NAME)!;
    expect(blwhly).toMatchObject({ accountId: 'blwhly', accountName: '碑林文化旅游', channelId: 'wechat_oa:blwhly', credential: 'appSecret' });
  });
});

describe('resolveSecrets', () => {
  it('names the secret, the account, the YAML file/key and how to provide it when a secret is missing', () => {
    const store = resolveSecrets(registry, { env: {} });
    const err = caught(() => store.get(NAME));
    expect(err.code).toBe('secret_missing');
    const use = collectSecretRefs(registry).find((u) => u.secret === NAME)!;
    expect(err.message).toBe(
      `Secret ${NAME} is not provided. It is needed by account 碑林文化旅游 (wechat_oa:blwhly), credential appSecret at ` +
        `config/registry/accounts.yaml:${use.line} (${use.keyPath}). Provide it as the environment variable ${NAME}, ` +
        `or add "${NAME}: <value>" to a secrets file (YAML or JSON) and set GOVPUB_SECRETS_FILE to its path. ` +
        'Never write the value into config/registry.',
    );
    expect(() => store.credentials('blwhly')).toThrow(/Secret WECHAT_OA_BLWHLY_APP_SECRET is not provided/);
  });

  it('reads secrets from environment variables', () => {
    const store = resolveSecrets(registry, { env: { [NAME]: VALUE } });
    expect(store.get(NAME)).toBe(VALUE);
    expect(store.has(NAME)).toBe(true);
    expect(store.credentials('blwhly')).toEqual({ appId: 'wx00000000000b1f03', appSecret: VALUE });
    expect(store.has('WECHAT_OA_BLRS_APP_SECRET')).toBe(false);
  });

  it('treats an empty environment variable as missing and says so', () => {
    const store = resolveSecrets(registry, { env: { [NAME]: '' } });
    expect(caught(() => store.get(NAME)).message).toContain('(the environment variable is set but empty)');
  });

  it('reads a YAML secrets file named by GOVPUB_SECRETS_FILE, and the environment wins over it', () => {
    const file = path.join(tmp, 'secrets.yaml');
    writeFileSync(file, `# local secrets\n${NAME}: "${VALUE}"\nWECHAT_OA_BLRS_APP_SECRET: from-file\n`);
    const store = resolveSecrets(registry, { env: { GOVPUB_SECRETS_FILE: file } });
    expect(store.get(NAME)).toBe(VALUE);
    expect(store.get('WECHAT_OA_BLRS_APP_SECRET')).toBe('from-file');
    const both = resolveSecrets(registry, { env: { GOVPUB_SECRETS_FILE: file, WECHAT_OA_BLRS_APP_SECRET: 'from-env' } });
    expect(both.get('WECHAT_OA_BLRS_APP_SECRET')).toBe('from-env');
    // the missing-secret message then names that file
    expect(caught(() => store.get('WECHAT_OA_BLZW_APP_SECRET')).message).toContain(`add "WECHAT_OA_BLZW_APP_SECRET: <value>" to the secrets file ${file}`);
  });

  it('a secret missing because the secrets file spells it differently names the near miss, never its value', () => {
    const file = path.join(tmp, 'secrets-typo.yaml');
    writeFileSync(file, `WECHAT_OA_BLWHLY_APPSECRET: "${VALUE}"\nSOMETHING_ELSE_ENTIRELY: x\n`);
    const store = resolveSecrets(registry, { env: {}, secretsFile: file });
    const message = caught(() => store.get(NAME)).message;
    expect(message).toContain(
      `The secrets file has "WECHAT_OA_BLWHLY_APPSECRET", which no account in config/registry refers to: if that is this secret misspelt, rename it to ${NAME}.`,
    );
    expect(message).not.toContain(VALUE);
    expect(missingSecrets(registry, { env: {}, secretsFile: file }).find((m) => m.name === NAME)!.message).toContain('"WECHAT_OA_BLWHLY_APPSECRET"');
    // A name far from every one in the file gets no guess.
    expect(caught(() => store.get('WEIBO_BLFB_WB_ACCESS_TOKEN')).message).not.toContain('The secrets file has');
  });

  it('reads a JSON secrets file given as an option', () => {
    const file = path.join(tmp, 'secrets.json');
    writeFileSync(file, JSON.stringify({ [NAME]: VALUE }));
    expect(resolveSecrets(registry, { env: {}, secretsFile: file }).get(NAME)).toBe(VALUE);
  });

  it('reads a secrets file again once it changed on disk (rotated without a restart), even to the same size', () => {
    const file = path.join(tmp, 'rotating.yaml');
    writeFileSync(file, `${NAME}: "value-AAAA"\n`);
    const read = () => readNamedSecrets([NAME], { env: {}, secretsFile: file }).get(NAME);
    expect(read()).toBe('value-AAAA');
    expect(read()).toBe('value-AAAA');
    writeFileSync(file, `${NAME}: "value-BBBB"\n`);
    expect(read()).toBe('value-BBBB');
    // Replaced by a rename (how editors and deploy tools write), and then broken: the break is said, never the old value.
    const next = path.join(tmp, 'rotating.next');
    writeFileSync(next, `${NAME}: "value-CCCC"\n`);
    renameSync(next, file);
    expect(read()).toBe('value-CCCC');
    writeFileSync(file, `${NAME}: "value-DDDD\n`);
    expect(() => read()).toThrow(ConfigError);
  });

  it('rejects a malformed secrets file without echoing any value', () => {
    const bad = path.join(tmp, 'bad.yaml');
    writeFileSync(bad, `${NAME}: "${VALUE}\nOTHER: x\n`);
    const syntax = caught(() => resolveSecrets(registry, { env: {}, secretsFile: bad }));
    expect(syntax).toBeInstanceOf(ConfigError);
    expect(syntax.message).not.toContain(VALUE);
    expect(syntax.message).toContain(`${bad}:`);

    const numeric = path.join(tmp, 'numeric.yaml');
    writeFileSync(numeric, `${NAME}: 0123456789\n`);
    const typed = caught(() => resolveSecrets(registry, { env: {}, secretsFile: numeric }));
    expect(typed.message).toContain(`${numeric}:1: ${NAME}: expected text; put the value in quotes`);
    expect(typed.message).not.toContain('123456789');

    const absent = caught(() => resolveSecrets(registry, { env: { GOVPUB_SECRETS_FILE: path.join(tmp, 'absent.yaml') } }));
    expect(absent.message).toContain('secrets file not found');

    // Saved by Windows PowerShell 5 (UTF-16): said so, with no value of it in the message.
    const sixteen = path.join(tmp, 'utf16.yaml');
    writeFileSync(sixteen, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${NAME}: "s3cret-value"\n`, 'utf16le')]));
    const utf16 = caught(() => resolveSecrets(registry, { env: {}, secretsFile: sixteen }));
    expect(utf16.message).toContain(`${sixteen}: the file is UTF-16 (two bytes a character), not UTF-8`);
    expect(utf16.message).not.toContain('s3cret');
    // A value in GBK: the line is named, its bytes are not quoted (they are the credential's).
    const gbk = path.join(tmp, 'gbk.yaml');
    writeFileSync(gbk, Buffer.concat([Buffer.from(`# secrets\n${NAME}: "ab`), Buffer.from([0xc3, 0xdc, 0xc2, 0xeb]), Buffer.from('"\n')]));
    const garbled = caught(() => resolveSecrets(registry, { env: {}, secretsFile: gbk }));
    expect(garbled.message).toContain(`${gbk}:2: the file is not UTF-8: byte `);
    expect(garbled.message).not.toMatch(/c3 dc|\(c3/);

    // A directory or a device named by mistake: said so, not read (/dev/zero was read for ever, at every start).
    expect(caught(() => resolveSecrets(registry, { env: { GOVPUB_SECRETS_FILE: tmp } })).message).toContain(
      'is a directory, not a file: GOVPUB_SECRETS_FILE names the secrets YAML file itself',
    );
    expect(caught(() => resolveSecrets(registry, { env: { GOVPUB_SECRETS_FILE: '/dev/zero' } })).message).toContain(
      '/dev/zero: is not a regular file (a device or a socket)',
    );
    const huge = path.join(tmp, 'huge.yaml');
    writeFileSync(huge, Buffer.alloc(2 * 1024 * 1024, 0x20));
    expect(caught(() => resolveSecrets(registry, { env: { GOVPUB_SECRETS_FILE: huge } })).message).toContain('more than any secrets file (1 MB at most)');
  });

  it('a syntax error of the secrets file says what to change on which line, never quoting it', () => {
    // They said "YAML/JSON syntax error (TAB_AS_INDENT)": a parser's code, not what to do.
    const problem = (name: string, text: string) => {
      const file = path.join(tmp, name);
      writeFileSync(file, text);
      const error = caught(() => resolveSecrets(registry, { env: {}, secretsFile: file }));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).not.toContain(VALUE);
      expect((error as ConfigError).issues).toHaveLength(1);
      return (error as ConfigError).issues[0]!;
    };
    const tab = problem('tab.yaml', `${NAME}: a\n\tOTHER: "${VALUE}"\n`);
    expect(tab).toMatchObject({ line: 2 });
    expect(tab.message).toBe(
      'a tab indents this line: YAML indents with spaces, and a secret needs none; write each secret at the start of its line as NAME: value',
    );
    const twice = problem('twice.yaml', `${NAME}: first\nOTHER: x\n${NAME}: "${VALUE}"\n`);
    expect(twice).toMatchObject({ line: 3, message: `${NAME} is given twice (also on line 1): keep the entry with the value you mean and delete the other` });
    // A key that is no secret's name may be a secret typed where its name belongs: not quoted.
    const keyTwice = problem('key-twice.yaml', `${VALUE}: a\n${VALUE}: b\n`);
    expect(keyTwice).toMatchObject({ line: 2, message: 'a name is given twice in this file: keep the entry you mean and delete the other' });
    expect(problem('json-twice.json', `{"${NAME}": "a", "${NAME}": "${VALUE}"}`).message).toContain(`${NAME} is given twice: keep the entry`);
    expect(problem('open-quote.yaml', `${NAME}: "${VALUE}\n`).message).toBe(
      'a quoted value is not closed: end it with the quote mark it starts with, on the same line',
    );
    expect(problem('no-colon.yaml', `${NAME} ${VALUE}\nOTHER: x\n`)).toMatchObject({
      line: 1,
      message: 'expected NAME: value on this line (a colon and a space after the name; a value holding ": " or starting with a quote or # goes in quotes)',
    });
  });

  it("a secret's name written where its value belongs is refused with the file, line and what to put there", () => {
    // It was taken as the credential and sent to the platform, which refused it.
    const OTHER = 'WECHAT_OA_BLFB_APP_SECRET';
    const file = path.join(tmp, 'names-as-values.yaml');
    writeFileSync(file, `${OTHER}: "${VALUE}"\n${NAME}: ${NAME}\n`);
    const fromFile = caught(() => resolveSecrets(registry, { env: {}, secretsFile: file }));
    expect(fromFile).toBeInstanceOf(ConfigError);
    expect((fromFile as ConfigError).issues).toEqual([
      {
        file,
        path: NAME,
        line: 2,
        message: `holds ${NAME}, which is the name of a secret, not its value: put the credential itself there (from the platform's console)`,
      },
    ]);
    expect(fromFile.message).not.toContain(VALUE);
    const fromEnv = caught(() => resolveSecrets(registry, { env: { ...allSecrets(), [NAME]: OTHER } }));
    expect((fromEnv as ConfigError).issues).toEqual([
      expect.objectContaining({ file: 'environment', path: NAME, message: expect.stringMatching(`^holds ${OTHER}, which is the name of a secret`) }),
    ]);
  });

  it('refuses a value holding a line break or a control character, naming the secret and line, never the value', () => {
    // One was sent to the platform, refused there, and reported as a credential to authorize again.
    const OTHER = 'WEIBO_BLFB_WB_ACCESS_TOKEN';
    const file = path.join(tmp, 'control-characters.yaml');
    writeFileSync(file, `${NAME}: "${VALUE}\\nsecond line"\n${OTHER}: "${VALUE}\\x07"\nWECHAT_OA_BLFB_APP_SECRET: "${VALUE}\\t"\n`);
    const fromFile = caught(() => resolveSecrets(registry, { env: {}, secretsFile: file }));
    expect(fromFile).toBeInstanceOf(ConfigError);
    expect((fromFile as ConfigError).issues).toEqual([
      {
        file,
        path: NAME,
        line: 1,
        message: `the value holds a line break (U+000A) at character ${VALUE.length + 1}, which no credential does (the value is not shown): write it again as one line, exactly as the platform's console gives it`,
      },
      expect.objectContaining({ path: OTHER, line: 2, message: expect.stringMatching(/^the value holds a control character \(U\+0007\)/) }),
      expect.objectContaining({ path: 'WECHAT_OA_BLFB_APP_SECRET', line: 3, message: expect.stringMatching(/^the value holds a tab \(U\+0009\)/) }),
    ]);
    expect(fromFile.message).not.toContain(VALUE);

    const fromEnv = caught(() => resolveSecrets(registry, { env: { ...allSecrets(), [NAME]: `${VALUE}\r` } }));
    expect((fromEnv as ConfigError).issues).toEqual([
      expect.objectContaining({ file: 'environment', path: NAME, message: expect.stringMatching(/^the value holds a carriage return \(U\+000D\)/) }),
    ]);
    expect(fromEnv.message).not.toContain(VALUE);
    const named = caught(() => readNamedSecrets(['MEDIA_CENTER_CLIENT_SECRET'], { env: { MEDIA_CENTER_CLIENT_SECRET: `${VALUE}\n` } }));
    expect(named.message).toMatch(/MEDIA_CENTER_CLIENT_SECRET: the value holds a line break/);
    expect(named.message).not.toContain(VALUE);
  });

  it('limits the store to the accounts of the given channels', () => {
    const store = resolveSecrets(registry, { env: allSecrets(), only: ['wechat_oa:blwhly', 'portal:zwgk-zcwj'] });
    expect(store.names).toEqual([NAME]);
    expect(store.get(NAME)).toBe(`value-of-${NAME}`);
    expect(caught(() => store.get('WECHAT_OA_BLRS_APP_SECRET')).code).toBe('secret_out_of_scope');
    expect(caught(() => store.get('NO_SUCH_SECRET')).code).toBe('secret_unknown');
    expect(caught(() => resolveSecrets(registry, { env: {}, only: ['wechat_oa:nope'] })).code).toBe('unknown_channel');
  });
});

describe('missingSecrets', () => {
  it('lists what is missing without throwing', () => {
    expect(missingSecrets(registry, { env: allSecrets() })).toEqual([]);
    const missing = missingSecrets(registry, { env: allSecrets([NAME, 'WECHAT_OA_BLRS_APP_SECRET']) });
    expect(missing.map((m) => m.name)).toEqual([NAME, 'WECHAT_OA_BLRS_APP_SECRET']);
    expect(missing[1]!.uses[0]).toMatchObject({ accountName: '碑林人社', channelId: 'wechat_oa:blrs' });
    expect(missing[1]!.message).toContain('account 碑林人社 (wechat_oa:blrs)');
    expect(missingSecrets(registry, { env: {} }).length).toBe(new Set(collectSecretRefs(registry).map((u) => u.secret)).size);
  });
});

describe('SecretStore redaction', () => {
  it('never prints values', () => {
    const store = resolveSecrets(registry, { env: { [NAME]: VALUE }, only: ['wechat_oa:blwhly', 'wechat_oa:blrs'] });
    const shown = [JSON.stringify(store), inspect(store), inspect({ nested: { store } }, { depth: 5 }), String(store), `${store}`];
    for (const text of shown) expect(text).not.toContain(VALUE);
    expect(JSON.parse(JSON.stringify(store))).toEqual({
      secrets: { [NAME]: '[redacted, from env]', WECHAT_OA_BLRS_APP_SECRET: '[missing]' },
    });
    expect(inspect(store)).toBe(`SecretStore { ${NAME}: [redacted, from env], WECHAT_OA_BLRS_APP_SECRET: [missing] }`);
    expect(String(store)).toBe('[SecretStore: 1 of 2 secrets provided]');
    expect(Object.keys(store)).toEqual([]);
    expect(JSON.stringify(structuredClone(store))).not.toContain(VALUE);
  });
});
