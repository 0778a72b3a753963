/**
 * `govpub deliveries …` and `govpub channels pause|resume`: operations on deliveries, through the
 * API as the token's user (audited there).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { GovpubError } from '../domain/errors.js';
import type { RenditionFile, RenditionSource } from '../adapters/types.js';
import type { DeliveryView } from '../services/deliveries.js';
import { ApiClient, actOnId, withActingOptions, type ActingOptions } from './api-client.js';
import { TASK_NAMES_ZH, WAITING_FOR_NAMES_ZH } from '../domain/delivery-state.js';
import { deliveryStateZh, errorClassZh } from '../domain/messages-zh.js';
import { commandAgain, inChinese, printable, printJson, printTable, say, timeAhead } from './output.js';

type Common = ActingOptions;

function describe(d: DeliveryView): string {
  const zh = inChinese();
  // In Chinese the state's name leads, with its id (what --state takes); task and waitingFor stay ids.
  const lines = zh
    ? [
        `${d.id}  ${d.channelId}（${d.channelName ?? '?'}）  稿件 ${d.packageId} 第 ${d.revision} 版`,
        `  状态：${deliveryStateZh(d.state)}（${d.state}）${d.task ? `，任务：${TASK_NAMES_ZH[d.task] ?? d.task}（${d.task}）` : ''}${d.waitingFor ? `，正在等待：${WAITING_FOR_NAMES_ZH[d.waitingFor] ?? d.waitingFor}` : ''}，已尝试 ${d.attempts} 次`,
      ]
    : [
        `${d.id}  ${d.channelId} (${d.channelName ?? '?'})  package ${d.packageId} r${d.revision}`,
        `  state: ${d.state}${d.task ? `, task: ${d.task}` : ''}${d.waitingFor ? `, waiting for: ${d.waitingFor}` : ''}, attempts: ${d.attempts}`,
      ];
  if (d.publicUrl) lines.push(say(`  url: ${d.publicUrl}`, `  网址：${d.publicUrl}`));
  if (d.nextAttemptAt) lines.push(say(`  next attempt: ${timeAhead(d.nextAttemptAt)}`, `  下次尝试：${timeAhead(d.nextAttemptAt)}`));
  // In Chinese the class as the console's drawer names it, with its id (what --state and scripts read).
  if (d.errorMessage)
    lines.push(
      zh
        ? `  ${d.errorClass ? `${errorClassZh(d.errorClass)}（${d.errorClass}）` : '错误'}：${d.errorMessageZh || d.errorMessage}`
        : `  ${d.errorClass ?? 'error'}: ${d.errorMessage}`,
    );
  for (const w of (zh && d.warningsZh) || d.warnings) lines.push(say(`  warning: ${w}`, `  警告：${w}`));
  if (d.skippedReason) lines.push(say(`  skipped: ${d.skippedReason}`, `  已跳过：${d.skippedReason}`));
  // A delivery held by its channel's pause says so after the delivery, so nobody takes it for sent
  // or stuck: who paused the channel, when, why, and how it goes out.
  if (d.channelHold) lines.push(zh ? d.channelHold.messageZh : d.channelHold.message);
  // The platform's words (its error message, a warning) are quoted: shown, never acted on by the terminal.
  return printable(lines.join('\n'));
}

const route = (id: string, rest = '') => `/api/deliveries/${encodeURIComponent(id)}${rest}`;

const act = <O extends Common>(call: (api: ApiClient, id: string, options: O) => Promise<DeliveryView>) => actOnId(describe, call);

/** Rendition files of a hand-off bundle, downloaded from the API into a scratch directory. */
function downloadedRenditions(api: ApiClient, files: NonNullable<DeliveryView['bundleFiles']>, scratch: string): RenditionSource {
  return {
    async get(mediaId, spec): Promise<RenditionFile> {
      const file = files.find((f) => f.mediaId === mediaId && f.spec === spec);
      if (!file) throw new GovpubError('bundle_incomplete', `The bundle lists no file for ${spec}; ask operations to retry the delivery.`);
      // The rendition routes need the token like every /api route (without it every bundle failed as "not ready, HTTP 401").
      const { bytes, mime } = await api.download(file.url).catch((error: unknown) => {
        if (error instanceof GovpubError && (error.details as { status?: number }).status === 404)
          throw new GovpubError('rendition_unavailable', `The ${file.purpose} (${spec}) is not ready yet; try again in a moment.`);
        throw error;
      });
      const target = path.join(scratch, `${createHash('sha256').update(`${mediaId}/${spec}`).digest('hex').slice(0, 16)}`);
      fs.writeFileSync(target, bytes);
      return {
        mediaId,
        spec,
        path: target,
        mime,
        sizeBytes: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      };
    },
  };
}

export function registerDeliveryCommands(program: Command): void {
  const deliveries = program.command('deliveries').description('Deliveries: one per package revision × channel; watch and steer them');

  withActingOptions(
    deliveries
      .command('list')
      .description('List deliveries, newest change first, with counts per state')
      .option('--state <state>', 'only this state (pending, live, failed, needs_reconnect, awaiting_manual, unconfirmed, …)')
      .option('--channel <id>', 'only this channel, e.g. wechat_oa:blfb')
      .option('--platform <platform>', 'only this platform')
      .option('--package <id>', 'only this package')
      .option('--unit <id>', "only this unit's channels (GET /api/units lists the ids)")
      .option('--needs-action', 'only deliveries waiting for operations')
      .option('--limit <n>', 'at most this many (default 200)')
      .option('--cursor <cursor>', 'the next page: the cursor a full page printed'),
  ).action(
    async (
      options: Common & {
        state?: string;
        channel?: string;
        platform?: string;
        package?: string;
        unit?: string;
        needsAction?: boolean;
        limit?: string;
        cursor?: string;
      },
    ) => {
      const query = new URLSearchParams();
      if (options.state) query.set('state', options.state);
      if (options.channel) query.set('channel', options.channel);
      if (options.platform) query.set('platform', options.platform);
      if (options.package) query.set('package', options.package);
      if (options.unit) query.set('unit', options.unit);
      if (options.needsAction) query.set('needsAction', 'true');
      if (options.limit) query.set('limit', options.limit);
      if (options.cursor) query.set('cursor', options.cursor);
      const result = await ApiClient.from(options).request<{ items: DeliveryView[]; counts: Record<string, number>; nextCursor: string | null }>(
        'GET',
        `/api/deliveries${query.size ? `?${query}` : ''}`,
      );
      // More behind this page: say how to read on (on stderr, so --json stays parseable). Before, a
      // list cut at --limit (200) looked complete.
      if (result.nextCursor) {
        const again = `${commandAgain(['--cursor'])} --cursor ${result.nextCursor}`;
        process.stderr.write(inChinese() ? `还有更多投递，下一页：${again}\n` : `more deliveries: ${again}\n`);
      }
      if (options.json) return printJson(result);
      const zh = inChinese();
      printTable(
        result.items.map((d) => ({
          id: d.id.slice(0, 8),
          channel: d.channelId,
          package: `${d.packageId}@${d.revision}`,
          state: zh ? deliveryStateZh(d.state) : d.state,
          task: zh && d.task ? (TASK_NAMES_ZH[d.task] ?? d.task) : d.task,
          attempts: d.attempts,
          // Held by its channel's pause: waiting for `channels resume`, not for an attempt (`show` says who paused it, when and why).
          held: d.channelHold
            ? d.channelHold.credentialsRefused
              ? say('credentials refused', '平台拒绝凭据')
              : say(`paused by ${d.channelHold.by ?? '?'}`, `${d.channelHold.by ?? '?'} 已暂停渠道`)
            : null,
          error: ((zh && d.errorMessageZh) || d.errorMessage)?.slice(0, 60),
        })),
        ['id', 'channel', 'package', 'state', 'task', 'attempts', 'held', 'error'],
        { id: '编号', channel: '渠道', package: '稿件', state: '状态', task: '任务', attempts: '尝试次数', held: '暂停', error: '错误' },
      );
      const counts = Object.entries(result.counts);
      // The counts are of every state (the API's, as the board's legend shows them): said so when the list itself is narrower.
      const narrowed = Boolean(options.state || options.needsAction);
      console.log(
        zh
          ? `\n${narrowed ? '各状态的投递数（不限 --state / --needs-action，其他筛选条件照用）：' : ''}${counts.map(([s, n]) => `${deliveryStateZh(s)}：${n}`).join('，') || '没有投递'}`
          : `\n${narrowed ? 'by state, whatever --state or --needs-action (the other filters apply): ' : ''}${counts.map(([s, n]) => `${s}: ${n}`).join(', ') || 'no deliveries'}`,
      );
    },
  );

  withActingOptions(
    deliveries
      .command('show <id>')
      .description('One delivery (id, id prefix or business key) with its payload snapshot; while its channel is paused, who paused it, when and why'),
  ).action(act((api, id) => api.request('GET', route(id))));

  withActingOptions(
    deliveries
      .command('bundle <id>')
      .description('Write a manual hand-off bundle (texts within the platform limits, renditions, 说明.txt with the steps) to a directory')
      .requiredOption('--out <dir>', 'directory to write the bundle to'),
  ).action(async (id: string, options: Common & { out: string }) => {
    const api = ApiClient.from(options);
    const d = await api.request<DeliveryView>('GET', route(id));
    const { isManualPlatform, writeHandoffBundle } = await import('../adapters/manual-handoff.js');
    if (!isManualPlatform(d.platform ?? '')) {
      const { PLATFORM_DECLARATIONS } = await import('../adapters/declarations.js');
      const manual = PLATFORM_DECLARATIONS.filter((p) => isManualPlatform(p.id)).map((p) => p.id);
      throw new GovpubError('not_manual', `${d.channelId} is published through its API; only manual hand-off channels (${manual.join(', ')}) have a bundle.`);
    }
    if (!d.payload || !d.bundleFiles)
      throw new GovpubError('not_prepared', `The bundle of ${d.id} is not prepared yet (state ${d.state}); try again in a moment.`);
    // A directory, made when missing: a file already there is said so before anything is downloaded.
    if (fs.existsSync(options.out) && !fs.statSync(options.out).isDirectory())
      throw new GovpubError(
        'invalid_arguments',
        `--out ${options.out} is a file: give a directory for the bundle (one that does not exist yet is made).`,
        {},
        { zh: `--out ${options.out} 是一个文件：请给出存放素材包的目录（不存在的目录会自动创建）。` },
      );
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-bundle-'));
    try {
      const written = await writeHandoffBundle(d.payload as never, downloadedRenditions(api, d.bundleFiles, scratch), options.out, { deliveryId: d.id });
      if (options.json) printJson({ id: d.id, out: options.out, files: written.files });
      else
        console.log(
          say(
            `bundle for ${d.channelId} written to ${options.out}:\n${written.files.map((f) => `  ${f}`).join('\n')}\nPost it, then: govpub deliveries confirm ${d.id.slice(0, 8)} --url <post URL>`,
            `${d.channelId} 的人工发布素材包已写入 ${options.out}：\n${written.files.map((f) => `  ${f}`).join('\n')}\n在平台上发布后，运行：govpub deliveries confirm ${d.id.slice(0, 8)} --url <帖子网址>`,
          ),
        );
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });

  withActingOptions(
    deliveries.command('retry <id>').description('Try a failed, held or waiting delivery again now (on a paused channel it waits for the resume, and says so)'),
  ).action(act((api, id) => api.request('POST', route(id, '/retry'))));
  withActingOptions(
    deliveries.command('skip <id>').description('Give up on a delivery, with the reason (audited)').requiredOption('--reason <text>', 'why'),
  ).action(act<Common & { reason: string }>((api, id, o) => api.request('POST', route(id, '/skip'), { reason: o.reason })));
  withActingOptions(
    deliveries
      .command('confirm <id>')
      .description('Confirm a manual post with its URL (or a manual take-down, or an unconfirmed post you saw live)')
      .option('--url <url>', 'the address of the post on the platform')
      .option('--note <text>', 'anything worth keeping in the audit trail')
      .option(
        '--posted-at <datetime>',
        'when the post went up, with its offset, e.g. 2026-12-01T09:00:00+08:00 (default: now); it dates the post in the figures',
      ),
  ).action(
    act<Common & { url?: string; note?: string; postedAt?: string }>((api, id, o) =>
      api.request('POST', route(id, '/confirm'), {
        ...(o.url !== undefined ? { url: o.url } : {}),
        ...(o.note !== undefined ? { note: o.note } : {}),
        ...(o.postedAt !== undefined ? { postedAt: o.postedAt } : {}),
      }),
    ),
  );

  const channels = program.commands.find((c) => c.name() === 'channels') ?? program.command('channels');
  const channelRoute = (channel: string, action: string) => `/api/channels/${encodeURIComponent(channel)}/${action}`;
  withActingOptions(
    channels
      .command('pause <channel>')
      .description('Hold every delivery to a channel (audited); a channel already paused is refused, naming who paused it, when and why')
      .requiredOption('--reason <text>', 'why'),
  )
    .option('--idempotency-key <key>', 'the same key again returns the first answer instead of "already paused" (safe retries)')
    .action(async (channel: string, options: Common & { reason: string; idempotencyKey?: string }) => {
      const result = await ApiClient.from(options).request<{ reason: string }>(
        'POST',
        channelRoute(channel, 'pause'),
        { reason: options.reason },
        options.idempotencyKey ? { headers: { 'idempotency-key': options.idempotencyKey } } : {},
      );
      if (options.json) printJson(result);
      else console.log(say(`${channel} paused: ${result.reason}`, `${channel} 已暂停：${result.reason}`));
    });
  withActingOptions(
    channels
      .command('resume <channel>')
      .description(
        'Lift a pause (or the hold after refused credentials, once the platform takes them again) and wake its deliveries; a channel that is not paused is refused',
      ),
  ).action(async (channel: string, options: Common) => {
    const result = await ApiClient.from(options).request<{ woken: number; note: string | null; noteZh: string | null }>(
      'POST',
      channelRoute(channel, 'resume'),
    );
    const note = inChinese() ? result.noteZh : result.note;
    if (options.json) printJson(result);
    else
      console.log(
        say(
          `${channel} resumed; ${result.woken} waiting deliver${result.woken === 1 ? 'y' : 'ies'} woken${note ? `. ${note}` : ''}`,
          `${channel} 已恢复，唤醒了 ${result.woken} 条等待中的投递${note ? `。${note}` : ''}`,
        ),
      );
  });
}
