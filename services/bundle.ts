/**
 * A manual hand-off delivery's bundle as one download: the same files `govpub deliveries bundle`
 * writes (说明.txt, the texts within the platform's limits, the renditions under clear names;
 * adapters/manual-handoff/write-bundle.ts), as a stored ZIP.
 */
import { Readable } from 'node:stream';
import { PLATFORM_DECLARATIONS } from '../adapters/declarations.js';
import { handoffBundleEntries, type ManualHandoffPayload } from '../adapters/manual-handoff.js';
import type { RenditionSource } from '../adapters/types.js';
import { GovpubError } from '../domain/errors.js';
import type { AppContext } from './context.js';
import { DeliveryService } from './deliveries.js';
import { describeRendition, type MediaFileSources } from './media-files.js';
import { storedZip } from './zip.js';

export interface BundleDownload {
  fileName: string;
  size: number;
  stream: Readable;
}

/** A file name any browser and file system takes: ASCII letters, digits, dot, dash, underscore. */
export function safeFileName(name: string): string {
  return (
    name
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+/, '')
      .slice(0, 150) || 'bundle'
  );
}

export class BundleService {
  private readonly deliveries: DeliveryService;

  constructor(
    private readonly ctx: AppContext,
    private readonly media: MediaFileSources | undefined,
  ) {
    this.deliveries = new DeliveryService(ctx);
  }

  async zip(idOrKey: string): Promise<BundleDownload> {
    const row = await this.deliveries.find(idOrKey);
    const declaration = PLATFORM_DECLARATIONS.find((d) => d.id === row.platform);
    if (declaration?.publishing !== 'manual') {
      throw new GovpubError(
        'no_bundle',
        `Delivery ${row.id} goes to ${row.channel_id} through the platform's API; only manual hand-off channels (Toutiao, WeChat Channels, Xiaohongshu) have a bundle.`,
        { status: 409 },
      );
    }
    const payload = row.payload as ManualHandoffPayload | null;
    if (!payload || !Array.isArray(payload.files)) {
      throw new GovpubError('no_bundle', `The bundle of delivery ${row.id} is not prepared yet (state ${row.state}); try again in a moment.`, { status: 409 });
    }
    if (!this.media) throw new GovpubError('no_bundle', 'This API process has no media store, so it cannot serve bundles.', { status: 409 });
    const media = this.media;
    const renditions: RenditionSource = {
      async get(mediaId, spec) {
        const { file } = await describeRendition(media, mediaId, spec, { channel: row.channel_id });
        return { mediaId, spec, path: await media.store.getPath(file.sha256), mime: file.mime, sizeBytes: file.sizeBytes, sha256: file.sha256 };
      },
    };
    const entries = await handoffBundleEntries(payload, renditions, { deliveryId: row.id });
    const zip = await storedZip(entries.map((e) => ('content' in e ? { name: e.name, content: e.content } : { name: e.name, path: e.path })));
    const ref = row.channel_id.slice(row.channel_id.indexOf(':') + 1);
    return { fileName: safeFileName(`govpub-${declaration.id}-${ref}-${row.package_id}.zip`), ...zip };
  }
}
