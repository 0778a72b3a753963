// The code behind every declared platform, one line each: an API platform's adapter factory, a manual platform's hand-off kit.
/*
 * The second and last place a new platform is named (the first is its declaration in
 * adapters/declarations.ts, which stays pure for domain code). The type is derived from the
 * declarations: a declared platform missing here, or given the wrong kind of code for its
 * `publishing` mode, is a compile error naming it.
 */
import { createBilibiliAdapter } from './bilibili/adapter.js';
import type { DeclaredPlatform } from './declarations.js';
import { createDouyinAdapter } from './douyin/adapter.js';
import type { AdapterSettings } from './index.js';
import { createKuaishouAdapter } from './kuaishou/adapter.js';
import type { HandoffKit } from './manual-handoff/payload.js';
import { createMediaCenterAdapter } from './media-center/adapter.js';
import { createPortalAdapter } from './portal/index.js';
import { toutiaoHandoff } from './toutiao/handoff.js';
import type { ChannelAdapter } from './types.js';
import { wechatChannelsHandoff } from './wechat-channels/handoff.js';
import { createWechatOaAdapter } from './wechat-oa/adapter.js';
import { createWeiboAdapter } from './weibo/adapter.js';
import { xiaohongshuHandoff } from './xiaohongshu/handoff.js';

export type AdapterFactory = (settings: AdapterSettings) => ChannelAdapter<any, any>;

/** What a platform's declaration asks of its code: a hand-off kit when it is manual, else an adapter factory. */
type CodeFor<D> = D extends { publishing: 'manual' } ? { handoff: HandoffKit<never> } : { adapter: AdapterFactory };

export const PLATFORM_CODE = {
  portal: { adapter: (settings) => createPortalAdapter(settings.portal) },
  wechat_oa: { adapter: () => createWechatOaAdapter() },
  weibo: { adapter: () => createWeiboAdapter() },
  douyin: { adapter: () => createDouyinAdapter() },
  toutiao: { handoff: toutiaoHandoff },
  kuaishou: { adapter: () => createKuaishouAdapter() },
  bilibili: { adapter: () => createBilibiliAdapter() },
  wechat_channels: { handoff: wechatChannelsHandoff },
  xiaohongshu: { handoff: xiaohongshuHandoff },
  news_site: { adapter: (s) => createMediaCenterAdapter('news_site', { columns: s.mediaCenterColumns, publicMediaUrl: s.publicMediaUrl }) },
  media_app: { adapter: (s) => createMediaCenterAdapter('media_app', { columns: s.mediaCenterColumns, publicMediaUrl: s.publicMediaUrl }) },
} satisfies { [D in DeclaredPlatform as D['id']]: CodeFor<D> };
