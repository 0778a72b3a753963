/**
 * Test helpers for the video-platform adapters (Douyin, Bilibili, Kuaishou): a TransmitContext
 * whose checkpoint is kept in memory and merged shallowly (as the delivery row's checkpoint is),
 * with a `nextAttempt()` that starts a retry from what was saved; a real LocalMediaStore in a temp
 * dir holding a short ffmpeg-made clip; release units; and simulator look-ups.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { DeliveryError } from '../../adapters/errors.js';
import { storeRenditionSource } from '../../adapters/renditions.js';
import { memoryTokenStore } from '../../adapters/tokens.js';
import type { MediaInfo, RefusalFound, ReleaseUnit, RenditionSource, TokenStore, TransmitContext } from '../../adapters/types.js';
import type { Channel, NewMediaAccount, Platform } from '../../domain/registry.js';
import { ingestUpload, LocalMediaStore } from '../../media/index.js';
import type { PublicationView, SimulatorHandle } from '../../simulators/common.js';
import { startSimulator, type SimulatorOptionsByKind } from '../../simulators/index.js';
import { makeClip, mediaToolsForTests } from '../media/fixtures.js';

export interface VideoTestContext<C> extends TransmitContext<C> {
  /** Every checkpoint call, in order. */
  checkpoints: Partial<C>[];
  heartbeats: number;
  /** Every refusal reconcile reported (ctx.refusalFound), with the checkpoint as it was saved then. */
  refusalsFound: (RefusalFound & { savedThen: Partial<C> })[];
  /** What is saved now. */
  saved(): Partial<C>;
  /** The next attempt of the same delivery: same tokens and renditions, the saved checkpoint. */
  nextAttempt(): VideoTestContext<C>;
}

export function videoContext<C = Record<string, unknown>>(init: {
  businessKey?: string;
  channel: Channel;
  account?: NewMediaAccount;
  baseUrl: string;
  credentials: Record<string, string>;
  tokens?: TokenStore;
  renditions: RenditionSource;
  checkpointed?: Partial<C>;
}): VideoTestContext<C> {
  let saved = { ...(init.checkpointed ?? {}) } as Partial<C>;
  const tokens = init.tokens ?? memoryTokenStore();
  const ctx: VideoTestContext<C> = {
    businessKey: init.businessKey ?? `pkg-1@1→${init.channel.id}`,
    channel: init.channel,
    ...(init.account ? { account: init.account } : {}),
    credentials: init.credentials,
    baseUrl: init.baseUrl,
    tokens,
    renditions: init.renditions,
    // A getter, as the delivery activities' context has: what reconcile saves is what the transmit after it reads.
    get checkpointed() {
      return structuredClone(saved);
    },
    checkpoints: [],
    heartbeats: 0,
    async checkpoint(progress) {
      ctx.checkpoints.push(structuredClone(progress));
      saved = { ...saved, ...structuredClone(progress) };
    },
    heartbeat() {
      ctx.heartbeats += 1;
    },
    refusalsFound: [],
    async refusalFound(refusal) {
      ctx.refusalsFound.push({ ...refusal, savedThen: structuredClone(saved) });
    },
    saved: () => structuredClone(saved),
    nextAttempt: () => videoContext<C>({ ...init, tokens, checkpointed: saved }),
  };
  return ctx;
}

export function videoAccount(platform: Platform, id: string, name: string, secretName: string): { channel: Channel; account: NewMediaAccount } {
  const account: NewMediaAccount = {
    id,
    name,
    platform,
    ownerUnit: '区融媒体中心',
    publishing: 'api',
    credentials: { refreshToken: { secret: secretName } },
  };
  const channel: Channel = { id: `${platform}:${id}`, platform, kind: 'new_media_account', name, ownerUnit: account.ownerUnit, publishing: 'api', ref: id };
  return { channel, account };
}

export const KiB = 1024;

// ── Media ────────────────────────────────────────────────────────────────────────────────────

export interface VideoFixture {
  store: LocalMediaStore;
  renditions: RenditionSource & { asked: string[] };
  /** A short landscape H.264/AAC clip (1280×720, 2 s), ingested. */
  video: MediaInfo;
  cleanup(): Promise<void>;
}

export const mediaTools = await mediaToolsForTests();

export async function videoFixture(prefix: string, opts: { width?: number; height?: number; seconds?: number } = {}): Promise<VideoFixture> {
  if (!mediaTools.binaries) throw mediaTools.error ?? new Error('ffmpeg is needed for the video adapter tests');
  const dir = await mkdtemp(path.join(tmpdir(), `govpub-${prefix}-`));
  const store = new LocalMediaStore(path.join(dir, 'store'));
  const file = path.join(dir, 'jiedu.mp4');
  makeClip(mediaTools.binaries.ffmpeg.path, file, { width: opts.width ?? 1280, height: opts.height ?? 720, seconds: opts.seconds ?? 2 });
  const put = await ingestUpload(store, createReadStream(file), { label: '政策解读.mp4' });
  const video: MediaInfo = {
    mediaId: put.sha256,
    kind: 'video',
    mime: put.probe.mime,
    sizeBytes: put.probe.sizeBytes,
    ...(put.probe.width !== undefined ? { width: put.probe.width } : {}),
    ...(put.probe.height !== undefined ? { height: put.probe.height } : {}),
    ...(put.probe.durationSec !== undefined ? { durationSec: put.probe.durationSec } : {}),
    name: '政策解读.mp4',
  };
  const source = storeRenditionSource(store);
  const asked: string[] = [];
  return {
    store,
    renditions: {
      asked,
      get: (mediaId, spec) => {
        asked.push(spec);
        return source.get(mediaId, spec);
      },
    },
    video,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

// ── Release units ────────────────────────────────────────────────────────────────────────────

export function videoUnit(video: MediaInfo | null, overrides: Partial<ReleaseUnit> = {}): ReleaseUnit {
  const interpretations: ReleaseUnit['interpretations'] = [{ form: 'text', title: '一图读懂：碑林区老旧小区改造实施方案', body: '<p>图文解读正文。</p>' }];
  if (video) {
    interpretations.push({
      form: 'video',
      title: '视频解读：碑林区老旧小区改造怎么改',
      body: '<p>2025年，碑林区计划改造老旧小区<strong>46个</strong>，涉及居民1.2万户。</p><p>改造内容包括屋面防水、管网更新、加装电梯和无障碍设施。居民可通过社区居委会了解本小区的改造计划。</p>',
      mediaId: video.mediaId,
      interpreter: '区住建局',
    });
  }
  return {
    packageId: 'pkg-7',
    revision: 2,
    contentHash: 'c0ffee',
    title: '碑林区2025年老旧小区改造实施方案',
    catalogue: { id: 'zcjd', name: '政策解读', contentClass: 'policy_interpretation' },
    document: {
      title: '碑林区2025年老旧小区改造实施方案',
      body: '<p>为改善居民居住条件，制定本方案。</p>',
      documentNumber: '碑政办发〔2025〕12号',
      issuingUnit: '碑林区人民政府办公室',
    },
    interpretations,
    media: video ? { [video.mediaId]: video } : {},
    portalLinks: {
      document: 'https://www.beilin.gov.cn/art/pkg-7/index.html',
      interpretations: interpretations.map((_, i) => `https://www.beilin.gov.cn/art/pkg-7/jd-${i + 1}.html`),
    },
    releasedAt: '2025-06-01T08:00:00.000Z',
    ...overrides,
  };
}

// ── Simulator look-ups ───────────────────────────────────────────────────────────────────────

export interface VideoSimulator {
  sim: SimulatorHandle;
  media: VideoFixture;
}

/**
 * The platform's simulator and a video fixture for a `describe` block: both are started before
 * its tests and closed after them, and the simulator is reset before each test. The fields are
 * set once `beforeAll` has run.
 */
export function useVideoSimulator<K extends 'douyin' | 'bilibili' | 'kuaishou'>(kind: K, options: SimulatorOptionsByKind[K]): VideoSimulator {
  const env = {} as VideoSimulator;
  beforeAll(async () => {
    env.sim = await startSimulator(kind, options);
    env.media = await videoFixture(kind);
  });
  afterAll(async () => {
    await env.sim?.close();
    await env.media?.cleanup();
  });
  beforeEach(() => env.sim.state.reset());
  return env;
}

/** GET /__sim/publications (the control API), as a test outside the process would see it. */
export async function simPublications(baseUrl: string): Promise<PublicationView[]> {
  const res = await fetch(`${baseUrl}/__sim/publications`);
  return ((await res.json()) as { publications: PublicationView[] }).publications;
}

export async function advanceSimClock(baseUrl: string, seconds: number): Promise<void> {
  await fetch(`${baseUrl}/__sim/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: seconds }) });
}

/** Polls `confirm` until it leaves `pending` (the simulators finish review after publishDelayMs). */
export async function confirmUntilFinal<R extends { state: string }>(confirm: () => Promise<R>, timeoutMs = 10_000): Promise<R> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await confirm();
    if (r.state !== 'pending' || Date.now() > until) return r;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What a promise rejected with (fails the test when it resolves). */
export async function failureOf(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected a failure, but it succeeded');
}

/** What a synchronous call threw (fails the test when it returns). */
export function failureOfSync(fn: () => unknown): DeliveryError {
  try {
    fn();
  } catch (err) {
    return err as DeliveryError;
  }
  throw new Error('expected a failure');
}
