/**
 * Process settings from the environment. One place documents every variable (see README
 * "Configuration"); everything else receives a `Settings` object instead of reading process.env.
 */
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { GovpubError } from '../domain/errors.js';
import { loadComplianceSettings, type ComplianceSettings } from './compliance-settings.js';
import { httpUrlProblem, urlAsShown } from './http-url.js';
import { REPO_ROOT } from './repo-paths.js';

export interface TemporalSettings {
  /** host:port of the Temporal frontend; unset in the all-in-one start means "run a dev server". */
  address: string | undefined;
  namespace: string;
  taskQueue: string;
  /** mTLS client certificate and key (PEM files) for a self-hosted cluster or Temporal Cloud. */
  tlsCertPath?: string;
  tlsKeyPath?: string;
  /** CA bundle for the server certificate, when it is not publicly trusted. */
  tlsCaPath?: string;
  tlsServerName?: string;
  /** Temporal Cloud API key; implies TLS. Never logged. */
  apiKey?: string;
  /** Ports of the local dev server started by `govpub start`. */
  devServerPort: number;
  devUiPort: number;
  /** A prebuilt workflow bundle (from `govpub bundle`); when unset the worker bundles at start. */
  workflowBundlePath?: string;
}

export interface Settings {
  /** Repository root: where config/ and the sources live. */
  rootDir: string;
  dataDir: string;
  cacheDir: string;
  configDir: string;
  apiPort: number;
  apiHost: string;
  /** Public base URL of the API, used in links the system prints. */
  publicBaseUrl: string;
  databaseUrl: string | undefined;
  /** Port the embedded PGlite is served on to other processes (0 = any free port). */
  pglitePort: number;
  /**
   * GOVPUB_PGLITE_IDLE_TX_TIMEOUT (seconds, default 60, 0 = never): a client holding the embedded
   * database's one session idle in a transaction is rolled back and disconnected after this long.
   */
  pgliteIdleTxTimeoutSec: number;
  temporal: TemporalSettings;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Content-addressed media store (originals, renditions, their records): GOVPUB_MEDIA_DIR. */
  mediaDir: string;
  /** The portal's web root (generations + `current`): GOVPUB_PORTAL_ROOT. */
  portalRoot: string;
  /** Public base URL of the portal pages: GOVPUB_PORTAL_URL (default <public URL>/portal). */
  portalUrl: string;
  /** Run the platform simulators in `govpub start` (GOVPUB_SIMULATORS=off to use real platforms). */
  simulators: boolean;
  /** First port of the simulators in `govpub start` (GOVPUB_SIMULATOR_PORT, default 7301). */
  simulatorBasePort: number;
  /** Upload limits per kind in bytes (GOVPUB_MEDIA_LIMITS); kinds not given keep media/probe.ts defaults. */
  mediaUploadLimits: Partial<Record<UploadKind, number>>;
  /**
   * GOVPUB_MEDIA_CONCURRENCY: rendition jobs a worker process runs at once on its media queue
   * (default: three per core, from 4 to 16). Transcodes within them are limited to half the cores
   * (at least 2) whatever this says (media/transcode-slots.ts).
   */
  mediaConcurrency: number;
  /**
   * GOVPUB_API_COMMANDS_AT_ONCE: package and delivery commands an API process runs at once; more
   * wait, review decisions and operators' actions first (api/admission.ts). Default: one per core,
   * at least 2 (defaultApiCommandsAtOnce).
   */
  apiCommandsAtOnce: number;
  /** GOVPUB_API_COMMAND_WAIT_SEC: a command waiting longer for its turn is refused with 503 `api_busy` (default 30). */
  apiCommandWaitSec: number;
  /** The compliance monitor's schedules, probes and notices (config/compliance-settings.ts). */
  compliance: ComplianceSettings;
  /**
   * GOVPUB_WORKER_METRICS_ADDRESS (`ip:port`): a worker process serves its Prometheus metrics at
   * http://<address>/metrics (the Temporal SDK's own and govpub's); unset = no endpoint.
   */
  workerMetricsAddress: string | undefined;
  /** GOVPUB_METRICS_TOKEN: when set, the API's GET /metrics wants `Authorization: Bearer <token>`. Never logged. */
  metricsToken: string | undefined;
}

/** The repository (from the sources, dist/ or bin/compiled-sources.mjs's copy alike). */
export const ROOT_DIR = REPO_ROOT;

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  // Decimal digits only: Number() also reads 0x50, 1e3, 80.0 and ' 80 ' as ports.
  const value = /^[0-9]{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new GovpubError('setting_invalid', `${name}=${raw} is not a valid port number (0-65535). Fix or unset ${name}.`);
  }
  return value;
}

/**
 * The task queue's name: the platforms' and media's queues are named after it, and `packages
 * repair` finds its workflows by it in a visibility query, so it is a plain name.
 */
function taskQueueFrom(env: NodeJS.ProcessEnv): string {
  const raw = nonEmpty(env.GOVPUB_TASK_QUEUE);
  if (raw === undefined) return 'govpub';
  if (!/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/.test(raw)) {
    throw new GovpubError(
      'setting_invalid',
      `GOVPUB_TASK_QUEUE=${JSON.stringify(raw)} is not a task queue name: use letters, digits and . _ : / - (up to 200, starting with a letter or digit). Fix or unset GOVPUB_TASK_QUEUE (default govpub).`,
    );
  }
  return raw;
}

/** A count of things at once: a whole number from 1 to `max`. */
function countFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > max) {
    throw new GovpubError('setting_invalid', `${name}=${raw} is not a whole number from 1 to ${max}. Fix or unset ${name} (default ${fallback} here).`);
  }
  return value;
}

/**
 * Commands an API process runs at once: one per core, at least 2. Measured on 2 cores (issue 14):
 * the machine moved as many deliveries a second with 2 clients as with 10, while approval →
 * released fell from p95 10–19 s to 1.3 s for a portal package, so more at once only adds waiting.
 * An API on its own host, waiting mostly for Temporal, can take more (GOVPUB_API_COMMANDS_AT_ONCE).
 */
export function defaultApiCommandsAtOnce(cores = os.availableParallelism()): number {
  return Math.max(2, cores);
}

/**
 * Rendition jobs at once on a worker's media queue: three per core, from 4 to 16. An image job
 * spends most of its time waiting (event loop, store, thread pool), so two at a time left a year's
 * pace of releases queued for minutes (issue 14); transcodes have their own, narrower gate. Beyond
 * 16, jobs would only wait for sharp's threads while holding memory.
 */
export function defaultMediaJobSlots(cores = os.availableParallelism()): number {
  return Math.min(16, Math.max(4, 3 * cores));
}

function secondsFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new GovpubError('setting_invalid', `${name}=${raw} is not a number of seconds (0 or more). Fix or unset ${name}.`);
  }
  return value;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12 };

/** The kinds an upload limit can be set for (media/probe.ts MediaKind). */
type UploadKind = 'image' | 'audio' | 'video' | 'document' | 'captions';

/** `image=50MB,audio=200MB,video=4GB,document=50MB,captions=2MB` (decimal units, any subset) → bytes per kind. */
export function parseMediaLimits(raw: string | undefined): Partial<Record<UploadKind, number>> {
  const limits: Partial<Record<UploadKind, number>> = {};
  if (raw === undefined || raw.trim() === '') return limits;
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(image|audio|video|document|captions)\s*=\s*(\d+(?:\.\d+)?)\s*([kmgt]?b?)$/i.exec(part);
    const bytes = m ? Math.round(Number(m[2]) * SIZE_UNITS[m[3]!.toLowerCase().replace(/^([kmgt])$/, '$1b')]!) : NaN;
    if (!m || !Number.isFinite(bytes) || bytes <= 0) {
      throw new GovpubError(
        'setting_invalid',
        `GOVPUB_MEDIA_LIMITS: "${part}" is not <kind>=<size>; write e.g. image=50MB,audio=200MB,video=4GB,document=50MB (kinds: image, audio, video, document, captions; units B, KB, MB, GB, decimal).`,
      );
    }
    limits[m[1]!.toLowerCase() as UploadKind] = bytes;
  }
  return limits;
}

/**
 * `ip:port` for a listening socket: the SDK's exporter binds a socket address, so the host is an
 * IP literal (IPv6 in brackets), not a name, and the port is fixed (a scrape target must be known).
 */
export function parseListenAddress(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const match = /^(\[([^\]]+)\]|[^:[\]]+):(\d{1,5})$/.exec(raw);
  const host = match ? (match[2] ?? match[1]!) : '';
  const port = match ? Number(match[3]) : NaN;
  const family = match ? isIP(host) : 0;
  if (!match || family === 0 || (family === 6) !== (match[2] !== undefined) || port < 1 || port > 65535) {
    throw new GovpubError(
      'setting_invalid',
      `${name}=${raw} is not an address to listen on: write <IP address>:<port 1-65535>, e.g. 127.0.0.1:9464, 0.0.0.0:9464 or [::1]:9464 (an IP address, not a host name). Fix or unset ${name}.`,
    );
  }
  return family === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A bearer token for the metrics endpoint: long enough not to be guessed, and sendable in a header. */
function metricsTokenFrom(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.GOVPUB_METRICS_TOKEN;
  if (raw === undefined || raw === '') return undefined;
  if (!/^[A-Za-z0-9._~+/=-]{16,512}$/.test(raw)) {
    throw new GovpubError(
      'setting_invalid',
      `GOVPUB_METRICS_TOKEN is not usable as a bearer token (${raw.length} characters): give 16 to 512 characters of A-Z a-z 0-9 . _ ~ + / = - (e.g. \`openssl rand -hex 32\`), or unset it to leave /metrics open.`,
    );
  }
  return raw;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * The API as the other processes on this host reach it: a wildcard listen address (HOST=0.0.0.0 or
 * ::) is reached on loopback, an IPv6 one in brackets.
 */
/**
 * DATABASE_URL, refused when it names another database than PostgreSQL (mysql://…): the driver
 * would otherwise try it as PostgreSQL and report the host unreachable. Only the scheme is
 * echoed, since the URL may hold a password.
 */
function databaseUrlFrom(env: NodeJS.ProcessEnv): string | undefined {
  const raw = nonEmpty(env.DATABASE_URL);
  if (!raw) return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1]?.toLowerCase();
  if (scheme && !['postgres', 'postgresql', 'socket'].includes(scheme)) {
    throw new GovpubError(
      'setting_invalid',
      `DATABASE_URL is a ${scheme}: URL; govpub needs PostgreSQL, e.g. postgres://govpub@db.internal:5432/govpub. Fix it, or unset DATABASE_URL to use the embedded database.`,
    );
  }
  return raw;
}

/**
 * GOVPUB_PUBLIC_URL / GOVPUB_PORTAL_URL: the base of every address govpub gives out (links in
 * posts, the renditions the media center fetches, the console link in notices). Without a scheme
 * (www.beilin.gov.cn) each of them would be a relative path on the platforms' side, so it is refused
 * here rather than published; a trailing slash is dropped (it made `https://…//media/…`).
 */
function publicBaseFrom(env: NodeJS.ProcessEnv, name: string, example: string): string | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const problem = httpUrlProblem(raw);
  const shown = problem === 'control_character' || problem === 'carries_credentials' ? `${name}` : `${name}=${urlAsShown(raw)}`;
  const what =
    problem === 'control_character'
      ? 'holds a control character'
      : problem === 'carries_credentials'
        ? 'carries a user name or password, which every published link would show'
        : problem !== null
          ? 'is not an http(s) address'
          : /[?#]/.test(raw)
            ? 'has a query or fragment (?, #): give the base address only'
            : null;
  if (what !== null) {
    throw new GovpubError(
      'setting_invalid',
      `${shown} ${what}: give the address the public reaches it at, with its scheme, e.g. ${example}. Fix or unset ${name}.`,
      {},
      { zh: `${shown} 不可用：请填写公众访问的完整地址（含 http:// 或 https://），例如 ${example}；或删除 ${name} 使用默认值。` },
    );
  }
  return raw.replace(/\/+$/, '');
}

/**
 * GOVPUB_COOKIE_SECURE: "true" or "false". Anything else (1, yes, on) left the session cookie
 * without Secure behind HTTPS, silently; it is refused instead.
 */
function checkCookieSecure(env: NodeJS.ProcessEnv): void {
  const raw = nonEmpty(env.GOVPUB_COOKIE_SECURE);
  if (raw === undefined || /^(true|false)$/i.test(raw)) return;
  throw new GovpubError(
    'setting_invalid',
    `GOVPUB_COOKIE_SECURE=${raw} must be "true" (the console is served over HTTPS: the session cookie gets Secure) or "false". Fix or unset GOVPUB_COOKIE_SECURE.`,
  );
}

/**
 * GOVPUB_LINK_CHECK_ALLOW: `address:port` pairs the link check compares with the address it
 * resolved, so a host name (localhost:8080) or a pair without its port never matched anything.
 */
function checkLinkCheckAllow(env: NodeJS.ProcessEnv): void {
  for (const pair of (env.GOVPUB_LINK_CHECK_ALLOW ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    try {
      parseListenAddress({ GOVPUB_LINK_CHECK_ALLOW: pair }, 'GOVPUB_LINK_CHECK_ALLOW');
    } catch {
      throw new GovpubError(
        'setting_invalid',
        `GOVPUB_LINK_CHECK_ALLOW: "${pair}" is not <IP address>:<port>; write e.g. 127.0.0.1:8080,[::1]:9000 (addresses, not host names: the check compares the address a link resolves to). Fix or unset GOVPUB_LINK_CHECK_ALLOW.`,
      );
    }
  }
}

export function localApiUrl(settings: Pick<Settings, 'apiHost' | 'apiPort'>): string {
  const host = ['0.0.0.0', '::', ''].includes(settings.apiHost) ? '127.0.0.1' : settings.apiHost;
  return `http://${host.includes(':') ? `[${host}]` : host}:${settings.apiPort}`;
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const rootDir = ROOT_DIR;
  const dataDir = path.resolve(nonEmpty(env.GOVPUB_DATA_DIR) ?? path.join(process.cwd(), '.govpub'));
  const xdgCache = nonEmpty(env.XDG_CACHE_HOME) ?? path.join(os.homedir(), '.cache');
  const apiPort = intFrom(env, 'PORT', 8080);
  const apiHost = nonEmpty(env.HOST) ?? '127.0.0.1';
  const logLevel = (nonEmpty(env.GOVPUB_LOG_LEVEL) ?? 'warn') as Settings['logLevel'];
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new GovpubError(
      'setting_invalid',
      `GOVPUB_LOG_LEVEL=${logLevel} must be one of debug, info, warn, error.`,
      {},
      { zh: `GOVPUB_LOG_LEVEL=${logLevel} 应为 debug、info、warn、error 之一。` },
    );
  }
  // Without GOVPUB_PUBLIC_URL, the address this host reaches the API at (HOST=:: is no address to put in a link).
  const publicBaseUrl = publicBaseFrom(env, 'GOVPUB_PUBLIC_URL', 'https://www.beilin.gov.cn') ?? localApiUrl({ apiHost, apiPort });
  checkCookieSecure(env);
  checkLinkCheckAllow(env);
  const simulatorsSetting = (nonEmpty(env.GOVPUB_SIMULATORS) ?? 'on').toLowerCase();
  if (!['on', 'off'].includes(simulatorsSetting)) {
    throw new GovpubError('setting_invalid', `GOVPUB_SIMULATORS=${simulatorsSetting} must be "on" or "off".`);
  }
  return {
    rootDir,
    dataDir,
    cacheDir: path.resolve(nonEmpty(env.GOVPUB_CACHE_DIR) ?? path.join(xdgCache, 'govpub')),
    configDir: path.resolve(nonEmpty(env.GOVPUB_CONFIG_DIR) ?? path.join(rootDir, 'config')),
    apiPort,
    apiHost,
    publicBaseUrl,
    databaseUrl: databaseUrlFrom(env),
    pglitePort: intFrom(env, 'GOVPUB_PGLITE_PORT', 0),
    pgliteIdleTxTimeoutSec: secondsFrom(env, 'GOVPUB_PGLITE_IDLE_TX_TIMEOUT', 60),
    temporal: {
      address: nonEmpty(env.TEMPORAL_ADDRESS),
      namespace: nonEmpty(env.TEMPORAL_NAMESPACE) ?? 'default',
      taskQueue: taskQueueFrom(env),
      tlsCertPath: nonEmpty(env.TEMPORAL_TLS_CERT),
      tlsKeyPath: nonEmpty(env.TEMPORAL_TLS_KEY),
      tlsCaPath: nonEmpty(env.TEMPORAL_TLS_CA),
      tlsServerName: nonEmpty(env.TEMPORAL_TLS_SERVER_NAME),
      apiKey: nonEmpty(env.TEMPORAL_API_KEY),
      devServerPort: intFrom(env, 'GOVPUB_TEMPORAL_PORT', 7233),
      devUiPort: intFrom(env, 'GOVPUB_TEMPORAL_UI_PORT', 8233),
      workflowBundlePath: nonEmpty(env.GOVPUB_WORKFLOW_BUNDLE),
    },
    logLevel,
    mediaDir: path.resolve(nonEmpty(env.GOVPUB_MEDIA_DIR) ?? path.join(dataDir, 'media')),
    portalRoot: path.resolve(nonEmpty(env.GOVPUB_PORTAL_ROOT) ?? path.join(dataDir, 'portal')),
    portalUrl: publicBaseFrom(env, 'GOVPUB_PORTAL_URL', 'https://www.beilin.gov.cn/portal') ?? `${publicBaseUrl}/portal`,
    simulators: simulatorsSetting === 'on',
    simulatorBasePort: intFrom(env, 'GOVPUB_SIMULATOR_PORT', 7301),
    mediaUploadLimits: parseMediaLimits(env.GOVPUB_MEDIA_LIMITS),
    mediaConcurrency: countFrom(env, 'GOVPUB_MEDIA_CONCURRENCY', defaultMediaJobSlots(), 256),
    apiCommandsAtOnce: countFrom(env, 'GOVPUB_API_COMMANDS_AT_ONCE', defaultApiCommandsAtOnce(), 1024),
    apiCommandWaitSec: countFrom(env, 'GOVPUB_API_COMMAND_WAIT_SEC', 30, 50),
    compliance: loadComplianceSettings(env),
    workerMetricsAddress: parseListenAddress(env, 'GOVPUB_WORKER_METRICS_ADDRESS'),
    metricsToken: metricsTokenFrom(env),
  };
}
