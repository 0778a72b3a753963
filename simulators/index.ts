/**
 * Entry points: start one simulator by kind, or all of them (tests, the all-in-one local start).
 */
import { MANUAL_ONLY_PLATFORMS } from '../domain/registry.js';
import { simulatorPortInUse } from './port-in-use.js';
import { SIMULATOR_KINDS, type FaultRuleInput, type SimulatorHandle, type SimulatorKind } from './common.js';
import { startBilibiliSimulator } from './bilibili/index.js';
import { startDouyinSimulator } from './douyin/index.js';
import { startKuaishouSimulator } from './kuaishou.js';
import { startMediaCenterSimulator, type MediaCenterOptions } from './media-center/index.js';
import { startWechatOaSimulator } from './wechat-oa/index.js';
import { startWeiboSimulator } from './weibo.js';

export * from './common.js';
export { bilibiliSignHeaders, BILIBILI_LIMITS, BILIBILI_PARTITIONS, type BilibiliOptions } from './bilibili/index.js';
export { DOUYIN_LIMITS, type DouyinOptions } from './douyin/index.js';
export { KUAISHOU_LIMITS, KUAISHOU_RESULTS, type KuaishouOptions } from './kuaishou.js';
export { ARTICLE_KINDS, MEDIA_APP_COLUMNS, MEDIA_CENTER_LIMITS, NEWS_SITE_COLUMNS, type MediaCenterOptions, type MediaColumn } from './media-center/index.js';
export { WECHAT_LIMITS, type WechatOaOptions } from './wechat-oa/index.js';
export { WEIBO_LIMITS, weiboTextLength, type WeiboOptions } from './weibo.js';

/**
 * Which simulator serves each simulated platform (a declaration with `simulator`, see
 * adapters/declarations.ts). Checked against SimulatedPlatform: a platform declared as simulated
 * without a simulator here is a compile error naming it.
 */
const SIMULATOR_STARTERS = {
  wechat_oa: startWechatOaSimulator,
  weibo: startWeiboSimulator,
  douyin: startDouyinSimulator,
  bilibili: startBilibiliSimulator,
  kuaishou: startKuaishouSimulator,
  news_site: (options: MediaCenterOptions) => startMediaCenterSimulator('news_site', options),
  media_app: (options: MediaCenterOptions) => startMediaCenterSimulator('media_app', options),
} satisfies { [K in SimulatorKind]: (options: never) => Promise<unknown> };

/** The options each simulator takes. */
export type SimulatorOptionsByKind = { [K in SimulatorKind]: NonNullable<Parameters<(typeof SIMULATOR_STARTERS)[K]>[0]> };

/** Channels with no public publishing API: manual hand-off, no simulator. */
export const MANUAL_HANDOFF_CHANNELS = MANUAL_ONLY_PLATFORMS;

export function startSimulator<K extends SimulatorKind>(
  kind: K,
  options: SimulatorOptionsByKind[K] = {} as SimulatorOptionsByKind[K],
): Promise<SimulatorHandle> {
  const start = SIMULATOR_STARTERS[kind] as ((options: SimulatorOptionsByKind[K]) => Promise<SimulatorHandle>) | undefined;
  if (!start) throw new Error(`Unknown simulator kind "${String(kind)}"; known kinds: ${SIMULATOR_KINDS.join(', ')}.`);
  return start(options);
}

export interface StartAllOptions {
  /** First port; kinds get basePort + their index in SIMULATOR_KINDS. Default (or 0): ephemeral ports. */
  basePort?: number;
  host?: string;
  /** Seed of every simulator's fault RNG (each kind gets seed + its index). */
  seed?: number;
  /** Fault rules per kind, or one list applied to every kind. */
  faults?: Partial<Record<SimulatorKind, FaultRuleInput[]>> | FaultRuleInput[];
  /** Accepted credentials per kind ({ appId: secret }); default: any non-empty secret. */
  credentials?: Partial<Record<SimulatorKind, Record<string, string>>>;
  publishDelayMs?: number;
  /** Further options per kind (override the above). */
  options?: Partial<SimulatorOptionsByKind>;
  /** Start only these kinds (default: all). */
  kinds?: SimulatorKind[];
  /** The setting that chose basePort, named when a port is in use (`GOVPUB_SIMULATOR_PORT`, `--base-port`). */
  basePortSetting?: string;
}

export interface AllSimulators {
  urls: Record<SimulatorKind, string>;
  simulators: Record<SimulatorKind, SimulatorHandle>;
  close(): Promise<void>;
}

export async function startAllSimulators(options: StartAllOptions = {}): Promise<AllSimulators> {
  const kinds = options.kinds ?? [...SIMULATOR_KINDS];
  const started: SimulatorHandle[] = [];
  const simulators = {} as Record<SimulatorKind, SimulatorHandle>;
  const urls = {} as Record<SimulatorKind, string>;
  try {
    for (const kind of kinds) {
      const index = SIMULATOR_KINDS.indexOf(kind);
      const faults = Array.isArray(options.faults) ? options.faults : options.faults?.[kind];
      const opts = {
        host: options.host,
        port: !options.basePort ? 0 : options.basePort + index,
        seed: (options.seed ?? 1) + index,
        faults,
        credentials: options.credentials?.[kind],
        publishDelayMs: options.publishDelayMs,
        ...(options.options?.[kind] ?? {}),
      };
      let handle: SimulatorHandle;
      try {
        handle = await startSimulator(kind, opts);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'EADDRINUSE') throw simulatorPortInUse(kind, opts.port, options.basePort ?? 0, options.basePortSetting ?? 'the base port');
        throw e;
      }
      started.push(handle);
      simulators[kind] = handle;
      urls[kind] = handle.url;
    }
  } catch (e) {
    await Promise.allSettled(started.map((s) => s.close()));
    throw e;
  }
  return {
    urls,
    simulators,
    close: async () => {
      await Promise.allSettled(started.map((s) => s.close()));
    },
  };
}
