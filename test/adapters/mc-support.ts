/**
 * Helpers the media-center and manual hand-off tests add to the shared ones (./support.ts): a
 * media-center column channel, a short ffmpeg-made clip ingested into the shared test media
 * store, and a policy release unit whose interpretations can be swapped (portal links follow).
 */
import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { MediaInfo, ReleaseUnit } from '../../adapters/types.js';
import type { Channel, MediaCenterSystem } from '../../domain/registry.js';
import { ingestUpload } from '../../media/index.js';
import type { TestMedia } from './support.js';

/** The channel of a media-center column (`news_site:blxw`). */
export function columnChannel(system: MediaCenterSystem, ref: string, name: string): Channel {
  return { id: `${system}:${ref}`, platform: system, kind: 'media_center_column', name, publishing: 'api', ref };
}

/** A short H.264/AAC clip (ffmpeg test pattern + tone), ingested into the test media store. */
export async function ingestClip(media: TestMedia, name: string, opts: { width?: number; height?: number; seconds?: number } = {}): Promise<MediaInfo> {
  const file = path.join(media.dir, `${name}.mp4`);
  const r = spawnSync(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
      ...['-f', 'lavfi', '-i', `testsrc2=size=${opts.width ?? 640}x${opts.height ?? 360}:rate=25`],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      ...['-t', String(opts.seconds ?? 1), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file],
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`ffmpeg fixture failed: ${r.stderr}`);
  const put = await ingestUpload(media.store, createReadStream(file), { label: path.basename(file) });
  const p = put.probe;
  return {
    mediaId: put.sha256,
    kind: p.kind,
    mime: p.mime,
    sizeBytes: p.sizeBytes,
    ...(p.width !== undefined ? { width: p.width } : {}),
    ...(p.height !== undefined ? { height: p.height } : {}),
    ...(p.durationSec !== undefined ? { durationSec: p.durationSec } : {}),
    name: path.basename(file),
  };
}

export const PORTAL_BASE = 'https://www.beilin.gov.cn';

/** A policy document (碑政发〔2025〕3号) with one text interpretation, released to the portal. */
export function makeUnit(overrides: Partial<ReleaseUnit> = {}): ReleaseUnit {
  const packageId = overrides.packageId ?? 'pkg-7';
  const interpretations = overrides.interpretations ?? [
    {
      form: 'text',
      title: '图解：碑林区老旧小区改造三年行动方案',
      body: '<p>一图读懂老旧小区改造：改什么、怎么改、谁来改。</p><p>2025年起，全区将改造老旧小区120个。</p>',
      interpreter: '区住建局',
    },
  ];
  return {
    packageId,
    revision: 2,
    contentHash: 'c0ffee',
    title: '碑林区老旧小区改造三年行动方案',
    catalogue: { id: 'cat-policy', name: '区政府文件', contentClass: 'policy' },
    document: {
      title: '西安市碑林区人民政府关于印发碑林区老旧小区改造三年行动方案的通知',
      body: '<p>各街道办事处，区政府各工作部门：</p><p>《碑林区老旧小区改造三年行动方案（2025—2027年）》已经区政府同意，现印发给你们，请认真贯彻执行。</p>',
      documentNumber: '碑政发〔2025〕3号',
      issuingUnit: '西安市碑林区人民政府',
      formedAt: '2025-03-01',
    },
    interpretations,
    media: {},
    portalLinks: {
      document: `${PORTAL_BASE}/art/${packageId}/index.html`,
      interpretations: interpretations.map((_, i) => `${PORTAL_BASE}/art/${packageId}/jd-${i + 1}.html`),
    },
    releasedAt: '2025-03-05T02:00:00.000Z',
    ...overrides,
  };
}
