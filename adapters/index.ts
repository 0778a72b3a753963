/**
 * The adapter of every declared platform (adapters/declarations.ts): API platforms by the table
 * below, manual ones by the manual hand-off. Adding a platform touches no workflow code.
 */
import type { Channel, MediaCenterColumn, Platform } from '../domain/registry.js';
import { GovpubError } from '../domain/errors.js';
import { createBilibiliAdapter } from './bilibili/adapter.js';
import { createDouyinAdapter } from './douyin/adapter.js';
import { createKuaishouAdapter } from './kuaishou/adapter.js';
import { createManualHandoffAdapter } from './manual-handoff.js';
import { createMediaCenterAdapter } from './media-center/adapter.js';
import { createPortalAdapter } from './portal/index.js';
import type { ChannelAdapter, RenditionFile, TransmitContext } from './types.js';
import { PLATFORM_DECLARATIONS, type PlatformsWhere } from './declarations.js';
import { createWechatOaAdapter } from './wechat-oa/adapter.js';
import { createWeiboAdapter } from './weibo/adapter.js';

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

type AdapterFactory = (settings: AdapterSettings) => ChannelAdapter<any, any>;

/**
 * The adapter of each platform its declaration says govpub publishes to through an API; the type
 * makes a declared API platform without an adapter a compile error. Manual platforms all get the
 * manual hand-off adapter (adapters/manual-handoff/), with their kit.
 */
const API_ADAPTERS = {
  portal: (settings) => createPortalAdapter(settings.portal),
  wechat_oa: () => createWechatOaAdapter(),
  weibo: () => createWeiboAdapter(),
  douyin: () => createDouyinAdapter(),
  kuaishou: () => createKuaishouAdapter(),
  bilibili: () => createBilibiliAdapter(),
  news_site: (settings) => createMediaCenterAdapter('news_site', { columns: settings.mediaCenterColumns, publicMediaUrl: settings.publicMediaUrl }),
  media_app: (settings) => createMediaCenterAdapter('media_app', { columns: settings.mediaCenterColumns, publicMediaUrl: settings.publicMediaUrl }),
} satisfies { [P in PlatformsWhere<{ publishing: 'api' }>]: AdapterFactory };

export function createChannelAdapters(settings: AdapterSettings): AdapterFor {
  const handoff = settings.handoffDir ? { bundleDir: (ctx: TransmitContext) => settings.handoffDir!(ctx.businessKey) } : {};
  const adapters = new Map<Platform, ChannelAdapter<any, any>>(
    PLATFORM_DECLARATIONS.map((d) => [d.id, d.publishing === 'manual' ? createManualHandoffAdapter(d.id, handoff) : API_ADAPTERS[d.id](settings)]),
  );
  return (channel) => {
    const adapter = adapters.get(channel.platform);
    if (!adapter) {
      throw new GovpubError(
        'no_adapter',
        `No adapter publishes to ${channel.platform} (${channel.id}); remove the channel from the package's targets or declare the platform in adapters/declarations.ts.`,
      );
    }
    return adapter as ChannelAdapter;
  };
}
