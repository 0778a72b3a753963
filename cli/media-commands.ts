/**
 * `govpub media …`: upload originals, request renditions, follow their progress, through the API
 * as the token's user (--token / GOVPUB_TOKEN).
 *
 *   govpub media add FILE [--renditions wechat_oa,douyin] [--channel ID] [--no-watermark]
 *   govpub media status ID|JOB [--watch]     progress bar per job; exits 1 if a job failed or was canceled
 *   govpub media list [--kind K] [--limit N]
 *   govpub media cancel JOB
 *
 * Files are streamed to the API (never read whole into memory).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { GovpubError } from '../domain/errors.js';
import type { MediaJobView, MediaView } from '../services/media.js';
import { ApiClient, withActingOptions, type ApiOptions } from './api-client.js';
import { notAFile, unreadableFile } from './given-file.js';
import { beijingTime, inChinese, printable, printJson, printTable, say } from './output.js';

const splitList = (value: string) =>
  value
    .split(/[,，]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The list's upload time column, in Beijing time (its heading says so). */
const ADDED = 'added (Beijing time)';
/** Media kinds and job states as the console's media library names them (GOVPUB_LANG=zh). */
const KIND_ZH: Record<string, string> = { image: '图片', video: '视频', audio: '音频', document: '文档（附件）', captions: '字幕' };
const JOB_STATE_ZH: Record<string, string> = { queued: '排队中', running: '生成中', done: '已完成', failed: '失败', canceled: '已取消' };
const kindLabel = (kind: string) => say(kind, KIND_ZH[kind] ?? kind);
const jobStateLabel = (state: string) => say(state, JOB_STATE_ZH[state] ?? state);
const seconds = (sec: number) => say(`${sec.toFixed(1)} s`, `${sec.toFixed(1)} 秒`);

function describeMedia(m: MediaView): string {
  const size =
    m.sizeBytes >= 1e6
      ? `${(m.sizeBytes / 1e6).toFixed(1)} MB`
      : m.sizeBytes >= 1e3
        ? `${(m.sizeBytes / 1e3).toFixed(1)} KB`
        : say(`${m.sizeBytes} bytes`, `${m.sizeBytes} 字节`);
  const dims = m.width && m.height ? ` ${m.width}×${m.height}` : '';
  const dur = m.durationSec !== null ? ` ${seconds(m.durationSec)}` : '';
  return say(
    `${m.kind} ${m.mime}${dims}${dur}, ${size}${m.uploadName ? `  (${m.uploadName})` : ''}`,
    `${kindLabel(m.kind)} ${m.mime}${dims}${dur}，${size}${m.uploadName ? `（${m.uploadName}）` : ''}`,
  );
}

const BAR_WIDTH = 24;

export function progressBar(percent: number, width = BAR_WIDTH): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

function jobLine(job: MediaJobView): string {
  const made = Object.values(job.results).filter((r) => (r as { ok?: boolean }).ok).length;
  if (inChinese()) {
    const spec = job.currentSpec;
    const whereZh =
      job.state === 'running' && spec
        ? `  ${job.specNames?.[spec]?.labelZh ?? spec}（${job.specs.indexOf(spec) + 1}/${job.specs.length}）`
        : job.state === 'done'
          ? `  已生成 ${made}/${job.specs.length} 个衍生文件`
          : job.state === 'queued'
            ? `  等待媒体处理进程（${job.specs.length} 个衍生文件）`
            : '';
    // Padded to the width of the longest state name (三个汉字), so the bars line up.
    const state = jobStateLabel(job.state);
    const pad = ' '.repeat(Math.max(0, 6 - [...state].length * 2));
    return `${job.id}  ${state}${pad} ${progressBar(job.progress)} ${String(job.progress).padStart(3)}%${whereZh}`;
  }
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

/**
 * Why renditions were not made and what they note. With GOVPUB_LANG=zh in Chinese, each led by the
 * rendition's Chinese name unless the sentence names it already (the key means nothing to an editor).
 */
function jobProblems(job: MediaJobView): string[] {
  const lines: string[] = [];
  const zh = inChinese();
  const nameZh = (spec: string) => job.specNames?.[spec]?.labelZh ?? spec;
  const led = (spec: string, text: string) => (text.includes(nameZh(spec)) ? `  ${text}` : `  ${nameZh(spec)}：${text}`);
  for (const p of job.problems) lines.push(zh ? `  无法生成${nameZh(p.spec)}：${p.messageZh ?? p.message}` : `  cannot make ${p.spec}: ${p.message}`);
  for (const [spec, r] of Object.entries(job.results)) {
    const result = r as { ok?: boolean; message?: string; messageZh?: string; warnings?: string[]; warningsZh?: string[] };
    if (result.ok === false) lines.push(zh ? `  ${nameZh(spec)}生成失败：${result.messageZh ?? result.message}` : `  ${spec} failed: ${result.message}`);
    // Renditions made before the notes were kept in Chinese have only the English ones.
    const notesZh = result.warningsZh?.length === result.warnings?.length ? result.warningsZh : undefined;
    if (zh && notesZh) for (const w of notesZh) lines.push(led(spec, w));
    else for (const w of result.warnings ?? []) lines.push(`  ${spec}: ${w}`);
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
    { zh: bad.map((j) => `转码任务 ${j.id} ${JOB_STATE_ZH[j.state] ?? j.state}：${j.error ?? '未记录原因'}`).join('\n') },
  );
}

const TERMINAL = new Set(['done', 'failed', 'canceled']);

/** Follows jobs until each has finished: a redrawn block on a terminal, plain lines otherwise. */
async function watchJobs(api: ApiClient, jobIds: string[], intervalMs: number): Promise<MediaJobView[]> {
  const tty = process.stdout.isTTY === true;
  let drawn = 0;
  const lastPrinted = new Map<string, string>();
  for (;;) {
    const jobs = await Promise.all(jobIds.map((id) => api.request<MediaJobView>('GET', `/api/media/jobs/${encodeURIComponent(id)}`)));
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

type MediaDetail = MediaView & {
  renditions: {
    specKey: string;
    /** The rendition's name (absent for a spec no longer declared). */
    label?: string;
    labelZh?: string;
    mime: string;
    width: number | null;
    height: number | null;
    sizeBytes: number;
    watermarked: boolean;
    channelId: string | null;
  }[];
  jobs: MediaJobView[];
};

const MEDIA_FILE = { what: 'an image, audio, video or document file', whatZh: '图片、音频、视频或文档文件' };

export function registerMediaCommands(program: Command): void {
  const media = program.command('media').description('Media originals and their per-platform renditions (images, video, audio)');

  withActingOptions(
    media
      .command('add <file>')
      .description('Upload an original (streamed to the API, probed by content) and optionally request renditions')
      .option('--renditions <list>', 'platforms and/or rendition keys to prepare, e.g. wechat_oa,douyin or douyin.video_720')
      .option('--channel <id>', "prepare for this channel: its watermark applies (and its platform's renditions when --renditions is not given)")
      .option('--no-watermark', 'no watermark even where the channel has one'),
  ).action(async (file: string, options: ApiOptions & { renditions?: string; channel?: string; watermark: boolean; json?: boolean }) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch (error) {
      throw unreadableFile(file, error, MEDIA_FILE);
    }
    if (!stat.isFile()) throw notAFile(file, stat, MEDIA_FILE);
    const api = ApiClient.from(options);
    const added = await api.upload<MediaView & { created: boolean; warnings: string[]; warningsZh?: string[] }>('/api/media', file);
    let job: (MediaJobView & { existing: boolean }) | undefined;
    if (options.renditions || options.channel) {
      const list = options.renditions ? splitList(options.renditions) : [];
      job = await api
        .request<MediaJobView & { existing: boolean }>('POST', `/api/media/${added.id}/renditions`, {
          platforms: list.filter((x) => !x.includes('.')),
          specs: list.filter((x) => x.includes('.')),
          ...(options.channel ? { channel: options.channel } : {}),
          watermark: options.watermark,
        })
        .catch((error: unknown) => {
          if (!(error instanceof GovpubError)) throw error;
          // The upload itself went through: say so, or the person uploads again thinking it failed.
          const name = path.basename(file);
          throw new GovpubError(
            error.code,
            `${name} is stored as ${added.id}, but no renditions were asked for: ${error.message.replace(/\.?$/, '.')} Correct --renditions or --channel and run the command again (the file is not uploaded twice).`,
            { ...error.details, mediaId: added.id },
            {
              zh: `${name} 已存储，编号 ${added.id}；但未能申请转码：${error.messageZh.replace(/[。.]?$/, '。')}请更正 --renditions 或 --channel 后重新运行命令（文件不会重复上传）。`,
            },
          );
        });
    }
    if (options.json) return printJson({ ...added, ...(job ? { job } : {}) });
    console.log(say(`${added.created ? 'added' : 'already stored'} ${added.id}`, `${added.created ? '已上传' : '此前已上传'} ${added.id}`));
    console.log(`  ${describeMedia(added)}`);
    for (const w of (inChinese() && added.warningsZh) || added.warnings) console.log(say(`  note: ${w}`, `  说明：${w}`));
    if (job) {
      console.log(
        say(
          `job ${job.id} ${job.existing ? 'already ' : ''}${job.state}: ${job.specs.length} rendition${job.specs.length === 1 ? '' : 's'} (${job.specs.join(', ')})`,
          `转码任务 ${job.id}（${job.existing ? '此前已申请，' : ''}${jobStateLabel(job.state)}）：${job.specs.length} 个衍生文件（${job.specs.join('、')}）`,
        ),
      );
      for (const line of jobProblems({ ...job, results: {} })) console.log(line);
      console.log(say(`  follow it: govpub media status ${job.id} --watch`, `  查看进度：govpub media status ${job.id} --watch`));
    }
  });

  withActingOptions(
    media
      .command('status <id>')
      .description('A media item (id or unique prefix) or one job (mj-…): its renditions and jobs with progress')
      .option('--watch', 'follow the jobs until they finish (a progress bar per job)')
      .option('--interval <ms>', 'how often to look while watching', '500'),
  ).action(async (id: string, options: ApiOptions & { watch?: boolean; interval: string; json?: boolean }) => {
    const api = ApiClient.from(options);
    // Whole milliseconds from 100 to an hour: a word silently became 500, and a huge number overflowed setTimeout into polling every millisecond.
    const interval = /^\d{1,7}$/.test(options.interval) ? Number(options.interval) : NaN;
    if (!(interval >= 100 && interval <= 3_600_000))
      throw new GovpubError('invalid_arguments', `--interval "${printable(options.interval)}" is not a number of milliseconds from 100 to 3600000 (an hour).`);
    if (id.startsWith('mj-')) {
      let job = await api.request<MediaJobView>('GET', `/api/media/jobs/${encodeURIComponent(id)}`);
      if (options.watch && !TERMINAL.has(job.state)) {
        if (!options.json) console.log(say(`media ${job.mediaId}`, `媒体 ${job.mediaId}`));
        [job] = (await watchJobs(api, [id], interval)) as [MediaJobView];
      } else if (!options.json) console.log(jobLine(job));
      if (options.json) printJson(job);
      else for (const line of jobProblems(job)) console.log(line);
      const failed = failureOf([job]);
      if (failed) throw failed;
      return;
    }
    const read = () => api.request<MediaDetail>('GET', `/api/media/${encodeURIComponent(id)}`);
    let detail = await read();
    if (!options.json) {
      console.log(detail.id);
      console.log(`  ${describeMedia(detail)}`);
    }
    const active = detail.jobs.filter((j) => !TERMINAL.has(j.state));
    let followed: MediaJobView[] = active.length ? active : detail.jobs.slice(0, 1);
    if (options.watch && active.length) {
      followed = await watchJobs(
        api,
        active.map((j) => j.id),
        interval,
      );
      detail = await read();
    } else if (!options.json) {
      for (const job of detail.jobs.slice(0, 5)) console.log(jobLine(job));
    }
    if (options.json) printJson(detail);
    else {
      for (const job of followed) for (const line of jobProblems(job)) console.log(line);
      if (detail.renditions.length) {
        // The key is what --renditions takes; the name is what an editor recognises.
        const zh = inChinese();
        printTable(
          detail.renditions.map((r) => ({
            rendition: r.specKey,
            name: (zh ? r.labelZh : r.label) ?? '',
            type: r.mime,
            size: r.width && r.height ? `${r.width}×${r.height}` : '',
            bytes: r.sizeBytes,
            watermark: r.watermarked ? say('yes', '有') : '',
            channel: r.channelId ?? '',
          })),
          ['rendition', 'name', 'type', 'size', 'bytes', 'watermark', 'channel'],
          { rendition: '规格', name: '名称', type: '格式', size: '尺寸', bytes: '字节数', watermark: '水印', channel: '渠道' },
        );
      } else if (!detail.jobs.length) {
        console.log(
          say(
            `  no renditions yet: govpub media add … --renditions <platforms>, or POST /api/media/${detail.id}/renditions`,
            `  还没有衍生文件：govpub media add … --renditions <平台>，或 POST /api/media/${detail.id}/renditions`,
          ),
        );
      }
    }
    const failed = failureOf(followed);
    if (failed) throw failed;
  });

  withActingOptions(
    media
      .command('list')
      .description('Uploaded originals, newest first')
      .option('--kind <kind>', 'image, video, audio, document (attachments) or captions')
      .option('--limit <n>', 'at most this many', '50'),
  ).action(async (options: ApiOptions & { kind?: string; limit: string; json?: boolean }) => {
    const query = new URLSearchParams({ limit: options.limit, ...(options.kind ? { kind: options.kind } : {}) });
    const { media: rows } = await ApiClient.from(options).request<{ media: MediaView[] }>('GET', `/api/media?${query}`);
    if (options.json) return printJson(rows);
    printTable(
      rows.map((m) => ({
        id: m.id.slice(0, 12),
        kind: kindLabel(m.kind),
        type: m.mime,
        size: m.width && m.height ? `${m.width}×${m.height}` : '',
        duration: m.durationSec !== null ? seconds(m.durationSec) : '',
        bytes: m.sizeBytes,
        name: m.uploadName ?? '',
        // Beijing time, as the heading says (it was UTC with nothing to say so: 8 hours off for a reader here).
        [ADDED]: beijingTime(m.createdAt).slice(0, 16),
      })),
      ['id', 'kind', 'type', 'size', 'duration', 'bytes', 'name', ADDED],
      { id: '编号', kind: '类别', type: '格式', size: '尺寸', duration: '时长', bytes: '字节数', name: '文件名', [ADDED]: '上传时间（北京时间）' },
    );
  });

  withActingOptions(media.command('cancel <job>').description('Cancel a rendition job: its running transcode is stopped')).action(
    async (jobId: string, options: ApiOptions & { json?: boolean }) => {
      const job = await ApiClient.from(options).request<MediaJobView>('DELETE', `/api/media/jobs/${encodeURIComponent(jobId)}`);
      if (options.json) printJson(job);
      else if (job.state === 'canceled') console.log(say(`${job.id} canceled`, `转码任务 ${job.id} 已取消`));
      else
        console.log(
          say(
            `${job.id}: cancel requested (${job.state}); check with govpub media status ${job.id}`,
            `转码任务 ${job.id}：已请求取消（当前${jobStateLabel(job.state)}）；用 govpub media status ${job.id} 查看`,
          ),
        );
    },
  );
}
