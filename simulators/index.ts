/**
 * Entry points: start one simulator by kind, or all of them (tests, the all-in-one local start).
 */
import { MANUAL_ONLY_PLATFORMS } from '../domain/registry.js';
import { SIMULATOR_KINDS, type FaultRuleInput, type SimulatorHandle, type SimulatorKind } from './common.js';
import { startBilibiliSimulator, type BilibiliOptions } from './bilibili/index.js';
import { startDouyinSimulator, type DouyinOptions } from './douyin/index.js';
import { startKuaishouSimulator, type KuaishouOptions } from './kuaishou.js';
import { startMediaCenterSimulator, type MediaCenterOptions } from './media-center/index.js';
import { startWechatOaSimulator, type WechatOaOptions } from './wechat-oa/index.js';
import { startWeiboSimulator, type WeiboOptions } from './weibo.js';

export * from './common.js';
export { bilibiliSignHeaders, BILIBILI_LIMITS, BILIBILI_PARTITIONS, type BilibiliOptions } from './bilibili/index.js';
export { DOUYIN_LIMITS, type DouyinOptions } from './douyin/index.js';
export { KUAISHOU_LIMITS, KUAISHOU_RESULTS, type KuaishouOptions } from './kuaishou.js';
export { ARTICLE_KINDS, MEDIA_APP_COLUMNS, MEDIA_CENTER_LIMITS, NEWS_SITE_COLUMNS, type MediaCenterOptions, type MediaColumn } from './media-center/index.js';
export { WECHAT_LIMITS, type WechatOaOptions } from './wechat-oa/index.js';
export { WEIBO_LIMITS, weiboTextLength, type WeiboOptions } from './weibo.js';

export interface SimulatorOptionsByKind {
  wechat_oa: WechatOaOptions;
  weibo: WeiboOptions;
  douyin: DouyinOptions;
  bilibili: BilibiliOptions;
  kuaishou: KuaishouOptions;
  news_site: MediaCenterOptions;
  media_app: MediaCenterOptions;
}

/** Channels with no public publishing API: manual hand-off, no simulator. */
export const MANUAL_HANDOFF_CHANNELS = MANUAL_ONLY_PLATFORMS;

export function startSimulator<K extends SimulatorKind>(
  kind: K,
  options: SimulatorOptionsByKind[K] = {} as SimulatorOptionsByKind[K],
): Promise<SimulatorHandle> {
  switch (kind) {
    case 'wechat_oa':
      return startWechatOaSimulator(options as WechatOaOptions) as Promise<SimulatorHandle>;
    case 'weibo':
      return startWeiboSimulator(options as WeiboOptions) as Promise<SimulatorHandle>;
    case 'douyin':
      return startDouyinSimulator(options as DouyinOptions) as Promise<SimulatorHandle>;
    case 'bilibili':
      return startBilibiliSimulator(options as BilibiliOptions) as Promise<SimulatorHandle>;
    case 'kuaishou':
      return startKuaishouSimulator(options as KuaishouOptions) as Promise<SimulatorHandle>;
    case 'news_site':
    case 'media_app':
      return startMediaCenterSimulator(kind, options as MediaCenterOptions) as Promise<SimulatorHandle>;
    default:
      throw new Error(`Unknown simulator kind "${String(kind)}"; known kinds: ${SIMULATOR_KINDS.join(', ')}.`);
  }
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
        if (err.code === 'EADDRINUSE') {
          throw new Error(
            `Cannot start the ${kind} simulator: port ${opts.port} is in use. Choose another base port (ports ${options.basePort}..${(options.basePort ?? 0) + SIMULATOR_KINDS.length - 1} are needed) or stop the process holding it.`,
          );
        }
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
