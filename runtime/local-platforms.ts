/**
 * The all-in-one start publishes to local simulators of every platform, so a new user sees
 * deliveries happen without real accounts: random development secrets are written once under
 * the data directory, the simulators accept exactly those, and their URLs are recorded for other
 * local processes (a separately started `govpub worker`). Production never runs this.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { collectSecretRefs, readNamedSecrets, type SecretSources } from '../config/secrets.js';
import { platformSecret, platformSecretNames, type PlatformConfigs } from '../config/platforms.js';
import { SIMULATED_PLATFORMS, declarationOf } from '../adapters/declarations.js';
import type { Registry } from '../domain/registry.js';
import { WECHAT_EVENT_TOKEN_CREDENTIAL } from '../adapters/wechat-oa/events.js';
import { writeRuntimeRecord } from './runtime-files.js';
import { makeDataDir } from '../config/data-dir.js';
import type { AllSimulators, SimulatorKind, SimulatorOptionsByKind } from '../simulators/index.js';

export function simulatorsRuntimeFile(dataDir: string): string {
  return path.join(dataDir, 'run', 'simulators.json');
}

export function devSecretsFile(dataDir: string): string {
  return path.join(dataDir, 'dev-secrets.yaml');
}

/** Every secret the registry and platforms.yaml name, with a random value; kept across restarts. */
export function ensureDevSecrets(dataDir: string, registry: Registry, platforms: PlatformConfigs): string {
  const file = devSecretsFile(dataDir);
  const existing: Record<string, string> = fs.existsSync(file) ? ((parse(fs.readFileSync(file, 'utf8')) as Record<string, string> | null) ?? {}) : {};
  const names = [...new Set([...collectSecretRefs(registry).map((u) => u.secret), ...platformSecretNames(platforms)])];
  let changed = false;
  for (const name of names) {
    if (!existing[name]) {
      existing[name] = `dev-${randomBytes(12).toString('hex')}`;
      changed = true;
    }
  }
  if (changed || !fs.existsSync(file)) {
    makeDataDir(dataDir);
    const header = '# Development secrets for the local simulators (govpub start). Not real credentials.\n';
    fs.writeFileSync(file, header + stringify(existing), { mode: 0o600 });
  }
  return file;
}

/** The user id a simulator gives an account (open_id / uid), so its posts can be traced back to the channel. */
export function simulatedOpenId(platform: string, accountId: string): string {
  return `${platform}-${accountId}`;
}

/**
 * Simulator options that accept exactly the accounts' (development) credentials and tokens: each
 * simulated platform's declaration names its credentials (client id, secret, token); accounts
 * give them in accounts.yaml, the media center's systems in platforms.yaml.
 */
export function simulatorOptionsFor(registry: Registry, platforms: PlatformConfigs, secrets: SecretSources): Partial<SimulatorOptionsByKind> {
  const names = [...new Set([...collectSecretRefs(registry).map((u) => u.secret), ...platformSecretNames(platforms)])];
  const values = readNamedSecrets(names, secrets);
  const value = (ref: unknown) => (typeof ref === 'string' ? ref : (values.get((ref as { secret: string }).secret) ?? ''));
  const options: Record<string, { credentials?: Record<string, string>; accessTokens?: object; refreshTokens?: object; columns?: object }> = {};
  for (const kind of SIMULATED_PLATFORMS) {
    const declared = declarationOf(kind);
    const keys = declared.credentials!;
    const credentials: Record<string, string> = {};
    const tokens: Record<string, Record<string, string>> = {};
    const givers =
      declared.channelKind === 'media_center_column'
        ? [{ credentials: platforms[kind].credentials, openId: '' }]
        : registry.accounts
            .filter((a) => a.platform === kind && a.publishing === 'api')
            .map((a) => ({ credentials: a.credentials, openId: simulatedOpenId(kind, a.id) }));
    for (const giver of givers) {
      const id = value(giver.credentials[keys.id]);
      const secret = value(giver.credentials[keys.secret]);
      if (id && secret) credentials[id] = secret;
      const token = keys.token && value(giver.credentials[keys.token]);
      // Weibo's simulator knows an access token's user as `uid`; the OAuth platforms know a refresh token's as `openId`.
      if (token) tokens[token] = { [keys.id]: id, [keys.token === 'accessToken' ? 'uid' : 'openId']: giver.openId };
    }
    options[kind] = { credentials: Object.keys(credentials).length > 0 ? credentials : undefined };
    if (keys.token) options[kind][keys.token === 'accessToken' ? 'accessTokens' : 'refreshTokens'] = tokens;
    if (declared.channelKind === 'media_center_column') {
      options[kind].columns = registry.mediaCenter.columns.filter((c) => c.system === kind).map((c) => ({ id: c.id, name: c.name }));
    }
  }
  return options as Partial<SimulatorOptionsByKind>;
}

export async function startLocalSimulators(options: {
  dataDir: string;
  basePort: number;
  /** Where basePort came from, named when one of its ports is in use. */
  basePortSetting: string;
  registry: Registry;
  platforms: PlatformConfigs;
  secrets: SecretSources;
  publishDelayMs?: number;
  /** The local API's address: the WeChat simulator pushes publishing results there, as WeChat pushes to an account's server URL. */
  eventsBaseUrl?: string;
}): Promise<AllSimulators> {
  const { startAllSimulators } = await import('../simulators/index.js');
  const simulated = simulatorOptionsFor(options.registry, options.platforms, options.secrets);
  if (options.eventsBaseUrl) {
    const pushes = wechatEventPushes(options.registry, options.platforms, options.secrets, options.eventsBaseUrl);
    if (pushes) simulated.wechat_oa = { ...simulated.wechat_oa, eventPushes: pushes };
  }
  const all = await startAllSimulators({
    basePort: options.basePort,
    basePortSetting: options.basePortSetting,
    publishDelayMs: options.publishDelayMs ?? 1500,
    options: simulated,
  });
  const file = simulatorsRuntimeFile(options.dataDir);
  writeRuntimeRecord(file, { pid: process.pid, urls: all.urls });
  const close = all.close;
  all.close = async () => {
    await close();
    fs.rmSync(file, { force: true });
  };
  return all;
}

/**
 * Each WeChat account's server configuration as the simulator should push to it: the account's URL
 * on the local API and the Token platforms.yaml names (undefined when no Token is configured).
 */
export function wechatEventPushes(registry: Registry, platforms: PlatformConfigs, secrets: SecretSources, baseUrl: string) {
  const token = platformSecret(platforms, 'wechat_oa', WECHAT_EVENT_TOKEN_CREDENTIAL, secrets);
  if (!token) return undefined;
  const pushes: Record<string, { url: string; token: string }> = {};
  for (const account of registry.accounts.filter((a) => a.platform === 'wechat_oa' && a.publishing === 'api')) {
    const appId = account.credentials.appId;
    if (typeof appId === 'string') pushes[appId] = { url: `${baseUrl.replace(/\/+$/, '')}/api/platform-events/wechat-oa/${account.id}`, token };
  }
  return pushes;
}

/** URLs of the simulators a running `govpub start` recorded, if that process is alive. */
export function readSimulatorUrls(dataDir: string): Partial<Record<SimulatorKind, string>> | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(simulatorsRuntimeFile(dataDir), 'utf8')) as { pid: number; urls: Record<SimulatorKind, string> };
    process.kill(record.pid, 0);
    return record.urls;
  } catch {
    return undefined;
  }
}
