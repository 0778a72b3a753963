/**
 * How govpub reaches each platform (config/registry/platforms.yaml): base URL, per-platform
 * concurrency and rate, confirmation timeout, retry budget, manual-task reminders, and the
 * media-center systems' client credentials. Problems are reported as `file:line: key.path: …`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, isMap, parseDocument, type Document } from 'yaml';
import { ConfigError, type ConfigIssue } from '../domain/errors.js';
import { PLATFORMS, isSecretRef, type Platform, type SecretRef } from '../domain/registry.js';
import { STATUS_SWEEP_PLATFORMS, declarationOf } from '../adapters/declarations.js';
import { displayPath } from './registry.js';
import { yamlFileTextOrThrow, yamlSyntaxMessage } from './yaml-lines.js';
import { provideSecretHint, readNamedSecrets, SECRET_NAME, type SecretSources } from './secrets.js';
import { httpUrlProblem, urlAsShown } from './http-url.js';

export interface PlatformConfig {
  platform: Platform;
  /** API base URL; undefined for the portal (a static publisher) and manual platforms. */
  baseUrl?: string;
  /** Where the base URL came from, for `govpub channels list` and /api/channels. */
  baseUrlSource: 'config' | 'env' | 'simulator' | 'none';
  concurrency: number;
  ratePerSecond?: number;
  confirmTimeoutSec: number;
  /** First wait before asking an asynchronous platform whether a submitted post is public; doubles per ask up to a minute. */
  confirmFirstPollSec: number;
  /**
   * Where the platform pushes its results (WeChat's PUBLISHJOBFINISH, with its eventToken set):
   * the first status query waits up to this long for the push instead of confirmFirstPollSec.
   */
  pushWaitSec?: number;
  /**
   * Platforms declared with `statusSweep` (the media center): every delivery's status query in a
   * worker process waits at one sweep that reads the platform at most every this many seconds, on
   * the platform's status queue (outside `ratePerSecond`). Absent: one read per article per query.
   */
  statusSweepSec?: number;
  maxAttempts: number;
  reminderEverySec: number;
  /** First wait after a transient failure; doubles per attempt up to retryMaxSec. */
  retryInitialSec: number;
  retryMaxSec: number;
  /** Wait after a rate limit when the platform does not say how long. */
  rateLimitWaitSec: number;
  credentials: Record<string, string | SecretRef>;
  /**
   * The hosts (and their subdomains) the platform's public posts are on, where the declaration's
   * (adapters/<platform>/post-links.ts) do not fit this deployment or it declares none (the media app):
   * a post confirmed by hand must be on one of them.
   */
  postHosts?: string[];
}

export type PlatformConfigs = Record<Platform, PlatformConfig>;

const DEFAULTS = {
  concurrency: 2,
  confirmTimeoutSec: 1800,
  // Asynchronous publishing often finishes within a second or two; asking after 0.5 s, 1.5 s,
  // 3.5 s… costs two more status requests per delivery than starting at 2 s, which the
  // platform queue's rate cap (ratePerSecond) still bounds.
  confirmFirstPollSec: 0.5,
  maxAttempts: 8,
  reminderEverySec: 14400,
  retryInitialSec: 2,
  retryMaxSec: 300,
  rateLimitWaitSec: 60,
};
/** A platform's settings where platforms.yaml says nothing (also the delivery plan's fallback). */
export { DEFAULTS as PLATFORM_DEFAULTS };
const KEYS = [
  'baseUrl',
  'concurrency',
  'ratePerSecond',
  'confirmTimeoutSec',
  'confirmFirstPollSec',
  'pushWaitSec',
  'statusSweepSec',
  'maxAttempts',
  'reminderEverySec',
  'retryInitialSec',
  'retryMaxSec',
  'rateLimitWaitSec',
  'credentials',
  'postHosts',
];

export function platformsFile(configDir: string): string {
  return path.join(configDir, 'registry', 'platforms.yaml');
}

/** `GOVPUB_WECHAT_OA_BASE_URL` for `wechat_oa`. */
export function baseUrlEnvName(platform: Platform): string {
  return `GOVPUB_${platform.toUpperCase()}_BASE_URL`;
}

export interface LoadPlatformOptions {
  env?: NodeJS.ProcessEnv;
  /** Base URLs of running simulators (the all-in-one start); used where env sets none. */
  simulatorUrls?: Partial<Record<string, string>>;
}

export function loadPlatformConfigs(configDir: string, options: LoadPlatformOptions = {}): PlatformConfigs {
  const file = platformsFile(configDir);
  const shown = displayPath(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new ConfigError([{ file: shown, path: '', message: `cannot read: ${(error as Error).message}` }]);
  }
  const text = yamlFileTextOrThrow(bytes, shown);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const issues: ConfigIssue[] = [];
  const lineAt = (keyPath: (string | number)[]): number | undefined => {
    const node = doc.getIn(keyPath, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? lines.linePos(node.range[0]).line : undefined;
  };
  const fail = (keyPath: (string | number)[], message: string) => issues.push({ file: shown, path: keyPath.join('.'), message, line: lineAt(keyPath) });
  for (const error of doc.errors) {
    const at = lines.linePos(error.pos[0]);
    issues.push({ file: shown, path: '', message: yamlSyntaxMessage(error, at.col), line: at.line });
  }
  if (issues.length) throw new ConfigError(issues);

  const root = doc.toJS() as { platforms?: Record<string, Record<string, unknown>> } | null;
  const entries = root?.platforms ?? {};
  if (!root || typeof entries !== 'object' || !isMap((doc as Document).get('platforms'))) fail(['platforms'], 'expected a mapping of platform → settings');

  const env = options.env ?? process.env;
  const configs = {} as PlatformConfigs;
  for (const name of Object.keys(entries)) {
    if (!(PLATFORMS as readonly string[]).includes(name)) fail(['platforms', name], `unknown platform; known: ${PLATFORMS.join(', ')}`);
  }
  for (const platform of PLATFORMS) {
    const raw = (entries[platform] ?? {}) as Record<string, unknown>;
    const at = (key: string) => ['platforms', platform, key];
    for (const key of Object.keys(raw)) if (!KEYS.includes(key)) fail(at(key), `unknown setting; expected one of ${KEYS.join(', ')}`);
    const positiveInt = (key: string, fallback: number | undefined): number | undefined => {
      const value = raw[key];
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
        fail(at(key), `expected a positive number, got ${JSON.stringify(value)}`);
        return fallback;
      }
      return value;
    };
    let baseUrl = typeof raw.baseUrl === 'string' ? raw.baseUrl : undefined;
    if (raw.baseUrl !== undefined) {
      const problem = baseUrlProblem(raw.baseUrl);
      if (problem) fail(at('baseUrl'), problem);
    }
    let source: PlatformConfig['baseUrlSource'] = baseUrl ? 'config' : 'none';
    const fromEnv = env[baseUrlEnvName(platform)]?.trim();
    if (fromEnv) {
      const problem = baseUrlProblem(fromEnv);
      if (problem) issues.push({ file: `environment ${baseUrlEnvName(platform)}`, path: '', message: problem });
      baseUrl = fromEnv;
      source = 'env';
    } else if (options.simulatorUrls?.[platform]) {
      baseUrl = options.simulatorUrls[platform];
      source = 'simulator';
    }
    // 0 turns the sweep off (a server without the batch read); elsewhere the platform cannot sweep.
    let statusSweepSec: number | undefined;
    if (raw.statusSweepSec !== undefined) {
      const sweeps = STATUS_SWEEP_PLATFORMS.includes(platform);
      const value = raw.statusSweepSec;
      if (!sweeps)
        fail(
          at('statusSweepSec'),
          `${platform} cannot sweep its status queries (its API has no batch read); remove the setting. Platforms that can: ${STATUS_SWEEP_PLATFORMS.join(', ')}`,
        );
      else if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
        fail(at('statusSweepSec'), `expected a number of seconds (0 turns the sweep off), got ${JSON.stringify(value)}`);
      else if (value > 0) statusSweepSec = value;
    }
    const credentials: Record<string, string | SecretRef> = {};
    if (raw.credentials !== undefined) {
      if (typeof raw.credentials !== 'object' || raw.credentials === null || Array.isArray(raw.credentials)) fail(at('credentials'), 'expected a mapping');
      else
        for (const [key, value] of Object.entries(raw.credentials)) {
          if (typeof value === 'string' && /secret|token|password|private/i.test(key))
            fail(
              [...at('credentials'), key],
              `"${key}" is a secret: name it as { secret: NAME } and supply the value from the environment or the secrets file`,
            );
          else if (isSecretRef(value) && !SECRET_NAME.test(value.secret))
            // Not quoted back: what does not look like a name may be the secret itself.
            fail(
              [...at('credentials'), key, 'secret'],
              'must be an environment-variable style name (A-Z, 0-9, _; starting with a letter), got a value that is not shown (it may be the secret itself: never write one here)',
            );
          else if (typeof value === 'string' || isSecretRef(value)) credentials[key] = value;
          else fail([...at('credentials'), key], 'expected text or { secret: NAME }');
        }
    }
    const postHosts =
      raw.postHosts === undefined
        ? undefined
        : postHostsOf(raw.postHosts, (index, message) => fail(index === null ? at('postHosts') : [...at('postHosts'), index], message));
    configs[platform] = {
      platform,
      ...(baseUrl ? { baseUrl: baseUrl.replace(/\/+$/, '') } : {}),
      baseUrlSource: source,
      concurrency: Math.floor(positiveInt('concurrency', DEFAULTS.concurrency)!),
      ...(raw.ratePerSecond !== undefined ? { ratePerSecond: positiveInt('ratePerSecond', undefined) } : {}),
      confirmTimeoutSec: positiveInt('confirmTimeoutSec', DEFAULTS.confirmTimeoutSec)!,
      confirmFirstPollSec: positiveInt('confirmFirstPollSec', DEFAULTS.confirmFirstPollSec)!,
      ...(raw.pushWaitSec !== undefined ? { pushWaitSec: positiveInt('pushWaitSec', undefined) } : {}),
      ...(statusSweepSec !== undefined ? { statusSweepSec } : {}),
      maxAttempts: Math.floor(positiveInt('maxAttempts', DEFAULTS.maxAttempts)!),
      reminderEverySec: positiveInt('reminderEverySec', DEFAULTS.reminderEverySec)!,
      retryInitialSec: positiveInt('retryInitialSec', DEFAULTS.retryInitialSec)!,
      retryMaxSec: positiveInt('retryMaxSec', DEFAULTS.retryMaxSec)!,
      rateLimitWaitSec: positiveInt('rateLimitWaitSec', DEFAULTS.rateLimitWaitSec)!,
      credentials,
      ...(postHosts ? { postHosts } : {}),
    };
  }
  if (issues.length) throw new ConfigError(issues);
  return configs;
}

// A DNS name: labels of letters, digits and hyphens, at least one dot (www.xiancn.com, xiancn.com).
const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/i;

/** platforms.yaml `postHosts`: a list of host names (lower-cased), or undefined after reporting what is wrong. */
function postHostsOf(value: unknown, fail: (index: number | null, message: string) => void): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    fail(null, `expected a list of host names such as [www.xiancn.com], got ${JSON.stringify(value)}`);
    return undefined;
  }
  const hosts: string[] = [];
  value.forEach((item, i) => {
    if (typeof item !== 'string') return fail(i, `expected a host name such as www.xiancn.com, got ${JSON.stringify(item)}`);
    if (/[\u0000-\u001f\u007f]/.test(item))
      return fail(i, 'expected a host name, but the value holds a control character (a line break, a tab): write it on one line');
    const host = item.trim().toLowerCase().replace(/\.$/, '');
    if (/^[a-z][a-z0-9+.-]*:\/\//.test(host) || host.includes('/'))
      return fail(i, `expected the host name alone (www.example.cn), not an address: got ${JSON.stringify(urlAsShown(item))}`);
    if (!HOST_NAME.test(host)) return fail(i, `expected a host name such as www.xiancn.com, got ${JSON.stringify(item)}`);
    hosts.push(host);
  });
  return hosts.length === value.length ? hosts : undefined;
}

/** The same configuration with some settings replaced on every platform (tests, benchmarks). */
export function withPlatformOverrides(configs: PlatformConfigs, overrides: Partial<Omit<PlatformConfig, 'platform' | 'credentials'>>): PlatformConfigs {
  return Object.fromEntries(Object.entries(configs).map(([k, v]) => [k, { ...v, ...overrides }])) as PlatformConfigs;
}

/** Names of every secret platforms.yaml refers to (media-center client secrets). */
export function platformSecretNames(configs: PlatformConfigs): string[] {
  return Object.values(configs).flatMap((c) =>
    Object.values(c.credentials)
      .filter(isSecretRef)
      .map((ref) => ref.secret),
  );
}

/**
 * The platforms.yaml secrets a worker publishes with that are not provided: those of the
 * platforms whose channels take their credentials from platforms.yaml (the media center's
 * systems), each with where it is named and how to provide it. WeChat's eventToken is not among
 * them: without it, publishing is confirmed by polling alone.
 */
export function missingPlatformSecrets(configs: PlatformConfigs, sources: SecretSources): { name: string; message: string }[] {
  const missing: { name: string; message: string }[] = [];
  for (const config of Object.values(configs)) {
    if (declarationOf(config.platform).channelKind !== 'media_center_column') continue;
    const refs = Object.entries(config.credentials).filter((entry): entry is [string, SecretRef] => isSecretRef(entry[1]));
    const found = readNamedSecrets(
      refs.map(([, ref]) => ref.secret),
      sources,
    );
    for (const [key, ref] of refs) {
      if (found.has(ref.secret)) continue;
      missing.push({
        name: ref.secret,
        message:
          `Secret ${ref.secret} is not provided. It is needed by every ${config.platform} channel, credential ${key} ` +
          `(platforms.yaml: platforms.${config.platform}.credentials.${key}). ${provideSecretHint(ref.secret, sources.secretsFile)}`,
      });
    }
  }
  return missing;
}

/**
 * The value of a platform's secret credential (e.g. WeChat's eventToken) from the environment or
 * the secrets file; undefined when platforms.yaml names none or the secret is not provided.
 */
export function platformSecret(configs: PlatformConfigs, platform: Platform, key: string, sources: SecretSources): string | undefined {
  const ref = configs[platform]?.credentials[key];
  return isSecretRef(ref) ? readNamedSecrets([ref.secret], sources).get(ref.secret) : undefined;
}

/**
 * Why a platform's base URL cannot be used (undefined when it can). It is quoted back only with any
 * user name and password hidden, and one that carries them is refused: credentials go in the
 * secrets, and a URL is printed, logged and kept in delivery errors.
 */
function baseUrlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `expected an http(s) URL, got ${JSON.stringify(value)}`;
  switch (httpUrlProblem(value)) {
    case null:
      return /\s/.test(value) ? `expected an http(s) URL without spaces, got ${JSON.stringify(urlAsShown(value))}` : undefined;
    case 'control_character':
      return 'expected an http(s) URL, but the value holds a control character (a line break, a tab): write it on one line';
    case 'carries_credentials':
      return "the URL carries a user name or password (not shown here): give the platform's address alone, e.g. https://api.weixin.qq.com, and its credentials as secrets (accounts.yaml, platforms.yaml credentials)";
    default:
      return `expected an http(s) URL, got ${JSON.stringify(urlAsShown(value))}`;
  }
}
