/**
 * Process settings from the environment. One place documents every variable (see README
 * "Configuration"); everything else receives a `Settings` object instead of reading process.env.
 */
import os from 'node:os';
import path from 'node:path';
import { GovpubError } from '../domain/errors.js';

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
  temporal: TemporalSettings;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export const ROOT_DIR = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new GovpubError('setting_invalid', `${name}=${raw} is not a valid port number (0-65535). Fix or unset ${name}.`);
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const rootDir = ROOT_DIR;
  const dataDir = path.resolve(nonEmpty(env.GOVPUB_DATA_DIR) ?? path.join(process.cwd(), '.govpub'));
  const xdgCache = nonEmpty(env.XDG_CACHE_HOME) ?? path.join(os.homedir(), '.cache');
  const apiPort = intFrom(env, 'PORT', 8080);
  const apiHost = nonEmpty(env.HOST) ?? '127.0.0.1';
  const logLevel = (nonEmpty(env.GOVPUB_LOG_LEVEL) ?? 'info') as Settings['logLevel'];
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new GovpubError('setting_invalid', `GOVPUB_LOG_LEVEL=${logLevel} must be one of debug, info, warn, error.`);
  }
  return {
    rootDir,
    dataDir,
    cacheDir: path.resolve(nonEmpty(env.GOVPUB_CACHE_DIR) ?? path.join(xdgCache, 'govpub')),
    configDir: path.resolve(nonEmpty(env.GOVPUB_CONFIG_DIR) ?? path.join(rootDir, 'config')),
    apiPort,
    apiHost,
    publicBaseUrl: nonEmpty(env.GOVPUB_PUBLIC_URL) ?? `http://${apiHost === '0.0.0.0' ? '127.0.0.1' : apiHost}:${apiPort}`,
    databaseUrl: nonEmpty(env.DATABASE_URL),
    pglitePort: intFrom(env, 'GOVPUB_PGLITE_PORT', 0),
    temporal: {
      address: nonEmpty(env.TEMPORAL_ADDRESS),
      namespace: nonEmpty(env.TEMPORAL_NAMESPACE) ?? 'default',
      taskQueue: nonEmpty(env.GOVPUB_TASK_QUEUE) ?? 'govpub',
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
  };
}
