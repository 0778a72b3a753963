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
import { platformSecretNames, type PlatformConfigs } from '../config/platforms.js';
import type { Registry } from '../domain/registry.js';
import { writeRuntimeRecord } from './runtime-files.js';
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
    fs.mkdirSync(dataDir, { recursive: true });
    const header = '# Development secrets for the local simulators (govpub start). Not real credentials.\n';
    fs.writeFileSync(file, header + stringify(existing), { mode: 0o600 });
  }
  return file;
}

/** The user id a simulator gives an account (open_id / uid), so its posts can be traced back to the channel. */
export function simulatedOpenId(platform: string, accountId: string): string {
  return `${platform}-${accountId}`;
}

/** Simulator options that accept exactly the accounts' (development) credentials and tokens. */
export function simulatorOptionsFor(registry: Registry, platforms: PlatformConfigs, secrets: SecretSources): Partial<SimulatorOptionsByKind> {
  const names = [...new Set([...collectSecretRefs(registry).map((u) => u.secret), ...platformSecretNames(platforms)])];
  const values = readNamedSecrets(names, secrets);
  const value = (ref: unknown) => (typeof ref === 'string' ? ref : (values.get((ref as { secret: string }).secret) ?? ''));
  const credentials: Record<string, Record<string, string>> = {};
  const add = (kind: string, id: string, secret: string) => {
    if (id && secret) (credentials[kind] ??= {})[id] = secret;
  };
  const weiboTokens: NonNullable<SimulatorOptionsByKind['weibo']['accessTokens']> = {};
  const douyinRefresh: NonNullable<SimulatorOptionsByKind['douyin']['refreshTokens']> = {};
  const bilibiliRefresh: NonNullable<SimulatorOptionsByKind['bilibili']['refreshTokens']> = {};
  const kuaishouRefresh: NonNullable<SimulatorOptionsByKind['kuaishou']['refreshTokens']> = {};
  for (const account of registry.accounts) {
    if (account.publishing !== 'api') continue;
    const c = account.credentials;
    switch (account.platform) {
      case 'wechat_oa':
        add('wechat_oa', value(c.appId), value(c.appSecret));
        break;
      case 'weibo':
        add('weibo', value(c.appKey), value(c.appSecret));
        if (value(c.accessToken)) weiboTokens[value(c.accessToken)] = { appKey: value(c.appKey), uid: simulatedOpenId(account.platform, account.id) };
        break;
      case 'douyin':
        add('douyin', value(c.clientKey), value(c.clientSecret));
        if (value(c.refreshToken))
          douyinRefresh[value(c.refreshToken)] = { clientKey: value(c.clientKey), openId: simulatedOpenId(account.platform, account.id) };
        break;
      case 'bilibili':
        add('bilibili', value(c.clientId), value(c.clientSecret));
        if (value(c.refreshToken))
          bilibiliRefresh[value(c.refreshToken)] = { clientId: value(c.clientId), openId: simulatedOpenId(account.platform, account.id) };
        break;
      case 'kuaishou':
        add('kuaishou', value(c.appId), value(c.appSecret));
        if (value(c.refreshToken)) kuaishouRefresh[value(c.refreshToken)] = { appId: value(c.appId), openId: simulatedOpenId(account.platform, account.id) };
        break;
      default:
        break;
    }
  }
  for (const system of ['news_site', 'media_app'] as const) {
    const c = platforms[system].credentials;
    add(system, value(c.clientId), value(c.clientSecret));
  }
  const columns = (system: 'news_site' | 'media_app') =>
    registry.mediaCenter.columns.filter((c) => c.system === system).map((c) => ({ id: c.id, name: c.name }));
  return {
    wechat_oa: { credentials: credentials.wechat_oa },
    weibo: { credentials: credentials.weibo, accessTokens: weiboTokens },
    douyin: { credentials: credentials.douyin, refreshTokens: douyinRefresh },
    bilibili: { credentials: credentials.bilibili, refreshTokens: bilibiliRefresh },
    kuaishou: { credentials: credentials.kuaishou, refreshTokens: kuaishouRefresh },
    news_site: { credentials: credentials.news_site, columns: columns('news_site') },
    media_app: { credentials: credentials.media_app, columns: columns('media_app') },
  } as Partial<SimulatorOptionsByKind>;
}

export async function startLocalSimulators(options: {
  dataDir: string;
  basePort: number;
  registry: Registry;
  platforms: PlatformConfigs;
  secrets: SecretSources;
  publishDelayMs?: number;
}): Promise<AllSimulators> {
  const { startAllSimulators } = await import('../simulators/index.js');
  const all = await startAllSimulators({
    basePort: options.basePort,
    publishDelayMs: options.publishDelayMs ?? 1500,
    options: simulatorOptionsFor(options.registry, options.platforms, options.secrets),
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
