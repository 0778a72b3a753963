// The index of platform declarations: every list of platforms in govpub is derived from this one.
/*
 * A new platform is its folder (adapters/<platform>/declaration.ts, and for an API platform its
 * adapter and simulator) plus one line here. The order is the order platforms are listed in
 * (errors, the API's enums, the rendition specs). Pure: domain and workflow code import it.
 */
import { bilibiliDeclaration } from './bilibili/declaration.js';
import { douyinDeclaration } from './douyin/declaration.js';
import { kuaishouDeclaration } from './kuaishou/declaration.js';
import { mediaAppDeclaration, newsSiteDeclaration } from './media-center/declaration.js';
import { portalDeclaration } from './portal/declaration.js';
import { toutiaoDeclaration } from './toutiao/declaration.js';
import { wechatChannelsDeclaration } from './wechat-channels/declaration.js';
import { wechatOaDeclaration } from './wechat-oa/declaration.js';
import { weiboDeclaration } from './weibo/declaration.js';
import { xiaohongshuDeclaration } from './xiaohongshu/declaration.js';
import type { PlatformDeclaration } from './platform-declaration.js';

export const PLATFORM_DECLARATIONS = [
  portalDeclaration,
  wechatOaDeclaration,
  weiboDeclaration,
  douyinDeclaration,
  toutiaoDeclaration,
  kuaishouDeclaration,
  bilibiliDeclaration,
  wechatChannelsDeclaration,
  xiaohongshuDeclaration,
  newsSiteDeclaration,
  mediaAppDeclaration,
] as const;

export type DeclaredPlatform = (typeof PLATFORM_DECLARATIONS)[number];
/** The platforms whose declarations match `T` (e.g. `{ publishing: 'manual' }`). */
export type PlatformsWhere<T> = Extract<DeclaredPlatform, T>['id'];

/** The declaration of a platform id. */
export function declarationOf(platform: DeclaredPlatform['id']): PlatformDeclaration {
  const found = PLATFORM_DECLARATIONS.find((d) => d.id === platform);
  if (!found) throw new Error(`No declaration for platform "${platform}"`);
  return found;
}

/** The ids of the platforms whose declarations pass `test`, in index order. */
export function platformsWhere<T extends DeclaredPlatform>(test: (d: DeclaredPlatform) => d is T): T['id'][] {
  return PLATFORM_DECLARATIONS.filter(test).map((d) => d.id);
}

/** Platforms whose status queries can share one sweep (declared `statusSweep`), in index order. */
export const STATUS_SWEEP_PLATFORMS: readonly string[] = PLATFORM_DECLARATIONS.flatMap((d) => ('statusSweep' in d && d.statusSweep ? [d.id] : []));

/** The credential that lets a platform push its results (declared `pushCredential`), by platform. */
export const PUSH_CREDENTIALS: ReadonlyMap<string, string> = new Map(
  PLATFORM_DECLARATIONS.flatMap((d): [string, string][] => ('pushCredential' in d && d.pushCredential ? [[d.id, d.pushCredential]] : [])),
);

/** Platforms a local simulator stands in for. */
export type SimulatedPlatform = PlatformsWhere<{ simulator: { portOffset: number } }>;

/** The simulated platforms by their port offset (the order `govpub start` gives them ports). */
export const SIMULATED_PLATFORMS: readonly SimulatedPlatform[] = PLATFORM_DECLARATIONS.flatMap((d) => ('simulator' in d ? [d] : []))
  .sort((a, b) => a.simulator.portOffset - b.simulator.portOffset)
  .map((d) => d.id);
