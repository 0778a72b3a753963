/**
 * Secrets for the new-media accounts. The registry YAML only names secrets
 * (`appSecret: { secret: WECHAT_OA_BLWHLY_APP_SECRET }`); values come from environment
 * variables of the same name or from a secrets file (a YAML or JSON map name → value) whose path
 * is given by `GOVPUB_SECRETS_FILE`. An environment variable wins over the file.
 *
 * A `SecretStore` never shows values: `JSON.stringify`, `util.inspect`/`console.log` and
 * `String()` all print a redacted form, and error messages name secrets, never their values.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import { ConfigError, GovpubError, type ConfigIssue } from '../domain/errors.js';
import { yamlFileTextOrThrow } from './yaml-lines.js';
import { channelId, findChannel, isSecretRef, type Registry } from '../domain/registry.js';
import { DEFAULT_REGISTRY_DIR, REGISTRY_FILES, displayPath, registrySource } from './registry.js';
import { nearestName } from './did-you-mean.js';

/** Environment variable naming the secrets file. */
export const SECRETS_FILE_ENV = 'GOVPUB_SECRETS_FILE';

/**
 * A warning when the secrets file can be read or changed by users other than its owner (and its
 * group's readers, for a deployment that gives the file to a group): the platforms' credentials
 * in it then are every local user's. Not a refusal: a mounted secret volume may show wider modes.
 */
export function secretsFileExposure(file: string, zh = false): string | null {
  if (process.platform === 'win32') return null;
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    return null; // a missing file is reported where it is read
  }
  if ((mode & 0o027) === 0) return null;
  const shown = mode.toString(8).padStart(4, '0');
  if (zh)
    return `警告：密钥文件 ${file}（${SECRETS_FILE_ENV}）${mode & 0o004 ? '本机所有用户都可读取' : '其他用户可写入'}（权限 ${shown}）；请收紧权限：chmod 600 ${file}（或为其单独设组后用 640）。`;
  return `warning: the secrets file ${file} (${SECRETS_FILE_ENV}) is ${mode & 0o004 ? 'readable by every user of this host' : 'writable by others'} (mode ${shown}); restrict it: chmod 600 ${file} (or 640 with a group of its own).`;
}

/** One place in the registry where an account refers to a secret. */
export interface SecretUse {
  /** The secret's name (also the environment variable that supplies it). */
  secret: string;
  accountId: string;
  accountName: string;
  channelId: string;
  /** Credential key on the account, e.g. `appSecret`. */
  credential: string;
  /** The YAML file that refers to the secret (relative to the repository root when inside it). */
  file: string;
  /** Key path in that file, e.g. `accounts[2].credentials.appSecret`. */
  keyPath: string;
  line?: number;
}

export interface SecretSources {
  /** Environment variables (pass `process.env` or a settings-provided map). */
  env: Readonly<Record<string, string | undefined>>;
  /** Secrets file; defaults to `env.GOVPUB_SECRETS_FILE`. Relative paths resolve against the cwd. */
  secretsFile?: string;
  /** Restrict to the accounts behind these channel ids (e.g. `wechat_oa:blwhly`). */
  only?: readonly string[];
}

export interface MissingSecret {
  name: string;
  uses: SecretUse[];
  /** What is missing, who needs it, where it is referenced and how to provide it. */
  message: string;
}

export type SecretOrigin = 'env' | 'file';

export interface SecretStore {
  /** The value of a secret; throws `secret_missing` when it is not provided. */
  get(name: string): string;
  has(name: string): boolean;
  /** An account's credentials with secrets resolved (literal ids as written). */
  credentials(accountId: string): Record<string, string>;
  /** Secret names this store covers (those referenced by the accounts in scope). */
  readonly names: readonly string[];
  missing(): MissingSecret[];
  toJSON(): { secrets: Record<string, string> };
  toString(): string;
}

/** Every secret reference of every account, in registry order. */
export function collectSecretRefs(registry: Registry): SecretUse[] {
  const source = registrySource(registry);
  const file = source?.files.accounts ?? displayPath(path.join(DEFAULT_REGISTRY_DIR, REGISTRY_FILES.accounts));
  const uses: SecretUse[] = [];
  registry.accounts.forEach((account, index) => {
    for (const [credential, value] of Object.entries(account.credentials)) {
      if (!isSecretRef(value)) continue;
      const keyPath = `accounts[${index}].credentials.${credential}`;
      const line = source?.lineOf('accounts', keyPath);
      uses.push({
        secret: value.secret,
        accountId: account.id,
        accountName: account.name,
        channelId: channelId(account.platform, account.id),
        credential,
        file,
        keyPath,
        ...(line ? { line } : {}),
      });
    }
  });
  return uses;
}

interface LoadedFile {
  file: string;
  values: Map<string, string>;
  /** The line of each name, for problems found once the file is read. */
  lines: Map<string, number>;
}

/**
 * The last good parse of each secrets file, by what identifies its content on disk: every transmit
 * asks for its channel's credentials, and reading and parsing the YAML each time showed in the
 * worker's profile (issue 14). A file rewritten or replaced (secrets rotated without a restart)
 * has a new stamp and is read again; a file that fails to parse is never kept.
 */
const parsedSecretFiles = new Map<string, { stamp: string; loaded: LoadedFile }>();

function fileStamp(abs: string): string | null {
  try {
    const st = statSync(abs, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return null; // reading it says what is wrong
  }
}

function loadSecretsFile(file: string): LoadedFile {
  const abs = path.resolve(file);
  const stamp = fileStamp(abs);
  const known = parsedSecretFiles.get(abs);
  if (stamp !== null && known?.stamp === stamp) return known.loaded;
  const loaded = parseSecretsFile(abs);
  if (stamp !== null) parsedSecretFiles.set(abs, { stamp, loaded });
  return loaded;
}

const SECRETS_FILE_MAX_BYTES = 1024 * 1024;

function parseSecretsFile(abs: string): LoadedFile {
  const shown = displayPath(abs);
  let text: string;
  const refused = (message: string) => new ConfigError([{ file: shown, path: '', message }]);
  try {
    // A regular file of at most 1 MB (a secrets file holds a few dozen lines): a directory or a
    // device (/dev/zero) named by mistake is said so, not read for ever.
    const stat = statSync(abs);
    if (stat.isDirectory()) throw refused(`is a directory, not a file: ${SECRETS_FILE_ENV} names the secrets YAML file itself`);
    if (!stat.isFile() && !stat.isFIFO()) throw refused(`is not a regular file (a device or a socket): ${SECRETS_FILE_ENV} names the secrets YAML file`);
    if (stat.size > SECRETS_FILE_MAX_BYTES)
      throw refused(
        `is ${stat.size} bytes, more than any secrets file (${SECRETS_FILE_MAX_BYTES / 1024 / 1024} MB at most): check that ${SECRETS_FILE_ENV} names the secrets YAML file`,
      );
    text = yamlFileTextOrThrow(readFileSync(abs), shown, { secret: true });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw refused(
      code === 'ENOENT'
        ? `secrets file not found (${SECRETS_FILE_ENV} names it): create it, correct the path, or unset ${SECRETS_FILE_ENV}`
        : `cannot read secrets file: ${(err as Error).message}`,
    );
  }
  const lc = new LineCounter();
  // prettyErrors: false — pretty errors quote the offending source line, which may hold a secret.
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const issues: ConfigIssue[] = [];
  const lineOf = (offset: number | undefined): number | undefined => {
    if (offset === undefined) return undefined;
    const { line } = lc.linePos(offset);
    return line > 0 ? line : undefined;
  };
  if (doc.errors.length > 0) {
    for (const err of doc.errors) issues.push(secretsSyntaxIssue(shown, text, err.code, err.pos, lineOf));
    throw new ConfigError(issues);
  }
  const values = new Map<string, string>();
  const lines = new Map<string, number>();
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return { file: shown, values, lines };
  if (!isMap(root)) {
    throw new ConfigError([{ file: shown, path: '', message: 'expected a mapping of secret name to value', line: lineOf(root.range?.[0]) }]);
  }
  for (const pair of root.items) {
    const key = pair.key;
    const keyLine = lineOf(isScalar(key) ? key.range?.[0] : undefined);
    if (!isScalar(key) || typeof key.value !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(key.value)) {
      issues.push({ file: shown, path: '', message: 'secret names must be environment-variable style (A-Z, 0-9, _)', line: keyLine });
      continue;
    }
    const value = pair.value;
    if (!isScalar(value) || value.value === null) {
      issues.push({ file: shown, path: key.value, message: 'expected the secret value as text', line: keyLine });
      continue;
    }
    if (typeof value.value !== 'string') {
      // Never echo the value: it is a secret even when it looks like a number.
      issues.push({ file: shown, path: key.value, message: 'expected text; put the value in quotes so it is read exactly as written', line: keyLine });
      continue;
    }
    const unprintable = controlCharacterIn(value.value);
    if (unprintable) {
      issues.push({ file: shown, path: key.value, message: controlCharacterMessage(unprintable), line: keyLine });
      continue;
    }
    if (value.value !== '') values.set(key.value, value.value);
    if (keyLine !== undefined) lines.set(key.value, keyLine);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { file: shown, values, lines };
}

/**
 * A syntax error of the secrets file as a sentence saying what to change. Only the parser's code and
 * position are used, never its message or the source line: either may quote a secret. A key is named
 * only when it reads as a secret's name.
 */
function secretsSyntaxIssue(
  file: string,
  text: string,
  code: string,
  pos: [number, number],
  lineOf: (offset: number | undefined) => number | undefined,
): ConfigIssue {
  const line = lineOf(pos[0]);
  const at = (message: string): ConfigIssue => ({ file, path: '', message, line });
  switch (code) {
    case 'TAB_AS_INDENT':
      return at('a tab indents this line: YAML indents with spaces, and a secret needs none; write each secret at the start of its line as NAME: value');
    case 'DUPLICATE_KEY': {
      const key = /^["']?([^\s"':]*)/.exec(text.slice(pos[0]))![1]!;
      if (!SECRET_NAME.test(key)) return at('a name is given twice in this file: keep the entry you mean and delete the other');
      const first = text.split('\n').findIndex((l) => new RegExp(`^\\s*["']?${key}["']?\\s*:`).test(l)) + 1;
      return at(
        `${key} is given twice${first > 0 && first !== line ? ` (also on line ${first})` : ''}: keep the entry with the value you mean and delete the other`,
      );
    }
    case 'MISSING_CHAR':
      return at('a quoted value is not closed: end it with the quote mark it starts with, on the same line');
    case 'MULTILINE_IMPLICIT_KEY':
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'IMPLICIT_KEY_FLOW_SEQ':
      return at('expected NAME: value on this line (a colon and a space after the name; a value holding ": " or starting with a quote or # goes in quotes)');
    default:
      return at(`YAML/JSON syntax error (${code}): write one secret a line as NAME: value, the value in quotes when it holds ": " or # or starts with a quote`);
  }
}

/**
 * The first control character of a secret's value, named (never the value): no platform credential,
 * token or password holds a line break, a tab or another invisible character, and one sent anyway
 * was refused by the platform as a wrong credential ("authorize the app again"), which it is not.
 * Typically a value pasted with the line after it, or a file's \r\n.
 */
function controlCharacterIn(value: string): string | undefined {
  const found = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.exec(value);
  if (!found) return undefined;
  const ch = found[0];
  const code = `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  const named = ch === '\n' ? 'a line break' : ch === '\r' ? 'a carriage return' : ch === '\t' ? 'a tab' : 'a control character';
  return `${named} (${code}) at character ${found.index + 1}`;
}

function controlCharacterMessage(found: string): string {
  return `the value holds ${found}, which no credential does (the value is not shown): write it again as one line, exactly as the platform's console gives it`;
}

/** Secrets of the environment whose value holds a control character, as configuration problems naming them. */
function environmentControlCharacters(env: SecretSources['env'], names: Iterable<string>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const name of names) {
    const value = env[name];
    const found = value ? controlCharacterIn(value) : undefined;
    if (found) issues.push({ file: 'environment', path: name, message: controlCharacterMessage(found) });
  }
  return issues;
}

/**
 * Reads the secrets file as every process will (`govpub config check` without `--secrets`, before
 * anything starts): a missing or malformed file is a `ConfigError` naming it, its line and what to do.
 */
export function checkSecretsFile(file: string): void {
  loadSecretsFile(file);
}

function scopeUses(registry: Registry, only: readonly string[] | undefined): SecretUse[] {
  const all = collectSecretRefs(registry);
  if (!only) return all;
  for (const id of only) {
    if (!findChannel(registry, id)) {
      throw new GovpubError('unknown_channel', `Unknown channel "${id}": channel ids are <platform>:<id>, e.g. wechat_oa:blwhly (see config/registry/).`, {
        channelId: id,
      });
    }
  }
  const wanted = new Set(only);
  return all.filter((use) => wanted.has(use.channelId));
}

function whereUsed(use: SecretUse): string {
  const at = use.line ? `${use.file}:${use.line}` : use.file;
  return `account ${use.accountName} (${use.channelId}), credential ${use.credential} at ${at} (${use.keyPath})`;
}

/** What `{ secret: NAME }` may name, in accounts.yaml and platforms.yaml: an environment-variable style name. */
export const SECRET_NAME = /^[A-Z][A-Z0-9_]*$/;

/** How to provide a missing secret, the same for every file that names one. */
export function provideSecretHint(name: string, secretsFile: string | undefined): string {
  const fileHint = secretsFile
    ? `add "${name}: <value>" to the secrets file ${secretsFile}`
    : `add "${name}: <value>" to a secrets file (YAML or JSON) and set ${SECRETS_FILE_ENV} to its path`;
  return `Provide it as the environment variable ${name}, or ${fileHint}. Never write the value into config/registry.`;
}

function missingMessage(name: string, uses: SecretUse[], secretsFile: string | undefined, emptyInEnv: boolean, unclaimed: readonly string[]): string {
  const needed = uses.map(whereUsed).join('; ');
  // A name in the secrets file that nothing refers to and reads like this one: most likely a typo there.
  const near = secretsFile ? nearestName(name, unclaimed) : undefined;
  const typo = near
    ? ` The secrets file has "${near}", which no account in config/registry refers to: if that is this secret misspelt, rename it to ${name}.`
    : '';
  return (
    `Secret ${name} is not provided${emptyInEnv ? ' (the environment variable is set but empty)' : ''}. ` +
    `It is needed by ${needed}.${typo} ` +
    provideSecretHint(name, secretsFile)
  );
}

class Store implements SecretStore {
  readonly #values: Map<string, { value: string; origin: SecretOrigin }>;
  readonly #uses: Map<string, SecretUse[]>;
  readonly #registry: Registry;
  readonly #secretsFile: string | undefined;
  readonly #emptyInEnv: Set<string>;
  readonly #scope: string;
  /** Names in the secrets file that no account refers to (candidates for a misspelt name). */
  readonly #unclaimed: readonly string[];

  constructor(
    registry: Registry,
    uses: SecretUse[],
    values: Map<string, { value: string; origin: SecretOrigin }>,
    secretsFile: string | undefined,
    emptyInEnv: Set<string>,
    scope: string,
    unclaimed: readonly string[],
  ) {
    this.#unclaimed = unclaimed;
    this.#registry = registry;
    this.#values = values;
    this.#secretsFile = secretsFile;
    this.#emptyInEnv = emptyInEnv;
    this.#scope = scope;
    this.#uses = new Map();
    for (const use of uses) {
      const list = this.#uses.get(use.secret) ?? [];
      list.push(use);
      this.#uses.set(use.secret, list);
    }
  }

  get names(): readonly string[] {
    return [...this.#uses.keys()];
  }

  has(name: string): boolean {
    return this.#uses.has(name) && this.#values.has(name);
  }

  get(name: string): string {
    const uses = this.#uses.get(name);
    if (!uses) {
      const elsewhere = collectSecretRefs(this.#registry).filter((u) => u.secret === name);
      if (elsewhere.length > 0) {
        throw new GovpubError(
          'secret_out_of_scope',
          `Secret ${name} belongs to ${elsewhere.map(whereUsed).join('; ')}, which is outside this store (${this.#scope}).`,
          { secret: name },
        );
      }
      throw new GovpubError('secret_unknown', `No account in config/registry refers to a secret named ${name}.`, { secret: name });
    }
    const found = this.#values.get(name);
    if (!found) {
      throw new GovpubError('secret_missing', missingMessage(name, uses, this.#secretsFile, this.#emptyInEnv.has(name), this.#unclaimed), {
        secret: name,
        uses,
      });
    }
    return found.value;
  }

  credentials(accountId: string): Record<string, string> {
    const account = this.#registry.accounts.find((a) => a.id === accountId);
    if (!account) {
      throw new GovpubError('unknown_account', `No account with id "${accountId}" in config/registry/accounts.yaml.`, { accountId });
    }
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(account.credentials)) {
      out[key] = isSecretRef(value) ? this.get(value.secret) : value;
    }
    return out;
  }

  missing(): MissingSecret[] {
    const out: MissingSecret[] = [];
    for (const [name, uses] of this.#uses) {
      if (this.#values.has(name)) continue;
      out.push({ name, uses, message: missingMessage(name, uses, this.#secretsFile, this.#emptyInEnv.has(name), this.#unclaimed) });
    }
    return out;
  }

  #redacted(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of this.#uses.keys()) {
      const found = this.#values.get(name);
      out[name] = found ? `[redacted, from ${found.origin}]` : '[missing]';
    }
    return out;
  }

  toJSON(): { secrets: Record<string, string> } {
    return { secrets: this.#redacted() };
  }

  toString(): string {
    return `[SecretStore: ${this.#values.size} of ${this.#uses.size} secrets provided]`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    const entries = Object.entries(this.#redacted()).map(([k, v]) => `${k}: ${v}`);
    return `SecretStore { ${entries.join(', ')} }`;
  }
}

/**
 * Resolves the secrets that the accounts in scope refer to. Does not throw for missing secrets
 * (ask `get`, `missing()` or `missingSecrets`); throws `ConfigError` for an unreadable or
 * malformed secrets file and `unknown_channel` for an unknown id in `only`.
 */
export function resolveSecrets(registry: Registry, sources: SecretSources): SecretStore {
  const uses = scopeUses(registry, sources.only);
  const fileName = sources.secretsFile ?? nonEmpty(sources.env[SECRETS_FILE_ENV]);
  const loaded = fileName ? loadSecretsFile(fileName) : undefined;
  const values = new Map<string, { value: string; origin: SecretOrigin }>();
  const emptyInEnv = new Set<string>();
  const fromEnvIssues = environmentControlCharacters(sources.env, new Set(uses.map((u) => u.secret)));
  if (fromEnvIssues.length > 0) throw new ConfigError(fromEnvIssues);
  for (const name of new Set(uses.map((u) => u.secret))) {
    const fromEnv = sources.env[name];
    if (fromEnv !== undefined && fromEnv !== '') {
      values.set(name, { value: fromEnv, origin: 'env' });
      continue;
    }
    if (fromEnv === '') emptyInEnv.add(name);
    const fromFile = loaded?.values.get(name);
    if (fromFile !== undefined) values.set(name, { value: fromFile, origin: 'file' });
  }
  const scope = sources.only ? `channels ${sources.only.join(', ')}` : 'all accounts';
  const referenced = new Set(collectSecretRefs(registry).map((u) => u.secret));
  // A secret's name where its value belongs (NAME: NAME, or NAME: OTHER_NAME) would be sent to the
  // platform as the credential and refused there; a name is no secret, so it can be shown.
  const namesAsValues = [...values].filter(([, found]) => referenced.has(found.value));
  if (namesAsValues.length > 0) {
    throw new ConfigError(
      namesAsValues.map(([name, found]) => ({
        file: found.origin === 'file' ? loaded!.file : 'environment',
        path: name,
        message: `holds ${found.value}, which is the name of a secret, not its value: put the credential itself there (from the platform's console)`,
        ...(found.origin === 'file' && loaded!.lines.get(name) !== undefined ? { line: loaded!.lines.get(name) } : {}),
      })),
    );
  }
  const unclaimed = loaded ? [...loaded.values.keys()].filter((n) => !referenced.has(n)) : [];
  return new Store(registry, uses, values, loaded?.file, emptyInEnv, scope, unclaimed);
}

/** The secrets the accounts in scope need but nobody provided; never throws for missing ones. */
export function missingSecrets(registry: Registry, sources: SecretSources): MissingSecret[] {
  return resolveSecrets(registry, sources).missing();
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * Looks up secrets referenced outside accounts.yaml (e.g. a media-center client secret in
 * platforms.yaml) from the same sources: environment first, then the secrets file.
 */
export function readNamedSecrets(names: readonly string[], sources: SecretSources): Map<string, string> {
  const fileName = sources.secretsFile ?? nonEmpty(sources.env[SECRETS_FILE_ENV]);
  const loaded = fileName && names.length > 0 ? loadSecretsFile(fileName) : undefined;
  const fromEnvIssues = environmentControlCharacters(sources.env, names);
  if (fromEnvIssues.length > 0) throw new ConfigError(fromEnvIssues);
  const found = new Map<string, string>();
  for (const name of names) {
    const value = nonEmpty(sources.env[name]) ?? loaded?.values.get(name);
    if (value !== undefined) found.set(name, value);
  }
  return found;
}
