/**
 * Environment variables that start with `GOVPUB_` but that govpub does not read: most likely a
 * mistyped setting (`GOVPUB_DATADIR=/srv/govpub npm start` silently used `./.govpub`). Each is
 * named once on stderr with the nearest setting; it is a warning, not a refusal, since nothing in
 * it is wrong for govpub, only ignored.
 */
import { nearestName } from './did-you-mean.js';

/** Every `GOVPUB_*` variable govpub, its tests and its benches read (README "Configuration", "Development"). */
export const GOVPUB_VARIABLES: readonly string[] = [
  'GOVPUB_API_COMMANDS_AT_ONCE',
  'GOVPUB_API_COMMAND_WAIT_SEC',
  'GOVPUB_API_URL',
  'GOVPUB_BENCH_DATABASE_URL',
  'GOVPUB_CACHE_DIR',
  'GOVPUB_COMPILED_SOURCES',
  'GOVPUB_COMPLIANCE_DAILY_AT',
  'GOVPUB_COMPLIANCE_SCHEDULES',
  'GOVPUB_COMPLIANCE_TIMEZONE',
  'GOVPUB_CONFIG_DIR',
  'GOVPUB_COOKIE_SECURE',
  'GOVPUB_DATA_DIR',
  'GOVPUB_DEBUG',
  'GOVPUB_FONT_PATH',
  'GOVPUB_LANG',
  'GOVPUB_LINK_CHECK_ALLOW',
  'GOVPUB_LOG_LEVEL',
  'GOVPUB_MEDIA_CONCURRENCY',
  'GOVPUB_MEDIA_DIR',
  'GOVPUB_MEDIA_LIMITS',
  'GOVPUB_METRICS_TOKEN',
  'GOVPUB_NOTIFY_WEBHOOK_SECRET',
  'GOVPUB_NOTIFY_WEBHOOK_TIMEOUT_MS',
  'GOVPUB_NOTIFY_WEBHOOK_UNIT_URLS',
  'GOVPUB_NOTIFY_WEBHOOK_URL',
  'GOVPUB_NO_PDEATHSIG',
  'GOVPUB_PGLITE_IDLE_TX_TIMEOUT',
  'GOVPUB_PGLITE_PORT',
  'GOVPUB_PG_BIN',
  'GOVPUB_PORTAL_ROOT',
  'GOVPUB_PORTAL_URL',
  'GOVPUB_PROBE_EVERY_MINUTES',
  'GOVPUB_PROBE_TIMEOUT_MS',
  'GOVPUB_PROBE_URLS',
  'GOVPUB_PROOF_FAULTS',
  'GOVPUB_PUBLIC_URL',
  'GOVPUB_SAVE_HISTORIES',
  'GOVPUB_SECRETS_FILE',
  'GOVPUB_SIMULATORS',
  'GOVPUB_SIMULATOR_PORT',
  'GOVPUB_SMTP_FROM',
  'GOVPUB_SMTP_HOST',
  'GOVPUB_SMTP_PASSWORD_SECRET',
  'GOVPUB_SMTP_PORT',
  'GOVPUB_SMTP_SECURE',
  'GOVPUB_SMTP_USER',
  'GOVPUB_TASK_QUEUE',
  'GOVPUB_TEMPORAL_PORT',
  'GOVPUB_TEMPORAL_UI_PORT',
  'GOVPUB_TEST_DATABASE_URL',
  'GOVPUB_TEST_SERVICES',
  'GOVPUB_TOKEN',
  'GOVPUB_WORDING_FILE',
  'GOVPUB_WORKER_METRICS_ADDRESS',
  'GOVPUB_WORKFLOW_BUNDLE',
];

export interface UnknownVariable {
  name: string;
  /** The setting it most likely misspells, when one is close. */
  near: string | undefined;
}

/**
 * The `GOVPUB_*` variables of `env` govpub does not read. `platforms` gives the platform ids whose
 * `GOVPUB_<PLATFORM>_BASE_URL` is a setting, `secrets` the secret names the configuration refers to
 * (a secret may be named GOVPUB_…; its variable is then read).
 */
export function unknownGovpubVariables(
  env: NodeJS.ProcessEnv,
  known: { platforms: readonly string[]; secrets?: Iterable<string> } = { platforms: [] },
): UnknownVariable[] {
  const settings = new Set([...GOVPUB_VARIABLES, ...known.platforms.map((p) => `GOVPUB_${p.toUpperCase()}_BASE_URL`), ...(known.secrets ?? [])]);
  // The secrets that GOVPUB_SMTP_PASSWORD_SECRET and GOVPUB_NOTIFY_WEBHOOK_SECRET name are read by that name.
  for (const named of [env.GOVPUB_SMTP_PASSWORD_SECRET, env.GOVPUB_NOTIFY_WEBHOOK_SECRET]) if (named?.trim()) settings.add(named.trim());
  return Object.keys(env)
    .filter((name) => name.toUpperCase().startsWith('GOVPUB_') && !settings.has(name))
    .sort()
    .map((name) => ({ name, near: nearestName(name.toUpperCase(), settings) }));
}

/**
 * Whether any `GOVPUB_*` variable is outside the static list: cheap, for every command's start; the
 * full check (`GOVPUB_<PLATFORM>_BASE_URL`, secrets named GOVPUB_…) reads the configuration.
 */
export function mayHaveUnknownGovpubVariables(env: NodeJS.ProcessEnv): boolean {
  return Object.keys(env).some((name) => name.toUpperCase().startsWith('GOVPUB_') && !GOVPUB_VARIABLES.includes(name));
}

/** The warning line for one, in English or Chinese. */
export function unknownVariableWarning(variable: UnknownVariable, zh: boolean): string {
  if (zh) {
    return `警告：环境变量 ${variable.name} 不是 govpub 的设置，不起作用${variable.near ? `（是否要设置 ${variable.near}？）` : ''}；可用的设置见 README“Configuration”。`;
  }
  return `warning: ${variable.name} is not a govpub setting, so it changes nothing${variable.near ? ` (did you mean ${variable.near}?)` : ''}; README "Configuration" lists the settings.`;
}
