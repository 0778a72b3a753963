/**
 * A whole release to every kind of channel, on real components: the platform simulators (with
 * the development secrets they accept), the real adapters, a real media store with a photo and a
 * video made here, the portal written to a temporary web root, Temporal and PostgreSQL.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { parse, stringify } from 'yaml';
import { createChannelAdapters } from '../../adapters/index.js';
import { loadPlatformConfigs, withPlatformOverrides, type PlatformConfigs } from '../../config/platforms.js';
import { ROOT_DIR } from '../../config/settings.js';
import { loadRegistry } from '../../config/registry.js';
import { MEDIA_CENTER_SYSTEMS, portalColumn, type Platform, type Registry } from '../../domain/registry.js';
import { ingestUpload, LocalMediaStore, resolveMediaBinaries, type IngestResult } from '../../media/index.js';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { buildDeliveryDeps } from '../../runtime/channel-access.js';
import { postLinkOptionsFor } from '../../runtime/channel-health.js';
import { postLinkProblem } from '../../adapters/post-links.js';
import { declarationOf } from '../../adapters/declarations.js';
import type { PostUrlRefusal } from '../../adapters/platform-declaration.js';
import { ensureDevSecrets, simulatedOpenId, simulatorOptionsFor, wechatEventPushes } from '../../runtime/local-platforms.js';
import {
  SIMULATOR_KINDS,
  startAllSimulators,
  type AllSimulators,
  type FaultRuleInput,
  type PublicationView,
  type SimulatorKind,
  type SimulatorOptionsByKind,
} from '../../simulators/index.js';
import type { ActivityDeps } from '../../activities/index.js';
import type { DeliveryRow } from '../../db/schema.js';
import type { Actor } from '../../domain/package-rules.js';
import type { DeliveryService } from '../../services/deliveries.js';

export const PUBLISH_PATHS: Partial<Record<SimulatorKind, string>> = {
  wechat_oa: '/cgi-bin/freepublish/submit',
  douyin: '/video/create/',
  bilibili: '/arcopen/fn/archive/add-by-utoken',
  kuaishou: '/openapi/photo/publish',
  news_site: '/api/v1/articles',
  media_app: '/api/v1/articles',
};

const isMediaCenter = (kind: SimulatorKind) => (MEDIA_CENTER_SYSTEMS as readonly string[]).includes(kind);

/** 30% transient faults on every request, and 5% of publish calls accepted but never confirmed. */
export function faultMix(kind: SimulatorKind): FaultRuleInput[] {
  const rules: FaultRuleInput[] = [];
  const publish = PUBLISH_PATHS[kind];
  // The first WeChat push is never confirmed for sure, so every run exercises that path.
  if (kind === 'wechat_oa') rules.push({ match: publish!, method: 'POST', kind: 'never_confirm', count: 1 });
  if (publish) rules.push({ match: publish, method: 'POST', kind: 'never_confirm', probability: 0.05 });
  rules.push({ match: '*', kind: 'drop_response', probability: 0.1 });
  rules.push({ match: '*', kind: 'http_error', status: 503, probability: 0.11 });
  if (isMediaCenter(kind)) rules.push({ match: '*', kind: 'rate_limit', retryAfterSeconds: 1, probability: 0.125 });
  else rules.push({ match: '*', kind: 'busy', probability: 0.125 });
  return rules;
}

export interface ReleaseWorld {
  dir: string;
  registry: Registry;
  simulators: AllSimulators;
  platforms: PlatformConfigs;
  secretsFile: string;
  mediaStore: LocalMediaStore;
  webRoot: string;
  portalUrl: string;
  photoId: string;
  videoId: string;
  deps(base: ActivityDeps): ActivityDeps;
  /** Records uploads in the media table (as POST /api/media does), so packages may refer to them. */
  registerMedia(db: Kysely<DB>, createdBy: string, extra?: IngestResult[]): Promise<void>;
  /** Environment for a separate `govpub worker` process reaching the same simulators, media and portal. */
  workerEnv(extra: Record<string, string>): NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** Test timing: fast retries and a short confirmation timeout, so a proof runs in minutes. */
export const FAST_TIMING = { retryInitialSec: 0.2, retryMaxSec: 1, rateLimitWaitSec: 1, confirmTimeoutSec: 6, maxAttempts: 40 };

export async function startReleaseWorld(
  options: {
    faults?: boolean;
    seed?: number;
    simulators?: Partial<SimulatorOptionsByKind>;
    /** An API's address: the WeChat simulator pushes publishing results to its accounts' URLs there. */
    eventsBaseUrl?: string;
  } = {},
): Promise<ReleaseWorld> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-release-'));
  const registry = await loadRegistry();
  const basePlatforms = loadPlatformConfigs(path.join(ROOT_DIR, 'config'), { env: {} });
  const secretsFile = ensureDevSecrets(dir, registry, basePlatforms);
  const secrets = { env: {}, secretsFile };
  const faults = options.faults ? Object.fromEntries(SIMULATOR_KINDS.map((k) => [k, faultMix(k)])) : undefined;
  const simulatorOptions: Partial<SimulatorOptionsByKind> = simulatorOptionsFor(registry, basePlatforms, secrets);
  const pushes = options.eventsBaseUrl ? wechatEventPushes(registry, basePlatforms, secrets, options.eventsBaseUrl) : undefined;
  if (pushes) simulatorOptions.wechat_oa = { ...simulatorOptions.wechat_oa, eventPushes: pushes };
  for (const [kind, extra] of Object.entries(options.simulators ?? {}) as [SimulatorKind, object][])
    Object.assign(simulatorOptions, { [kind]: { ...simulatorOptions[kind], ...extra } });
  const simulators = await startAllSimulators({ seed: options.seed ?? 7, publishDelayMs: 200, faults, options: simulatorOptions });
  const platforms = withPlatformOverrides(loadPlatformConfigs(path.join(ROOT_DIR, 'config'), { env: {}, simulatorUrls: simulators.urls }), FAST_TIMING);
  // WeChat pushes only where an API listens for them; elsewhere its deliveries poll as before.
  if (!pushes) delete platforms.wechat_oa.pushWaitSec;
  const mediaStore = new LocalMediaStore(path.join(dir, 'media'));
  const webRoot = path.join(dir, 'portal');
  const portalUrl = 'http://127.0.0.1:9/portal';

  // A photo (cover and in-article picture) and a 1280×720 video interpretation. One second long:
  // every video platform's renditions are made from it in each release (the full suite's largest
  // ffmpeg cost), and no platform sets a shortest length. Where a transcode must take time,
  // cancel-transcodes.test.ts brings a long video of its own and media-activities.test.ts paces ffmpeg.
  const photoFile = path.join(dir, 'photo.jpg');
  await sharp({ create: { width: 1800, height: 1200, channels: 3, background: { r: 180, g: 40, b: 40 } } })
    .composite([{ input: Buffer.from('<svg width="1800" height="1200"><circle cx="900" cy="600" r="400" fill="#f5d142"/></svg>') }])
    .jpeg({ quality: 85 })
    .toFile(photoFile);
  const videoFile = path.join(dir, 'video.mp4');
  const { ffmpeg } = await resolveMediaBinaries();
  execFileSync(ffmpeg.path, [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=1280x720:rate=25:duration=1',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:duration=1',
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    '-y',
    videoFile,
  ]);
  const photo = await ingestUpload(mediaStore, fs.createReadStream(photoFile), { label: '政策图解.jpg' });
  const video = await ingestUpload(mediaStore, fs.createReadStream(videoFile), { label: '政策解读.mp4' });

  const adapterFor = createChannelAdapters({
    portal: { webRoot, publicBaseUrl: portalUrl, columnName: (id) => portalColumn(registry, id)?.path.join(' > ') },
    mediaCenterColumns: registry.mediaCenter.columns,
    handoffDir: (key) => path.join(dir, 'handoff', key.replace(/[^A-Za-z0-9._-]+/g, '_')),
  });
  return {
    dir,
    registry,
    simulators,
    platforms,
    secretsFile,
    mediaStore,
    webRoot,
    portalUrl,
    photoId: photo.sha256,
    videoId: video.sha256,
    async registerMedia(db, createdBy, extra = []) {
      for (const upload of [photo, video, ...extra]) {
        const p = upload.probe;
        await db
          .insertInto('media')
          .values({
            id: upload.sha256,
            kind: p.kind,
            mime: p.mime,
            format: p.format,
            size_bytes: upload.size,
            width: p.width ?? null,
            height: p.height ?? null,
            duration_sec: p.durationSec ?? null,
            upload_name: p.uploadName ?? null,
            probe: JSON.stringify(p),
            created_by: createdBy,
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      }
    },
    workerEnv: (extra) => {
      // A config directory like the repository's, with platforms.yaml pointing at the simulators.
      const configDir = path.join(dir, 'config');
      if (!fs.existsSync(configDir)) {
        fs.cpSync(path.join(ROOT_DIR, 'config', 'registry'), path.join(configDir, 'registry'), { recursive: true });
        const yaml = parse(fs.readFileSync(path.join(ROOT_DIR, 'config', 'registry', 'platforms.yaml'), 'utf8')) as {
          platforms: Record<string, Record<string, unknown>>;
        };
        for (const [platform, entry] of Object.entries(yaml.platforms)) {
          Object.assign(entry, FAST_TIMING);
          const url = simulators.urls[platform as SimulatorKind];
          if (url) entry.baseUrl = url;
        }
        fs.writeFileSync(path.join(configDir, 'registry', 'platforms.yaml'), stringify(yaml));
      }
      return {
        ...process.env,
        GOVPUB_CONFIG_DIR: configDir,
        GOVPUB_SECRETS_FILE: secretsFile,
        GOVPUB_SIMULATORS: 'off',
        GOVPUB_PORTAL_ROOT: webRoot,
        GOVPUB_PORTAL_URL: portalUrl,
        GOVPUB_MEDIA_DIR: path.join(dir, 'media'),
        GOVPUB_DATA_DIR: path.join(dir, 'data'),
        ...extra,
      };
    },
    deps: (base) =>
      buildDeliveryDeps({ db: base.db, registry, platforms, secrets, mediaStore, portalUrl, taskQueue: base.taskQueue, adapterFor, secretsTtlMs: 0 }),
    async close() {
      await simulators.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every channel the proof targets: two portal columns, all 23 accounts, two media-center columns. */
export function everyChannel(registry: Registry, portalColumns: string[]): string[] {
  return [...portalColumns.map((c) => `portal:${c}`), ...registry.accounts.map((a) => `${a.platform}:${a.id}`), 'news_site:zcjd', 'media_app:zcjd'];
}

/** A policy package with a photo cover, a picture in the text, a text and a video interpretation. */
export function richPolicyPackage(world: ReleaseWorld, targets: string[], title = '关于进一步优化营商环境的若干措施') {
  const item = world.registry.catalogue.find((i) => i.requiresInterpretation)!;
  return {
    title,
    catalogueItem: item.id,
    cover: { mediaId: world.photoId, alt: '碑林区营商环境政策图解' },
    document: {
      title: `碑林区人民政府${title}`,
      body: `<p>为深入贯彻落实国家和省市优化营商环境决策部署，结合我区实际，制定以下措施。</p><p><img src="/api/media/${world.photoId}/content" alt="措施一览图"></p><p>一、优化政务服务。二、降低经营成本。</p>`,
      issuingUnit: '碑林区人民政府',
      documentNumber: '碑政发〔2026〕3号',
      formedAt: '2026-11-20',
    },
    interpretations: [
      { form: 'text', title: `《${title}》政策解读`, body: '<p>一、出台背景：为进一步激发市场主体活力。</p><p>二、主要内容：共十条措施。</p>' },
      { form: 'video', title: `一图读懂｜${title}`.slice(0, 30), body: '<p>视频解读：三分钟了解十条措施。</p>', mediaId: world.videoId },
    ],
    targets,
  };
}

/** What each simulator accepted, by govpub channel id (deleted posts excluded). */
export async function publicationsByChannel(world: ReleaseWorld, registry: Registry): Promise<Map<string, PublicationView[]>> {
  const byChannel = new Map<string, PublicationView[]>();
  const accountChannel = new Map<string, string>();
  for (const a of registry.accounts) {
    for (const key of ['appId', 'appKey', 'clientKey', 'clientId'] as const) {
      const v = a.credentials[key];
      if (typeof v === 'string') accountChannel.set(`${a.platform}|${v}`, `${a.platform}:${a.id}`);
    }
    accountChannel.set(`${a.platform}|${simulatedOpenId(a.platform, a.id)}`, `${a.platform}:${a.id}`);
  }
  for (const [kind, sim] of Object.entries(world.simulators.simulators) as [SimulatorKind, { state: { publications(): PublicationView[] } }][]) {
    for (const p of sim.state.publications()) {
      if (p.state === 'deleted') continue;
      const channel = isMediaCenter(kind)
        ? `${kind}:${(p.extra as { columnId?: string }).columnId}`
        : (accountChannel.get(`${kind}|${p.account}`) ?? accountChannel.get(`${kind}|${(p.extra as { appId?: string })?.appId}`) ?? `${kind}:?${p.account}`);
      byChannel.set(channel, [...(byChannel.get(channel) ?? []), p]);
    }
  }
  return byChannel;
}

/** Settled as far as the platforms go: live, waiting for a manual post, or accepted but never confirmed. */
export function settledForNow(r: Pick<DeliveryRow, 'state' | 'submitted_at' | 'error_class'>): boolean {
  return r.state === 'live' || r.state === 'awaiting_manual' || (r.state === 'unconfirmed' && r.submitted_at !== null && r.error_class === 'unconfirmed');
}

/** A post's URL checked as the API process checks it, here with the simulators' hosts (runtime/channel-health.ts postLinkOptionsFor). */
export function postUrlCheck(platforms: PlatformConfigs): (platform: string, url: string) => PostUrlRefusal | null {
  const optionsFor = postLinkOptionsFor({ simulators: false, dataDir: '', portalUrl: '' }, platforms);
  return (platform, url) => postLinkProblem(platform, url, optionsFor(platform));
}

/**
 * The address operations give for a post: the one the platform answered with; else, for a post it
 * never confirmed, one on its system (the simulator); for a hand-off, a post on the platform's site.
 */
function postUrlOf(row: DeliveryRow, platforms: PlatformConfigs): string {
  if (row.public_url) return row.public_url;
  const base = platforms[row.platform as Platform]?.baseUrl;
  return base ? `${base}/post/${encodeURIComponent(row.channel_id)}` : (declarationOf(row.platform as Platform).posts?.example ?? '');
}

/**
 * Operations finish what waits for them: post the hand-off bundles and confirm what the platforms
 * never confirmed (`rows` not live), as `govpub deliveries confirm` does, each URL checked against
 * its platform. A delivery busy with a confirmation poll is asked again a second later; one that
 * turned live meanwhile needs nothing.
 */
export async function confirmWaiting(
  deliveries: DeliveryService,
  db: Kysely<DB>,
  ops: Actor,
  rows: DeliveryRow[],
  platforms: PlatformConfigs,
  attempts = 30,
): Promise<{ confirmed: number; problems: string[] }> {
  const check = postUrlCheck(platforms);
  let confirmed = 0;
  const problems: string[] = [];
  for (const row of rows.filter((r) => r.state !== 'live')) {
    for (let attempt = 1; ; attempt++) {
      const now = await db.selectFrom('deliveries').select(['state']).where('id', '=', row.id).executeTakeFirstOrThrow();
      if (now.state === 'live') break;
      try {
        await deliveries.confirm(ops, row.id, { url: postUrlOf(row, platforms), note: 'seen live in the back office' }, check);
        confirmed += 1;
        break;
      } catch (error) {
        if (attempt >= attempts) {
          problems.push(`operations could not confirm ${row.channel_id} of ${row.package_id}: ${(error as Error).message.slice(0, 200)}`);
          break;
        }
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }
  return { confirmed, problems };
}
