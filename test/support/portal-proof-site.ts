/**
 * A portal site with every kind of page, for the proof test (test/adapters/portal-proof.test.ts):
 * the registry's columns, a policy document with a picture, a cover and two text interpretations
 * (policy column + interpretation column), a video and an audio interpretation, an H5 one, a news
 * item and a notice; served by registerPortalRoutes on an ephemeral port, so the public base URL
 * (canonical links, feeds, sitemap) points at the server the checkers crawl.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { createPortalAdapter, siteStructureFromRegistry, type PortalAdapter } from '../../adapters/portal/index.js';
import { registerPortalRoutes } from '../../adapters/portal/serve.js';
import { portalPagePaths } from '../../adapters/portal/urls.js';
import type { MediaInfo, ReleaseUnit } from '../../adapters/types.js';
import { loadRegistrySync } from '../../config/registry.js';
import { loadSiteIdentitySync } from '../../config/site-identity.js';
import type { Channel, PortalColumn } from '../../domain/registry.js';
import { resolveMediaBinaries } from '../../media/binaries.js';
import { ingestUpload } from '../../media/index.js';
import { makeTestMedia, makeTransmitContext, policyUnit, type TestMedia } from '../adapters/support.js';
import { ffmpegSync } from '../media/fixtures.js';

export const PROOF_COLUMNS = {
  policy: 'zwgk-zcwj-qzfwj',
  interpretation: 'zwgk-zcwj-zcjd-wz',
  video: 'zwgk-zcwj-zcjd-sp',
  notice: 'xwdt-tzgg',
} as const;

export interface ProofSite {
  media: TestMedia;
  app: FastifyInstance;
  adapter: PortalAdapter;
  /** http://127.0.0.1:<port>/portal (no trailing slash) */
  base: string;
  webRoot: string;
  columns: PortalColumn[];
  /** Site-root-relative paths of the pages the accessibility check opens. */
  pages: { home: string; column: string; policy: string; videoInterpretation: string; audioInterpretation: string };
  /** The current generation's directory (symlinks resolved). */
  generation(): Promise<string>;
  close(): Promise<void>;
}

function columnChannel(column: PortalColumn): Channel {
  return { id: `portal:${column.id}`, platform: 'portal', kind: 'portal_column', name: column.path.join(' > '), publishing: 'api', ref: column.id } as Channel;
}

/** A 1-second 320×180 H.264 clip with sound, and a 1-second AAC file, ingested into the media store. */
async function avMedia(media: TestMedia): Promise<{ video: MediaInfo; audio: MediaInfo }> {
  const binaries = await resolveMediaBinaries();
  const clip = path.join(media.dir, 'clip.mp4');
  const sound = path.join(media.dir, 'sound.m4a');
  ffmpegSync(binaries.ffmpeg.path, [
    ...['-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=15:duration=1', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1'],
    ...['-shortest', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', clip],
  ]);
  ffmpegSync(binaries.ffmpeg.path, ['-f', 'lavfi', '-i', 'sine=frequency=330:duration=1', '-c:a', 'aac', sound]);
  const video = await ingestUpload(media.store, createReadStream(clip), { label: 'clip.mp4' });
  const audio = await ingestUpload(media.store, createReadStream(sound), { label: 'sound.m4a' });
  return {
    video: { mediaId: video.sha256, kind: 'video', mime: 'video/mp4', sizeBytes: video.size, width: 320, height: 180, durationSec: 1 },
    audio: { mediaId: audio.sha256, kind: 'audio', mime: 'audio/mp4', sizeBytes: audio.size, durationSec: 1 },
  };
}

export async function buildProofSite(): Promise<ProofSite> {
  const media = await makeTestMedia('govpub-portal-proof-');
  const registry = loadRegistrySync();
  const columns = registry.portal.columns;
  const byId = new Map(columns.map((c) => [c.id, c]));
  const column = (id: string): PortalColumn => {
    const found = byId.get(id);
    if (!found) throw new Error(`proof site: column ${id} is not in the registry`);
    return found;
  };
  const webRoot = path.join(media.dir, 'www');
  // Closes the checkers' keep-alive connections at once when the test ends.
  const app = Fastify({ forceCloseConnections: true });
  registerPortalRoutes(app, { webRoot, prefix: '/portal' });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `${address}/portal`;
  // As production configures it (runtime/processes.ts portalAdapterOptions): the registry's tree and the site identity.
  const adapter = createPortalAdapter({
    webRoot,
    publicBaseUrl: base,
    columnName: (id) => byId.get(id)?.path.join(' > '),
    structure: siteStructureFromRegistry(registry),
    identity: loadSiteIdentitySync(),
    search: {},
  });
  await adapter.ensureSite();

  async function publish(unit: ReleaseUnit, columnIds: string[]): Promise<void> {
    for (const id of columnIds) {
      const channel = columnChannel(column(id));
      const { payload } = adapter.format(unit, channel);
      await adapter.transmit(payload, makeTransmitContext({ channel, baseUrl: '', renditions: media.renditions }));
    }
  }

  const [inline, cover] = await Promise.all([media.photo('hall', 1600, 1000), media.photo('cover', 1200, 675, { hue: '#b52f3c' })]);
  const { video, audio } = await avMedia(media);

  const policy = policyUnit({ inline, cover, packageId: 'pkg-proof-policy', portalBase: base });
  await publish(policy, [PROOF_COLUMNS.policy, PROOF_COLUMNS.interpretation]);

  const avPackage = 'pkg-proof-av';
  const av = policyUnit(
    { packageId: avPackage, portalBase: base },
    {
      title: '碑林区老旧小区改造实施方案',
      document: {
        title: '碑林区老旧小区改造实施方案',
        body: '<p>为推进城镇老旧小区改造，制定本方案。</p>',
        documentNumber: '碑政办发〔2025〕12号',
        issuingUnit: '西安市碑林区人民政府办公室',
        formedAt: '2025-06-25',
      },
      interpretations: [
        {
          form: 'video',
          title: '视频解读：老旧小区改造',
          body: '<p>区住建局局长解读改造方案。</p>',
          mediaId: video.mediaId,
          interpreter: '区住房和城乡建设局',
        },
        { form: 'audio', title: '音频解读：老旧小区改造', body: '<p>广播访谈。</p>', mediaId: audio.mediaId },
        { form: 'h5', title: 'H5：一图读懂老旧小区改造', body: '', url: 'https://www.beilin.gov.cn/h5/lgxq/' },
      ],
      media: { [video.mediaId]: video, [audio.mediaId]: audio },
      releasedAt: '2025-07-02T02:00:00.000Z',
    },
  );
  av.portalLinks = {
    document: `${base}/${portalPagePaths(avPackage, 3).document}`,
    interpretations: portalPagePaths(avPackage, 3).interpretations.map((p) => `${base}/${p}`),
  };
  await publish(av, [PROOF_COLUMNS.policy, PROOF_COLUMNS.video]);

  const notice = policyUnit(
    { packageId: 'pkg-proof-notice', portalBase: base },
    {
      title: '关于2025年端午节放假安排的通知',
      catalogue: { id: 'tzgg', name: '通知公告', contentClass: 'notice' },
      document: { title: '关于2025年端午节放假安排的通知', body: '<p>根据国务院办公厅通知，现将端午节放假安排通知如下。</p>' },
      interpretations: [],
      releasedAt: '2025-05-20T02:00:00.000Z',
    },
  );
  notice.portalLinks = { document: `${base}/${portalPagePaths('pkg-proof-notice', 0).document}`, interpretations: [] };
  await publish(notice, [PROOF_COLUMNS.notice]);

  // The search index follows the commits in the background; the proof covers the site with it.
  await adapter.search?.flush();
  await adapter.site.idle();

  const policyPaths = portalPagePaths('pkg-proof-policy', 2);
  const avPaths = portalPagePaths(avPackage, 3);
  return {
    media,
    app,
    adapter,
    base,
    webRoot,
    columns,
    pages: {
      home: 'index.html',
      column: `col/${PROOF_COLUMNS.policy}/index.html`,
      policy: policyPaths.document,
      videoInterpretation: avPaths.interpretations[0]!,
      audioInterpretation: avPaths.interpretations[1]!,
    },
    generation: () => realpath(path.join(webRoot, 'current')),
    async close() {
      await adapter.search?.close();
      await app.close();
      await media.cleanup();
    },
  };
}

/** Every file under `dir` (symlinked directories followed: generations link shared units), relative paths. */
export async function siteFiles(dir: string, relative = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, relative))) {
    if (entry.startsWith('.')) continue;
    const rel = relative ? `${relative}/${entry}` : entry;
    const info = await stat(path.join(dir, rel));
    if (info.isDirectory()) out.push(...(await siteFiles(dir, rel)));
    else out.push(rel);
  }
  return out;
}

/** `<loc>` URLs of the sitemap and its parts, and `<link>`s of every RSS feed: what the crawl must reach besides the links. */
export async function advertisedUrls(generation: string, files: string[]): Promise<{ sitemap: string[]; feeds: string[] }> {
  const locs = async (file: string, tag: string) =>
    [...(await readFile(path.join(generation, file), 'utf8')).matchAll(new RegExp(`<${tag}>([^<]+)</${tag}>`, 'g'))].map((m) => m[1]!.replaceAll('&amp;', '&'));
  const sitemap: string[] = [];
  for (const file of files.filter((f) => /^sitemap[^/]*\.xml$|^sitemaps\/.+\.xml$/.test(f))) sitemap.push(...(await locs(file, 'loc')));
  const feeds: string[] = [];
  for (const file of files.filter((f) => f.endsWith('rss.xml'))) feeds.push(...(await locs(file, 'link')));
  return { sitemap: [...new Set(sitemap)].filter((u) => !u.endsWith('.xml')), feeds: [...new Set(feeds)] };
}
