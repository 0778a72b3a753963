/**
 * One adapter per platform. This table is the only place that knows which adapter serves which
 * platform: adding a platform means an adapter file and a line here, no workflow code.
 */
import type { Channel, MediaCenterColumn, Platform } from '../domain/registry.js';
import { GovpubError } from '../domain/errors.js';
import { createBilibiliAdapter } from './bilibili.js';
import { createDouyinAdapter } from './douyin.js';
import { createKuaishouAdapter } from './kuaishou.js';
import { createManualHandoffAdapter } from './manual-handoff.js';
import { createMediaCenterAdapter } from './media-center.js';
import { createPortalAdapter } from './portal/index.js';
import type { ChannelAdapter, RenditionFile } from './types.js';
import { createWechatOaAdapter } from './wechat-oa.js';
import { createWeiboAdapter } from './weibo.js';

export interface AdapterSettings {
  portal: { webRoot: string; publicBaseUrl: string; columnName?(columnId: string): string | undefined };
  mediaCenterColumns: readonly MediaCenterColumn[];
  /**
   * A public URL where platforms without an upload API (the media center) fetch a rendition. It
   * must name the rendition (e.g. by its own hash), never the original, and serve only renditions.
   */
  publicMediaUrl?: (file: RenditionFile) => string | Promise<string>;
  /** Where manual hand-off bundles are written (a directory per delivery). */
  handoffDir?: (businessKey: string) => string;
}

export type AdapterFor = (channel: Channel) => ChannelAdapter;

export function createChannelAdapters(settings: AdapterSettings): AdapterFor {
  const adapters: Partial<Record<Platform, ChannelAdapter<any, any>>> = {
    portal: createPortalAdapter(settings.portal),
    wechat_oa: createWechatOaAdapter(),
    weibo: createWeiboAdapter(),
    douyin: createDouyinAdapter(),
    kuaishou: createKuaishouAdapter(),
    bilibili: createBilibiliAdapter(),
    news_site: createMediaCenterAdapter('news_site', { columns: settings.mediaCenterColumns, publicMediaUrl: settings.publicMediaUrl }),
    media_app: createMediaCenterAdapter('media_app', { columns: settings.mediaCenterColumns, publicMediaUrl: settings.publicMediaUrl }),
    toutiao: createManualHandoffAdapter('toutiao', settings.handoffDir ? { bundleDir: (ctx) => settings.handoffDir!(ctx.businessKey) } : {}),
    wechat_channels: createManualHandoffAdapter('wechat_channels', settings.handoffDir ? { bundleDir: (ctx) => settings.handoffDir!(ctx.businessKey) } : {}),
  };
  return (channel) => {
    const adapter = adapters[channel.platform];
    if (!adapter) {
      throw new GovpubError(
        'no_adapter',
        `No adapter publishes to ${channel.platform} (${channel.id}); remove the channel from the package's targets or add an adapter in adapters/index.ts.`,
      );
    }
    return adapter as ChannelAdapter;
  };
}
