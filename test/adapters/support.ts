/**
 * Shared helpers for adapter tests: a TransmitContext as the delivery activities build one (an
 * in-memory checkpoint merged shallowly like the delivery row's jsonb `||`, a snapshot of it in
 * `checkpointed` per attempt), channels and accounts, a real media store with sharp-made pictures,
 * and a policy release unit (document + interpretations) to publish.
 *
 * Nothing here knows a platform: platform-specific setup stays in the test files.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { portalPageUrls } from '../../adapters/portal/urls.js';
import { storeRenditionSource } from '../../adapters/renditions.js';
import { memoryTokenStore } from '../../adapters/tokens.js';
import type { MediaInfo, ReleaseUnit, RenditionFile, RenditionSource, TokenStore, TransmitContext } from '../../adapters/types.js';
import type { Channel, NewMediaAccount, Platform } from '../../domain/registry.js';
import { ingestUpload, LocalMediaStore } from '../../media/index.js';

// ── Checkpoint and context ───────────────────────────────────────────────────────────────────

/** What the delivery row's checkpoint column would hold, shared by every attempt of a delivery. */
export interface MemoryCheckpoint<C> {
  /** The saved progress now. */
  current(): Partial<C>;
  /** Every `checkpoint(...)` call, in order. */
  saves: Partial<C>[];
  save(progress: Partial<C>): void;
  /** Makes the next `n` checkpoint calls fail (a database outage right after a platform call). */
  failNext(n?: number): void;
  takeFailure(): boolean;
}

export function memoryCheckpoint<C>(initial: Partial<C> = {}): MemoryCheckpoint<C> {
  let saved: Partial<C> = structuredClone(initial);
  let failures = 0;
  const saves: Partial<C>[] = [];
  return {
    current: () => structuredClone(saved),
    saves,
    save(progress) {
      saves.push(structuredClone(progress));
      saved = { ...saved, ...structuredClone(progress) };
    },
    failNext(n = 1) {
      failures = n;
    },
    takeFailure() {
      if (failures <= 0) return false;
      failures -= 1;
      return true;
    },
  };
}

export interface TestTransmitContext<C> extends TransmitContext<C> {
  /** The store behind `checkpoint` (survives attempts). */
  store: MemoryCheckpoint<C>;
  heartbeats: number;
  /** A context for the next attempt: same tokens, renditions and checkpoint store, a fresh snapshot. */
  nextAttempt(): TestTransmitContext<C>;
}

export interface TransmitContextInit<C> {
  channel: Channel;
  baseUrl: string;
  /** Default: `${packageId}@${revision}→${channel.id}` of pkg-test@1. */
  businessKey?: string;
  account?: NewMediaAccount;
  credentials?: Record<string, string>;
  tokens?: TokenStore;
  renditions?: RenditionSource;
  checkpoint?: MemoryCheckpoint<C>;
  signal?: AbortSignal;
}

/**
 * A TransmitContext like the delivery activities make: `checkpointed` is a snapshot of the
 * store taken when the attempt starts (as the activity reads the row), `checkpoint` merges into
 * the store.
 */
export function makeTransmitContext<C = Record<string, unknown>>(init: TransmitContextInit<C>): TestTransmitContext<C> {
  const store = init.checkpoint ?? memoryCheckpoint<C>();
  const tokens = init.tokens ?? memoryTokenStore();
  const renditions: RenditionSource = init.renditions ?? {
    async get(mediaId, spec) {
      throw new Error(`this test has no rendition source (asked for ${mediaId.slice(0, 12)} × ${spec})`);
    },
  };
  const ctx: TestTransmitContext<C> = {
    businessKey: init.businessKey ?? `pkg-test@1→${init.channel.id}`,
    channel: init.channel,
    ...(init.account ? { account: init.account } : {}),
    credentials: { ...(init.credentials ?? {}) },
    baseUrl: init.baseUrl,
    tokens,
    renditions,
    checkpointed: store.current(),
    async checkpoint(progress) {
      if (store.takeFailure()) throw new Error('database connection lost (test)');
      store.save(progress);
    },
    heartbeat() {
      ctx.heartbeats += 1;
    },
    ...(init.signal ? { signal: init.signal } : {}),
    store,
    heartbeats: 0,
    nextAttempt: () => makeTransmitContext<C>({ ...init, tokens, renditions, checkpoint: store }),
  };
  return ctx;
}

// ── Channels and accounts ────────────────────────────────────────────────────────────────────

/** A government new-media account and its channel, with credentials given by secret name. */
export function testAccount(
  platform: Platform,
  ref: string,
  name: string,
  credentials: NewMediaAccount['credentials'],
  ownerUnit = '碑林区人民政府办公室',
): { account: NewMediaAccount; channel: Channel } {
  const publishing = platform === 'toutiao' || platform === 'wechat_channels' ? 'manual' : 'api';
  return {
    account: { id: ref, name, platform, ownerUnit, publishing, credentials },
    channel: { id: `${platform}:${ref}`, platform, kind: 'new_media_account', name, ownerUnit, publishing, ref },
  };
}

// ── Media ────────────────────────────────────────────────────────────────────────────────────

export interface TestMedia {
  dir: string;
  store: LocalMediaStore;
  /** Renditions from the real store; records what was asked. */
  renditions: RenditionSource & { asked: { mediaId: string; spec: string }[] };
  /** A photo-like JPEG (gradient, shapes, text, grain) made with sharp and ingested. */
  photo(name: string, width: number, height: number, opts?: { hue?: string; format?: 'jpeg' | 'png' }): Promise<MediaInfo>;
  cleanup(): Promise<void>;
}

export async function makeTestMedia(prefix = 'govpub-adapter-'): Promise<TestMedia> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const store = new LocalMediaStore(path.join(dir, 'store'));
  const source = storeRenditionSource(store);
  const asked: { mediaId: string; spec: string }[] = [];
  return {
    dir,
    store,
    renditions: {
      asked,
      async get(mediaId: string, spec: string): Promise<RenditionFile> {
        asked.push({ mediaId, spec });
        return source.get(mediaId, spec);
      },
    },
    async photo(name, width, height, opts = {}) {
      const hue = opts.hue ?? '#2f6db5';
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
        <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${hue}"/><stop offset="1" stop-color="#f0d8b0"/></linearGradient></defs>
        <rect width="${width}" height="${height}" fill="url(#g)"/>
        <circle cx="${Math.round(width * 0.3)}" cy="${Math.round(height * 0.4)}" r="${Math.round(Math.min(width, height) * 0.15)}" fill="#c94f3d"/>
        <text x="${Math.round(width * 0.05)}" y="${Math.round(height * 0.9)}" font-size="${Math.max(12, Math.round(height / 12))}" font-family="DejaVu Sans" fill="#fff">Beilin ${name}</text>
      </svg>`;
      const grain = await sharp({
        create: {
          width: Math.max(8, width >> 2),
          height: Math.max(8, height >> 2),
          channels: 3,
          background: '#808080',
          noise: { type: 'gaussian', mean: 128, sigma: 20 },
        },
      })
        .resize(width, height)
        .png({ compressionLevel: 1 })
        .toBuffer();
      const ext = opts.format === 'png' ? 'png' : 'jpg';
      const file = path.join(dir, `${name}.${ext}`);
      const img = sharp(Buffer.from(svg)).composite([{ input: grain, blend: 'overlay' }]);
      await (opts.format === 'png' ? img.png() : img.jpeg({ quality: 88 })).toFile(file);
      const r = await ingestUpload(store, createReadStream(file), { label: path.basename(file) });
      return {
        mediaId: r.sha256,
        kind: r.probe.kind,
        mime: r.probe.mime,
        sizeBytes: r.probe.sizeBytes,
        ...(r.probe.width !== undefined ? { width: r.probe.width } : {}),
        ...(r.probe.height !== undefined ? { height: r.probe.height } : {}),
        name: path.basename(file),
      };
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The `<img>` an editor's body holds for an uploaded picture. */
export function bodyImage(mediaId: string, alt = ''): string {
  return `<img src="/api/media/${mediaId}/content" alt="${alt}">`;
}

// ── A release unit ───────────────────────────────────────────────────────────────────────────

export const TEST_PORTAL_BASE = 'https://www.beilin.gov.cn';

/**
 * A policy document with two text interpretations (三同步), released to a portal column.
 * `cover` and `inline` (a picture in the document body) are optional MediaInfos; everything can
 * be overridden.
 */
export function policyUnit(
  opts: { cover?: MediaInfo; inline?: MediaInfo; packageId?: string; portalBase?: string | null } = {},
  overrides: Partial<ReleaseUnit> = {},
): ReleaseUnit {
  const packageId = opts.packageId ?? 'pkg-yshj-2025-07';
  const interpretations: ReleaseUnit['interpretations'] = [
    {
      form: 'text',
      title: '政策解读：优化营商环境二十条',
      body: '<p>《若干措施》从市场准入、政务服务、要素保障等方面提出二十条具体举措。</p><p>企业开办时间压缩至1个工作日以内。</p>',
      interpreter: '区发展和改革委员会',
    },
    {
      form: 'text',
      title: '问答：企业最关心的十个问题',
      body: '<p>问：新开办企业如何申领免费印章？</p><p>答：在区政务服务中心“企业开办专区”一次办结。</p>',
      interpreter: '区行政审批服务局',
    },
  ];
  const media: Record<string, MediaInfo> = {};
  if (opts.cover) media[opts.cover.mediaId] = opts.cover;
  if (opts.inline) media[opts.inline.mediaId] = opts.inline;
  const portalBase = opts.portalBase === undefined ? TEST_PORTAL_BASE : opts.portalBase;
  return {
    packageId,
    revision: 2,
    contentHash: 'sha256:5e1f0c',
    title: '碑林区进一步优化营商环境若干措施',
    catalogue: { id: 'zcwj-qzfwj', name: '区政府文件', contentClass: 'policy' },
    document: {
      title: '碑林区进一步优化营商环境若干措施',
      body:
        '<p>为深入贯彻落实国家、省、市关于优化营商环境的决策部署，进一步激发市场主体活力，结合我区实际，制定以下措施。</p>' +
        (opts.inline ? `<p>${bodyImage(opts.inline.mediaId, '政务服务中心')}</p>` : '') +
        '<p>一、提升政务服务效能。全面推行“一网通办”，企业开办实现1个工作日内办结。</p><p>二、加强要素保障。</p>',
      documentNumber: '碑政发〔2025〕7号',
      issuingUnit: '西安市碑林区人民政府',
      formedAt: '2025-06-20',
    },
    interpretations,
    ...(opts.cover ? { cover: { mediaId: opts.cover.mediaId, alt: '碑林区政务服务中心' } } : {}),
    media,
    portalLinks: portalBase === null ? null : portalPageUrls(portalBase, packageId, interpretations.length),
    releasedAt: '2025-07-01T01:00:00.000Z',
    ...overrides,
  };
}
