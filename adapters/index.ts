/**
 * The adapter of every declared platform (adapters/declarations.ts): API platforms by their
 * factory in adapters/platform-code.ts, manual ones by the manual hand-off with their kit.
 * Adding a platform touches no workflow code (adapters/README.md).
 */
import type { Channel, MediaCenterColumn, Platform } from '../domain/registry.js';
import type { PortalAdapterOptions } from './portal/index.js';
import { GovpubError } from '../domain/errors.js';
import { createManualHandoffAdapter } from './manual-handoff.js';
import type { ChannelAdapter, RenditionFile, TransmitContext } from './types.js';
import { PLATFORM_DECLARATIONS } from './declarations.js';
import { PLATFORM_CODE, type AdapterFactory } from './platform-code.js';

export interface AdapterSettings {
  /** webRoot, publicBaseUrl, and the registry's column names and structure (adapters/portal/index.ts). */
  portal: PortalAdapterOptions;
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
  const handoff = settings.handoffDir ? { bundleDir: (ctx: TransmitContext) => settings.handoffDir!(ctx.businessKey) } : {};
  const adapters = new Map<Platform, ChannelAdapter<any, any>>(
    PLATFORM_DECLARATIONS.map((d) => [
      d.id,
      d.publishing === 'manual' ? createManualHandoffAdapter(d.id, handoff) : (PLATFORM_CODE[d.id] as { adapter: AdapterFactory }).adapter(settings),
    ]),
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
