/**
 * `govpub media …`: upload originals, request renditions, follow their progress.
 *
 *   govpub media add FILE [--renditions wechat_oa,douyin] [--channel ID] [--no-watermark] [--as USER]
 *   govpub media status ID|JOB [--watch]     progress bar per job; exits 1 if a job failed or was canceled
 *   govpub media list [--kind K] [--limit N]
 *   govpub media cancel JOB
 *
 * Files are streamed into the media store (GOVPUB_MEDIA_DIR) as the API does: never read whole
 * into memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadSettings } from '../config/settings.js';
import { GovpubError } from '../domain/errors.js';
import type { Opened } from '../runtime/app.js';
import type { AppContext } from '../services/context.js';
import type { MediaJobView, MediaService, MediaView } from '../services/media.js';
import { actingUser, withApp, withDatabase } from './context.js';
import { printJson, printTable } from './output.js';

const splitList = (value: string) => value.split(/[,，]/).map((s) => s.trim()).filter(Boolean);

async function serviceFor(ctx: AppContext): Promise<MediaService> {
  const { MediaService, openMediaStore } = await import('../services/media.js');
  const settings = loadSettings();
  return new MediaService(ctx, { store: openMediaStore(settings), limits: settings.mediaUploadLimits });
}

/** Read-only commands need the database only (they work while Temporal is down). */
async function withMediaReader<T>(body: (media: MediaService) => Promise<T>): Promise<T> {
  return withDatabase(
    async (opened: Opened) =>
      body(
        await serviceFor({
          db: opened.database.db,
          registry: opened.registry,
          // Reading records never talks to Temporal.
          temporal: undefined as never,
          taskQueue: opened.settings.temporal.taskQueue,
        }),
      ),
    { migrate: false },
  );
}

function describeMedia(m: MediaView): string {
  const size = m.sizeBytes >= 1e6 ? `${(m.sizeBytes / 1e6).toFixed(1)} MB` : m.sizeBytes >= 1e3 ? `${(m.sizeBytes / 1e3).toFixed(1)} KB` : `${m.sizeBytes} bytes`;
  const dims = m.width && m.height ? ` ${m.width}×${m.height}` : '';
  const dur = m.durationSec !== null ? ` ${m.durationSec.toFixed(1)} s` : '';
  return `${m.kind} ${m.mime}${dims}${dur}, ${size}${m.uploadName ? `  (${m.uploadName})` : ''}`;
}

const BAR_WIDTH = 24;

export function progressBar(percent: number, width = BAR_WIDTH): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

function jobLine(job: MediaJobView): string {
  const made = Object.values(job.results).filter((r) => (r as { ok?: boolean }).ok).length;
  const where =
    job.state === 'running' && job.currentSpec
      ? `  ${job.currentSpec} (${job.specs.indexOf(job.currentSpec) + 1}/${job.specs.length})`
      : job.state === 'done'
        ? `  ${made}/${job.specs.length} renditions`
        : job.state === 'queued'
          ? `  waiting for a media worker (${job.specs.length} renditions)`
          : '';
  return `${job.id}  ${job.state.padEnd(8)} ${progressBar(job.progress)} ${String(job.progress).padStart(3)}%${where}`;
}

function jobProblems(job: MediaJobView): string[] {
  const lines: string[] = [];
  for (const p of job.problems) lines.push(`  cannot make ${p.spec}: ${p.message}`);
  for (const [spec, r] of Object.entries(job.results)) {
    const result = r as { ok?: boolean; message?: string; warnings?: string[] };
    if (result.ok === false) lines.push(`  ${spec} failed: ${result.message}`);
    for (const w of result.warnings ?? []) lines.push(`  ${spec}: ${w}`);
  }
  return lines;
}

function failureOf(jobs: MediaJobView[]): GovpubError | null {
  const bad = jobs.filter((j) => j.state === 'failed' || j.state === 'canceled');
  if (bad.length === 0) return null;
  return new GovpubError(
    'media_job_failed',
    bad.map((j) => `job ${j.id} ${j.state}: ${j.error ?? 'no reason recorded'}`).join('\n'),
    { jobs: bad.map((j) => j.id) },
  );
}

const TERMINAL = new Set(['done', 'failed', 'canceled']);

/** Follows jobs until each has finished: a redrawn block on a terminal, plain lines otherwise. */
async function watchJobs(media: MediaService, jobIds: string[], intervalMs: number): Promise<MediaJobView[]> {
  const tty = process.stdout.isTTY === true;
  let drawn = 0;
  const lastPrinted = new Map<string, string>();
  for (;;) {
    const jobs = await Promise.all(jobIds.map((id) => media.getJob(id)));
    if (tty) {
      if (drawn) process.stdout.write(`\x1b[${drawn}A`);
      for (const job of jobs) process.stdout.write(`\x1b[2K${jobLine(job)}\n`);
      drawn = jobs.length;
    } else {
      for (const job of jobs) {
        // One line per change of state, spec or tenth of progress: readable in logs.
        const key = `${job.state}|${job.currentSpec}|${Math.floor(job.progress / 10)}`;
        if (lastPrinted.get(job.id) !== key) {
          lastPrinted.set(job.id, key);
          process.stdout.write(`${jobLine(job)}\n`);
        }
      }
    }
    if (jobs.every((j) => TERMINAL.has(j.state))) return jobs;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function registerMediaCommands(program: Command): void {
  const media = program.command('media').description('Media originals and their per-platform renditions (images, video, audio)');

  media
    .command('add <file>')
    .description('Upload an original (streamed into the media store, probed by content) and optionally request renditions')
    .option('--renditions <list>', 'platforms and/or rendition keys to prepare, e.g. wechat_oa,douyin or douyin.video_720')
    .option('--channel <id>', "prepare for this channel: its watermark applies (and its platform's renditions when --renditions is not given)")
    .option('--no-watermark', 'no watermark even where the channel has one')
    .option('--as <user>', 'act as this user (or GOVPUB_USER)')
    .option('--json', 'print machine-readable JSON')
    .action(async (file: string, options: { renditions?: string; channel?: string; watermark: boolean; as?: string; json?: boolean }) => {
      let stat: fs.Stats;
      try {
        stat = fs.statSync(file);
      } catch (error) {
        throw new GovpubError('file_unreadable', `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
      }
      if (!stat.isFile()) throw new GovpubError('file_unreadable', `${file} is not a file.`);
      const wantsJob = Boolean(options.renditions || options.channel);
      const run = async (ctx: AppContext) => {
        const service = await serviceFor(ctx);
        const actor = await actingUser(ctx, options.as);
        const added = await service.ingest(fs.createReadStream(file), { uploadName: path.basename(file), createdBy: actor });
        let job: (MediaJobView & { existing: boolean }) | undefined;
        if (wantsJob) {
          const list = options.renditions ? splitList(options.renditions) : [];
          const requested = await service.requestRenditions(
            added.media.id,
            {
              platforms: list.filter((x) => !x.includes('.')),
              specs: list.filter((x) => x.includes('.')),
              ...(options.channel ? { channel: options.channel } : {}),
              watermark: options.watermark,
            },
            actor,
          );
          job = { ...requested.job, existing: requested.existing };
        }
        if (options.json) return printJson({ ...added.media, created: added.created, warnings: added.warnings, ...(job ? { job } : {}) });
        console.log(`${added.created ? 'added' : 'already stored'} ${added.media.id}`);
        console.log(`  ${describeMedia(added.media)}`);
        for (const w of added.warnings) console.log(`  note: ${w}`);
        if (job) {
          console.log(`job ${job.id} ${job.existing ? 'already ' : ''}${job.state}: ${job.specs.length} rendition${job.specs.length === 1 ? '' : 's'} (${job.specs.join(', ')})`);
          for (const p of job.problems) console.log(`  cannot make ${p.spec}: ${p.message}`);
          console.log(`  follow it: govpub media status ${job.id} --watch`);
        }
      };
      if (wantsJob) await withApp(run);
      else await withDatabase((opened) => run({ db: opened.database.db, registry: opened.registry, temporal: undefined as never, taskQueue: opened.settings.temporal.taskQueue }), { migrate: false });
    });

  media
    .command('status <id>')
    .description('A media item (id or unique prefix) or one job (mj-…): its renditions and jobs with progress')
    .option('--watch', 'follow the jobs until they finish (a progress bar per job)')
    .option('--interval <ms>', 'how often to look while watching', '500')
    .option('--json', 'print machine-readable JSON (with --watch: once, when the jobs have finished)')
    .action(async (id: string, options: { watch?: boolean; interval: string; json?: boolean }) =>
      withMediaReader(async (service) => {
        const interval = Math.max(100, Number(options.interval) || 500);
        if (id.startsWith('mj-')) {
          let job = await service.getJob(id);
          if (options.watch && !TERMINAL.has(job.state)) {
            if (!options.json) console.log(`media ${job.mediaId}`);
            [job] = (await watchJobs(service, [id], interval)) as [MediaJobView];
          } else if (!options.json) console.log(jobLine(job));
          if (options.json) printJson(job);
          else for (const line of jobProblems(job)) console.log(line);
          const failed = failureOf([job]);
          if (failed) throw failed;
          return;
        }
        const mediaId = await service.resolveId(id);
        let detail = await service.get(mediaId);
        if (!options.json) {
          console.log(detail.id);
          console.log(`  ${describeMedia(detail)}`);
        }
        const active = detail.jobs.filter((j) => !TERMINAL.has(j.state));
        let followed: MediaJobView[] = active.length ? active : detail.jobs.slice(0, 1);
        if (options.watch && active.length) {
          followed = await watchJobs(service, active.map((j) => j.id), interval);
          detail = await service.get(mediaId);
        } else if (!options.json) {
          for (const job of detail.jobs.slice(0, 5)) console.log(jobLine(job));
        }
        if (options.json) printJson(detail);
        else {
          for (const job of followed) for (const line of jobProblems(job)) console.log(line);
          if (detail.renditions.length) {
            printTable(
              detail.renditions.map((r) => ({
                rendition: r.specKey,
                type: r.mime,
                size: r.width && r.height ? `${r.width}×${r.height}` : '',
                bytes: r.sizeBytes,
                watermark: r.watermarked ? 'yes' : '',
                channel: r.channelId ?? '',
              })),
              ['rendition', 'type', 'size', 'bytes', 'watermark', 'channel'],
            );
          } else if (!detail.jobs.length) {
            console.log(`  no renditions yet: govpub media add … --renditions <platforms>, or POST /api/media/${detail.id}/renditions`);
          }
        }
        const failed = failureOf(followed);
        if (failed) throw failed;
      }),
    );

  media
    .command('list')
    .description('Uploaded originals, newest first')
    .option('--kind <kind>', 'image, video or audio')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { kind?: string; limit: string; json?: boolean }) =>
      withMediaReader(async (service) => {
        const rows = await service.list({ kind: options.kind, limit: Number(options.limit) || 50 });
        if (options.json) return printJson(rows);
        printTable(
          rows.map((m) => ({
            id: m.id.slice(0, 12),
            kind: m.kind,
            type: m.mime,
            size: m.width && m.height ? `${m.width}×${m.height}` : '',
            duration: m.durationSec !== null ? `${m.durationSec.toFixed(1)} s` : '',
            bytes: m.sizeBytes,
            name: m.uploadName ?? '',
            added: m.createdAt.slice(0, 16).replace('T', ' '),
          })),
          ['id', 'kind', 'type', 'size', 'duration', 'bytes', 'name', 'added'],
        );
      }),
    );

  media
    .command('cancel <job>')
    .description('Cancel a rendition job: its running transcode is stopped')
    .option('--as <user>', 'act as this user (or GOVPUB_USER)')
    .option('--json', 'print machine-readable JSON')
    .action(async (jobId: string, options: { as?: string; json?: boolean }) =>
      withApp(async (ctx) => {
        const service = await serviceFor(ctx);
        const job = await service.cancelJob(jobId, await actingUser(ctx, options.as));
        if (options.json) printJson(job);
        else console.log(job.state === 'canceled' ? `${job.id} canceled` : `${job.id}: cancel requested (${job.state}); check with govpub media status ${job.id}`);
      }),
    );
}
