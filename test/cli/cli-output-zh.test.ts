/**
 * What the CLI prints for a person, with GOVPUB_LANG=zh: sentences, hints on stderr, table headings
 * and summary lines in Chinese (README, GOVPUB_LANG), while the same command without it prints the
 * English it always printed (scripts read it) and `--json` never changes. One command or two of
 * every group, as the real `govpub` process, a few at a time against this file's own API, worker
 * and database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registerMediaRoutes } from '../../api/media-routes.js';
import { buildApi } from '../../api/server.js';
import { LocalMediaStore } from '../../media/index.js';
import { MediaService } from '../../services/media.js';
import { terminalWidth } from '../../domain/text.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';
import { runCli, type CliResult } from '../support/cli.js';
import { apiCaller, apiReleaser, until } from '../support/http.js';

let app: TestApp;
let api: FastifyInstance;
let dir: string;
let base: string;
/** Without GOVPUB_LANG (English); `zh` adds it. */
let env: Record<string, string>;
const tokens: Record<string, string> = {};

const zh = (extra: Record<string, string> = {}) => ({ ...env, GOVPUB_LANG: 'zh', ...extra });
const en = (extra: Record<string, string> = {}) => ({ ...env, ...extra });
const cli = (args: string[], withEnv: Record<string, string>) => runCli(args, withEnv, undefined, { timeoutMs: 120_000 });
const ok = (result: CliResult): CliResult => {
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
};
/** The first line of `text`, e.g. a table's heading line. */
const firstLine = (text: string) => text.split('\n')[0]!;
/** An API instant (UTC) as the CLI's tables show it: Beijing time, to the second (written here, not imported, so the CLI's helper is checked). */
const beijing = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');

beforeAll(async () => {
  app = await startTestApp();
  await app.startWorker();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-cli-zh-'));
  const media = new MediaService(app.ctx, { store: new LocalMediaStore(path.join(dir, 'media')) });
  api = await buildApi(app.ctx, {
    logger: false,
    register: async (instance, helpers) => registerMediaRoutes(instance, { ...app.ctx, media }, helpers.requireActor),
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  tokens.editor = (await app.user('zh-editor', 'editor')).token;
  tokens.ops = (await app.user('zh-ops', 'ops')).token;
  for (const stage of ['初审', '复审', '终审']) tokens[stage] = (await app.user(`zh-${stage}`, 'reviewer', [stage])).token;
  env = {
    GOVPUB_API_URL: base,
    GOVPUB_TOKEN: tokens.ops!,
    GOVPUB_DATA_DIR: path.join(dir, 'data'),
    GOVPUB_MEDIA_DIR: path.join(dir, 'media'),
    DATABASE_URL: app.databaseUrl,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    GOVPUB_TASK_QUEUE: app.taskQueue,
    GOVPUB_LANG: '',
  };
}, 180_000);

afterAll(async () => {
  await api?.close();
  await app?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('GOVPUB_LANG=zh: local administration', () => {
  it('config check, wording check, channels list, db status: Chinese lines and headings; English without it', async () => {
    const [config, configEn, wording, wordingEn] = await Promise.all([
      cli(['config', 'check'], zh()),
      cli(['config', 'check'], en()),
      cli(['wording', 'check'], zh()),
      cli(['wording', 'check'], en()),
    ]);
    expect(ok(config).stdout).toMatch(
      /^配置检查通过：门户网站栏目 \d+ 个（重点领域 \d+ 个），政务新媒体账号 \d+ 个，.*审核环节 初审 → 复审 → 终审；门户网站 .+；词库 \d+ 条$/m,
    );
    expect(config.stdout).toMatch(/^工作日日历：.+，覆盖 \d{4}/m);
    expect(config.stdout).toMatch(/^ffmpeg (.+，来源 .+：.+|未找到：.+)$/m);
    expect(config.stdout).toMatch(/^水印字体：/m);
    expect(config.stdout).not.toMatch(/config OK|working-day calendar|watermark font| from /);
    expect(ok(configEn).stdout).toMatch(
      /^config OK: \d+ portal columns \(\d+ key areas\), \d+ accounts, .*stages 初审 → 复审 → 终审; portal site .+; wording list \d+ entries$/m,
    );
    expect(configEn.stdout).toMatch(/^working-day calendar: .+, \d{4}/m);
    expect(configEn.stdout).toMatch(/^ffmpeg (.+ from .+|NOT FOUND: .+)$/m);
    expect(configEn.stdout).toMatch(/^watermark font: /m);
    // From November the calendar may lack next year: the warning on stderr is Chinese too.
    if (configEn.stderr.includes('govpub: warning: The working-day calendar')) expect(config.stderr).toMatch(/^govpub: 警告：工作日日历（.+）覆盖 /m);

    expect(ok(wording).stdout).toMatch(
      /^词库检查通过：.+wording\.yaml：共 \d+ 条（错别字词 \d+ 条，禁用语 \d+ 条，人名与职务 \d+ 条；阻止提交 \d+ 条，提示 \d+ 条）\n$/,
    );
    expect(ok(wordingEn).stdout).toMatch(
      /^wording list OK: .+wording\.yaml: \d+ entries \(\d+ wrong forms, \d+ blocked terms, \d+ names and titles; \d+ blocking, \d+ warnings\)\n$/,
    );
    // A locale as LANG writes it counts as Chinese too (zh_CN.UTF-8 printed English); zhx does not.
    const locales = await Promise.all(['zh_CN.UTF-8', 'zh_CN', 'ZH-cn', 'zhx'].map((lang) => cli(['wording', 'check'], zh({ GOVPUB_LANG: lang }))));
    expect(locales.map((r) => ok(r).stdout.slice(0, 6))).toEqual(['词库检查通过', '词库检查通过', '词库检查通过', 'wordin']);

    const [channels, channelsEn, status, statusEn] = await Promise.all([
      cli(['channels', 'list', '--platform', 'weibo'], zh({ GOVPUB_TOKEN: '' })),
      cli(['channels', 'list', '--platform', 'weibo'], en({ GOVPUB_TOKEN: '' })),
      cli(['db', 'status'], zh()),
      cli(['db', 'status'], en()),
    ]);
    // The headings in Chinese, the rows as they are (ids, platform ids), the columns still aligned.
    expect(firstLine(ok(channels).stdout)).toMatch(/^编号 +平台 +发布方式 +名称 +所属单位$/);
    const zhLines = channels.stdout.trimEnd().split('\n');
    expect(zhLines.length).toBeGreaterThan(1);
    expect(zhLines[1]).toMatch(/^weibo:\S+ +weibo +\S+ +\S/);
    expect(zhLines[1]!.indexOf(' weibo ') + 1).toBe(displayWidthBefore(zhLines[0]!, '平台'));
    expect(channels.stderr).toBe('此列表读自注册表，不显示暂停情况。提供您的令牌（--token 或 GOVPUB_TOKEN）即可通过 API 读取，并列出各渠道的暂停情况。\n');
    expect(firstLine(ok(channelsEn).stdout)).toMatch(/^id +platform +publishing +name +ownerUnit$/);
    const cells = (text: string) =>
      text
        .split('\n')
        .slice(1)
        .map((line) => line.split(/ {2,}/));
    expect(cells(channelsEn.stdout)).toEqual(cells(channels.stdout));
    expect(channelsEn.stderr).toBe(
      'Pauses are not shown: this list is read from the registry. Give your token (--token or GOVPUB_TOKEN) to read it through the API with each channel’s pause.\n',
    );

    expect(firstLine(ok(status).stdout)).toMatch(/^迁移 +执行时间（北京时间）$/);
    expect(firstLine(ok(statusEn).stdout)).toMatch(/^migration +applied \(Beijing time\)$/);
    expect(statusEn.stdout.split('\n')[1]).toMatch(/ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('users add keeps the token as the last line in Chinese too; users list and set-role speak Chinese', async () => {
    const [added, addedEn] = await Promise.all([
      cli(['users', 'add', 'zh.wang', '--role', 'reviewer', '--stages', '初审'], zh()),
      cli(['users', 'add', 'en.wang', '--role', 'reviewer', '--stages', '初审'], en()),
    ]);
    const lines = ok(added).stdout.trimEnd().split('\n');
    expect(lines.slice(0, -2)).toEqual([
      '已创建用户 zh.wang，角色 审核人（reviewer），审核环节 初审（first）',
      expect.stringMatching(/^控制台登录密码：\S{10,}$/),
      '（首次登录密码：本人登录后请用控制台右上角的“修改密码”换成自己的密码）',
    ]);
    expect(lines.at(-2)).toBe('API 令牌（只显示这一次）：');
    // Scripts take the token with `| tail -1`, whatever the language.
    expect(lines.at(-1)).toMatch(/^gp_[\w-]{32}$/);
    const linesEn = ok(addedEn).stdout.trimEnd().split('\n');
    expect(linesEn.slice(0, -1)).toEqual([
      'created user en.wang, role reviewer, stages 初审 (first)',
      expect.stringMatching(/^password: \S{10,}$/),
      "(a first password: its owner replaces it after signing in, with 修改密码 in the console's header)",
      'API token:',
    ]);
    expect(linesEn.at(-1)).toMatch(/^gp_[\w-]{32}$/);

    const [listed, listedEn, changed, changedEn] = await Promise.all([
      cli(['users', 'list'], zh()),
      cli(['users', 'list'], en()),
      cli(['users', 'set-role', 'zh.wang', 'reviewer', '--stages', '复审'], zh()),
      cli(['users', 'set-role', 'en.wang', 'reviewer', '--stages', '复审'], en()),
    ]);
    expect(firstLine(ok(listed).stdout)).toMatch(/^用户名 +角色 +审核环节 +单位 +创建时间（北京时间） +停用时间（北京时间） +令牌到期（北京时间）$/);
    expect(firstLine(ok(listedEn).stdout)).toMatch(
      /^name +role +stages +unit +created \(Beijing time\) +disabled \(Beijing time\) +token expires \(Beijing time\)$/,
    );
    // The role and the stages as people name them (the stage's move may land before or after the list).
    expect(listed.stdout).toMatch(/^en\.wang +审核人（reviewer） +(初审|复审) +\d{4}-/m);
    expect(listedEn.stdout).toMatch(/^zh\.wang +reviewer +(first|second) +\d{4}-/m);
    expect(ok(changed).stdout).toBe(
      'zh.wang 现为审核人（reviewer），负责 复审（second）（原为审核人（reviewer），负责 初审（first））；自其下一次请求起生效\n',
    );
    expect(ok(changedEn).stdout).toBe('en.wang is now reviewer at 复审 (second) (was reviewer at 初审 (first)); from their next request\n');
  });
});

describe('GOVPUB_LANG=zh: acting through the API', () => {
  it('packages create, submit, list and show, deliveries list and show, audit: Chinese sentences, headings and state names', async () => {
    const call = apiCaller(() => base);
    const file = path.join(dir, 'package.json');
    fs.writeFileSync(file, JSON.stringify(policyPackage(app.registry, { title: 'CLI 中文输出：草稿' })));
    const asEditor = { GOVPUB_TOKEN: tokens.editor! };
    const [created, createdEn] = await Promise.all([
      cli(['packages', 'create', '--file', file], zh(asEditor)),
      cli(['packages', 'create', '--file', file], en(asEditor)),
    ]);
    const id = /^已创建稿件 (\S+)（草稿，第 1 版）\n$/.exec(ok(created).stdout)?.[1];
    expect(id, created.stdout).toBeDefined();
    expect(ok(createdEn).stdout).toMatch(/^created \S+ \(draft, revision 1\)\n$/);
    const idEn = createdEn.stdout.split(' ')[1]!;

    const [submitted, submittedEn] = await Promise.all([cli(['packages', 'submit', id!], zh(asEditor)), cli(['packages', 'submit', idEn], en(asEditor))]);
    expect(ok(submitted).stdout).toBe(`${id}：审核中，当前环节 初审（first），第 1 版\n`);
    expect(ok(submittedEn).stdout).toBe(`${idEn}: in_review at 初审 (first), revision 1\n`);

    // A release time typed with its offset is said back in Beijing time with how far off it is,
    // so a wrong offset shows at once; --cancel says the release waits.
    const tomorrow = new Date(Date.now() + 86_400_000);
    const at = `${beijing(tomorrow.toISOString()).slice(0, 10)}T09:30:00+08:00`;
    const [scheduled, scheduledEn] = await Promise.all([
      cli(['packages', 'schedule', id!, '--at', at], zh(asEditor)),
      cli(['packages', 'schedule', idEn, '--at', at], en(asEditor)),
    ]);
    const shown = `${at.slice(0, 10)} 09:30:00`;
    expect(ok(scheduled).stdout).toMatch(
      new RegExp(`^${id}：审核中，当前环节 初审（first），第 1 版，定于 ${shown}（北京时间，约 \\d+ (小时|分钟)后）发布\n$`),
    );
    expect(ok(scheduledEn).stdout).toMatch(
      new RegExp(`^${idEn}: in_review at 初审 \\(first\\), revision 1, release at ${shown} \\(Beijing time, in \\d+ (h|min)\\)\n$`),
    );
    const held = ok(await cli(['packages', 'schedule', idEn, '--cancel'], en(asEditor)));
    expect(held.stdout).toBe(`${idEn}: in_review at 初审 (first), revision 1, release waits (no time set: schedule it or release it)\n`);
    const shownPackage = ok(await cli(['packages', 'show', id!], zh(asEditor)));
    expect(shownPackage.stdout).toContain(`，发布时间 ${shown}（北京时间）`);

    // Released through the API (the editor, then one reviewer per stage): its deliveries go live.
    const released = await apiReleaser(call, tokens as never)(policyPackage(app.registry, { title: 'CLI 中文输出：已发布' }));
    await until('the deliveries to go live', async () => {
      const { body } = await call('GET', `/api/deliveries?package=${released}`, tokens.ops);
      return body.items.length > 0 && body.items.every((d: { state: string }) => d.state === 'live') ? true : undefined;
    });
    const deliveryId = (await call('GET', `/api/deliveries?package=${released}`, tokens.ops)).body.items[0].id as string;

    const [list, listEn, show, showEn, deliveries, deliveriesEn, delivery, deliveryEn] = await Promise.all([
      cli(['packages', 'list', '--limit', '1'], zh()),
      cli(['packages', 'list', '--limit', '1'], en()),
      cli(['packages', 'show', released], zh()),
      cli(['packages', 'show', released], en()),
      cli(['deliveries', 'list', '--package', released], zh()),
      cli(['deliveries', 'list', '--package', released], en()),
      cli(['deliveries', 'show', deliveryId], zh()),
      cli(['deliveries', 'show', deliveryId], en()),
    ]);
    expect(firstLine(ok(list).stdout)).toMatch(/^编号 +状态 +当前环节 +版本 +标题$/);
    expect(list.stdout.split('\n')[1]).toMatch(/^\S+ +(已发布|发布中|审核中) /);
    expect(list.stderr).toMatch(/^还有更多稿件：加 --cursor \S+ 查看下一页，或加 --all 列出全部\n$/);
    expect(firstLine(ok(listEn).stdout)).toMatch(/^id +status +currentStage +revision +title$/);
    expect(listEn.stdout.split('\n')[1]).toMatch(/^\S+ +(released|releasing|in_review) /);
    expect(listEn.stderr).toMatch(/^more packages: add --cursor \S+ for the next page, or --all for every page\n$/);

    expect(ok(show).stdout).toMatch(new RegExp(`^${released}  CLI 中文输出：已发布\n状态：已发布，第 1 版(，发布时间 \\S+ \\S+（北京时间）)?\n`));
    expect(show.stdout).toMatch(/^ {2}初审（first）：zh-初审 审核通过（第 1 版）$/m);
    expect(show.stdout).toMatch(/^渠道 +投递状态 +上线时间（北京时间） +网址$/m);
    // The time a delivery went live, in Beijing time (it was the API's UTC instant, 8 hours off for a reader here).
    const portalLive = ((await call('GET', `/api/packages/${released}`, tokens.ops)).body.deliveries as { channelId: string; liveAt: string }[]).find((d) =>
      d.channelId.startsWith('portal:'),
    )!;
    expect(show.stdout).toMatch(new RegExp(`^${portalLive.channelId} +已上线 +${beijing(portalLive.liveAt)} +http`, 'm'));
    expect(ok(showEn).stdout).toMatch(new RegExp(`^${released}  CLI 中文输出：已发布\nstatus released, revision 1(, release at \\S+)?\n`));
    expect(showEn.stdout).toMatch(/^ {2}approved at 初审 \(first\) by zh-初审, revision 1$/m);
    expect(showEn.stdout).toMatch(/^channelId +state +live \(Beijing time\) +publicUrl$/m);
    expect(showEn.stdout).toMatch(new RegExp(`^${portalLive.channelId} +live +${beijing(portalLive.liveAt)} +http`, 'm'));

    expect(firstLine(ok(deliveries).stdout)).toMatch(/^编号 +渠道 +稿件 +状态 +任务 +尝试次数 +暂停 +错误$/);
    expect(deliveries.stdout).toMatch(/^\S{8} +portal:\S+ +\S+@1 +已上线 +\d+$/m);
    expect(deliveries.stdout).toMatch(/\n\n已上线：\d+\n$/);
    expect(firstLine(ok(deliveriesEn).stdout)).toMatch(/^id +channel +package +state +task +attempts +held +error$/);
    expect(deliveriesEn.stdout).toMatch(/\n\nlive: \d+\n$/);
    // Narrowed to a state, the list's counts are still of every state: said so.
    const [onlyLive, onlyLiveEn] = await Promise.all([
      cli(['deliveries', 'list', '--package', released, '--state', 'live'], zh()),
      cli(['deliveries', 'list', '--package', released, '--state', 'live'], en()),
    ]);
    expect(ok(onlyLive).stdout).toMatch(/\n\n各状态的投递数（不限 --state \/ --needs-action，其他筛选条件照用）：已上线：\d+\n$/);
    expect(ok(onlyLiveEn).stdout).toMatch(/\n\nby state, whatever --state or --needs-action \(the other filters apply\): live: \d+\n$/);
    expect(ok(delivery).stdout).toMatch(/^ {2}状态：已上线（live），已尝试 \d+ 次$/m);
    expect(delivery.stdout).toMatch(new RegExp(`^${deliveryId}  \\S+（.+）  稿件 ${released} 第 1 版$`, 'm'));
    expect(ok(deliveryEn).stdout).toMatch(/^ {2}state: live, attempts: \d+$/m);
    expect(deliveryEn.stdout).toMatch(new RegExp(`^${deliveryId}  \\S+ \\(.+\\)  package ${released} r1$`, 'm'));

    // --json is the same whatever the language.
    const [json, jsonEn, audit, auditEn] = await Promise.all([
      cli(['deliveries', 'list', '--package', released, '--json'], zh()),
      cli(['deliveries', 'list', '--package', released, '--json'], en()),
      cli(['audit', '--package', released, '--limit', '1'], zh()),
      cli(['audit', '--package', released, '--limit', '1'], en()),
    ]);
    expect(JSON.parse(ok(json).stdout)).toEqual(JSON.parse(ok(jsonEn).stdout));
    expect(firstLine(ok(audit).stdout)).toMatch(/^编号 +时间（北京时间） +操作人 +操作 +稿件 +版本 +渠道 +详情$/);
    const [entry] = (await call('GET', `/api/audit?package=${released}&limit=1`, tokens.ops)).body.entries as { id: number; at: string; action: string }[];
    expect(entry!.action).toBe('create');
    // The time in Beijing time; the action as the console names it, with its id (what --action takes).
    expect(audit.stdout.split('\n')[1]).toMatch(new RegExp(`^${entry!.id} +${beijing(entry!.at)} +\\S+ +创建发布包（create） `));
    expect(auditEn.stdout.split('\n')[1]).toMatch(new RegExp(`^${entry!.id} +${beijing(entry!.at)} +\\S+ +create `));
    expect(audit.stderr).toMatch(/^还有更多审计记录，下一页：govpub audit --package \S+ --limit 1 --after \d+\n$/);
    expect(firstLine(ok(auditEn).stdout)).toMatch(/^id +at \(Beijing time\) +actor +action +packageId +revision +channelId +details$/);
    expect(auditEn.stderr).toMatch(/^more entries: govpub audit --package \S+ --limit 1 --after \d+\n$/);
  });

  it('channels pause, list (with a token) and resume', async () => {
    const channel = 'weibo:' + app.registry.accounts.find((a) => a.platform === 'weibo')!.id;
    const paused = ok(await cli(['channels', 'pause', channel, '--reason', '账号年检'], zh()));
    expect(paused.stdout).toBe(`${channel} 已暂停：账号年检\n`);
    const [listed, listedEn] = await Promise.all([
      cli(['channels', 'list', '--platform', 'weibo'], zh()),
      cli(['channels', 'list', '--platform', 'weibo'], en()),
    ]);
    expect(firstLine(ok(listed).stdout)).toMatch(/^编号 +平台 +发布方式 +名称 +所属单位 +暂停情况$/);
    expect(listed.stdout).toMatch(new RegExp(`^${channel} .+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d.*（北京时间）由 zh-ops 暂停：账号年检$`, 'm'));
    expect(firstLine(ok(listedEn).stdout)).toMatch(/^id +platform +publishing +name +ownerUnit +paused$/);
    expect(listedEn.stdout).toMatch(new RegExp(`^${channel} .+since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d.* \\(Beijing time\\) by zh-ops: 账号年检$`, 'm'));
    // (test/cli/operations-cli.test.ts reads the English `resumed; N waiting deliveries woken`.)
    const resumed = ok(await cli(['channels', 'resume', channel], zh()));
    expect(resumed.stdout).toBe(`${channel} 已恢复，唤醒了 0 条等待中的投递\n`);
  });

  it('media add, list and status; stats --out; examples load', async () => {
    const picture = path.join(dir, '通知配图.png');
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#2a9d8f' } })
      .png()
      .toFile(picture);
    const added = ok(await cli(['media', 'add', picture], zh({ GOVPUB_TOKEN: tokens.editor! })));
    const [first, second] = added.stdout.split('\n');
    const mediaId = /^已上传 ([0-9a-f]{64})$/.exec(first!)?.[1];
    expect(mediaId, added.stdout).toBeDefined();
    expect(second).toMatch(/^ {2}图片 image\/png 64×48，\d+ 字节（通知配图\.png）$/);
    const out = path.join(dir, 'annual.csv');
    const outEn = path.join(dir, 'annual-en.csv');
    const [again, list, listEn, status, stats, statsEn] = await Promise.all([
      cli(['media', 'add', picture], en({ GOVPUB_TOKEN: tokens.editor! })),
      cli(['media', 'list'], zh({ GOVPUB_TOKEN: tokens.editor! })),
      cli(['media', 'list'], en({ GOVPUB_TOKEN: tokens.editor! })),
      cli(['media', 'status', mediaId!], zh({ GOVPUB_TOKEN: tokens.editor! })),
      cli(['stats', '--year', '2026', '--format', 'csv', '--out', out], zh()),
      cli(['stats', '--year', '2026', '--format', 'csv', '--out', outEn], en()),
    ]);
    expect(ok(again).stdout).toMatch(new RegExp(`^already stored ${mediaId}\n {2}image image/png 64×48, \\d+ bytes {2}\\(通知配图\\.png\\)\n {2}note: `));
    expect(firstLine(ok(list).stdout)).toMatch(/^编号 +类别 +格式 +尺寸 +时长 +字节数 +文件名 +上传时间（北京时间）$/);
    const { createdAt } = (
      JSON.parse(ok(await cli(['media', 'list', '--json'], en({ GOVPUB_TOKEN: tokens.editor! }))).stdout) as { id: string; createdAt: string }[]
    ).find((m) => m.id === mediaId)!;
    expect(list.stdout).toMatch(
      new RegExp(`^${mediaId!.slice(0, 12)} +图片 +image/png +64×48 +\\d+ +通知配图\\.png +${beijing(createdAt).slice(0, 16)}$`, 'm'),
    );
    expect(firstLine(ok(listEn).stdout)).toMatch(/^id +kind +type +size +duration +bytes +name +added \(Beijing time\)$/);
    expect(ok(status).stdout).toMatch(new RegExp(`^${mediaId}\n {2}图片 image/png 64×48，`));
    expect(ok(stats).stderr).toMatch(/^已写入 .+annual\.csv（\d+ 字节）\n$/);
    expect(ok(statsEn).stderr).toMatch(/^wrote .+annual-en\.csv \(\d+ bytes\)\n$/);

    const loaded = ok(await cli(['examples', 'load', '--only', 'news-volunteers'], zh({ GOVPUB_TOKEN: tokens.editor! })));
    expect(loaded.stdout).toMatch(/^媒体 {2}news\.jpg：图片 [0-9a-f]{12}…$/m);
    expect(loaded.stdout).toMatch(/^稿件 {2}news-volunteers\.json：已创建 \S+「.+」（草稿）$/m);
    expect(loaded.stdout).toMatch(/^编号 +状态 +标题$/m);
    expect(loaded.stdout).toMatch(/^提交审核：govpub packages submit \S+（或载入时加 --submit）。$/m);
    const loadedEn = ok(await cli(['examples', 'load', '--only', 'news-volunteers'], en({ GOVPUB_TOKEN: tokens.editor! })));
    expect(loadedEn.stdout).toMatch(/^media {4}news\.jpg: image [0-9a-f]{12}… \(already uploaded\)$/m);
    expect(loadedEn.stdout).toMatch(/^package {2}news-volunteers\.json: already there as \S+ \(draft\); --again creates another$/m);
    expect(loadedEn.stdout).toMatch(/^id +status +title$/m);
  });

  it('compliance external-release, packages repair and tools ensure (local, through Temporal)', async () => {
    const created = await apiCaller(() => base)('POST', '/api/packages', tokens.editor, policyPackage(app.registry, { title: 'CLI 中文输出：修复检查' }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const release = (externalId: string) => [
      'compliance',
      'external-release',
      externalId,
      '--title',
      `关于${externalId}的通知`,
      '--document-live-at',
      '2026-03-02T09:00:00+08:00',
    ];
    const [external, externalEn, repair, repairEn, tools, toolsEn] = await Promise.all([
      cli(release('zh-ext-1'), zh()),
      cli(release('en-ext-1'), en()),
      cli(['packages', 'repair', id], zh()),
      cli(['packages', 'repair', id], en()),
      cli(['tools', 'ensure'], zh()),
      cli(['tools', 'ensure'], en()),
    ]);
    expect(ok(external).stdout).toBe('已登记外部发布的文件 zh-ext-1：下一次合规检查将核查其解读的发布时限\n');
    expect(ok(externalEn).stdout).toBe("recorded external release en-ext-1: the next compliance run checks its interpretation's timing\n");
    expect(ok(repair).stdout).toBe(`${id}：数据库与工作流一致\n`);
    expect(ok(repairEn).stdout).toBe(`${id}: ok\n`);
    expect(ok(tools).stdout).toMatch(/^Temporal 命令行工具：.+（来源：\S+）\n$/);
    expect(ok(toolsEn).stdout).toMatch(/^temporal CLI: .+ \(from \S+\)\n$/);
  });
});

/** How many terminal columns come before `heading` in a heading line (a Chinese character takes two). */
function displayWidthBefore(line: string, heading: string): number {
  return terminalWidth(line.slice(0, line.indexOf(heading)));
}
