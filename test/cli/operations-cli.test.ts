/**
 * `govpub channels resume`, `govpub deliveries retry|show` and `govpub media status` as an operator runs
 * them (the real command, a child process) against this file's own API, workers and platform
 * simulators: a command that did nothing, or whose delivery now waits for a paused channel, says
 * so, and the renditions a delivery made are listed with the picture's.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registerMediaRoutes } from '../../api/media-routes.js';
import { buildApi } from '../../api/server.js';
import { MediaService } from '../../services/media.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { richPolicyPackage, startReleaseWorld, type ReleaseWorld } from '../delivery/support.js';
import { apiCaller, apiReleaser } from '../support/http.js';
import { specNameZh, specNames } from '../../media/specs.js';

let world: ReleaseWorld;
let app: TestApp;
let api: FastifyInstance;
let base: string;
let env: Record<string, string>;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  world = await startReleaseWorld({ faults: false });
  app = await startTestApp({ deps: world.deps, platformCaps: world.platforms });
  await app.startWorker();
  const media = new MediaService(app.ctx, { store: world.mediaStore });
  api = await buildApi(app.ctx, {
    logger: false,
    register: async (instance, helpers) => registerMediaRoutes(instance, { ...app.ctx, media }, helpers.requireActor),
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  const editor = await app.user('cli-ops-editor', 'editor');
  tokens.editor = editor.token;
  await world.registerMedia(app.db, editor.actor.id);
  tokens.ops = (await app.user('cli-ops-duty', 'ops')).token;
  for (const stage of ['初审', '复审', '终审']) tokens[stage] = (await app.user(`cli-ops-${stage}`, 'reviewer', [stage])).token;
  env = {
    GOVPUB_API_URL: base,
    GOVPUB_TOKEN: tokens.ops,
    DATABASE_URL: app.databaseUrl,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    GOVPUB_TASK_QUEUE: app.taskQueue,
  };
}, 180_000);

afterAll(async () => {
  await api?.close();
  await app?.close();
  await world?.close();
});

const call = apiCaller(() => base);

const releaseThroughApi = apiReleaser(call, tokens);

async function deliveryOf(packageId: string, channelId: string): Promise<{ id: string; state: string; waitingFor?: string }> {
  const listed = await call('GET', `/api/deliveries?package=${packageId}&channel=${encodeURIComponent(channelId)}`, tokens.ops!);
  const item = listed.body.items[0] as { id: string } | undefined;
  return item ? (await call('GET', `/api/deliveries/${item.id}`, tokens.ops!)).body : { id: '', state: 'none' };
}

const resumes = (channelId: string) =>
  app.db.selectFrom('audit_log').select('id').where('channel_id', '=', channelId).where('action', '=', 'channel_resumed').execute();

describe('govpub channels resume', () => {
  it(
    'refuses a channel that is not paused (exit 1, the sentence in English or Chinese, no audit entry), and names the last resume',
    { timeout: 180_000 },
    async () => {
      const channel = 'weibo:jkbl-wb';
      const refused = await runCli(['channels', 'resume', channel], env);
      expect(refused.code, refused.stdout).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(
        /^govpub: Channel weibo:jkbl-wb \(.+\) is not paused, so there is nothing to resume; nothing was changed\. Check the channel id: GET \/api\/channels\?paused=true lists the paused channels\. To try a delivery waiting on this channel again now, use `govpub deliveries retry ID`\./,
      );
      const inChinese = await runCli(['channels', 'resume', channel], { ...env, GOVPUB_LANG: 'zh' });
      expect(inChinese.code).toBe(1);
      expect(inChinese.stderr).toMatch(/^govpub: 渠道“.+”（weibo:jkbl-wb）没有暂停，无需恢复，本次未做任何更改。请核对渠道编号/);
      const json = await runCli(['channels', 'resume', channel, '--json'], env);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'channel_not_paused', messageZh: expect.stringContaining('没有暂停') });
      expect(await resumes(channel)).toEqual([]);

      // Paused and resumed, a second resume (a colleague's, or a retry) names the first.
      expect((await runCli(['channels', 'pause', channel, '--reason', '账号年检中'], env)).code).toBe(0);
      const resumed = await runCli(['channels', 'resume', channel], env);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toMatch(/^weibo:jkbl-wb resumed; 0 waiting deliveries woken$/m);
      const again = await runCli(['channels', 'resume', channel], env);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(
        /is not paused, so there is nothing to resume; nothing was changed \(it was last resumed by cli-ops-duty at \d{4}-\d\d-\d\d \d\d:\d\d.*, Beijing time\)\./,
      );
      expect(await resumes(channel)).toHaveLength(1);
    },
  );
});

describe('govpub packages submit --base-revision', () => {
  it('refuses a revision the package has left since (exit 1, concurrent_edit, nothing submitted), and submits the one named', async () => {
    const body = richPolicyPackage(world, ['portal:zwgk-zcwj-zcjd-wz'], '关于调整城市道路临时占用收费标准的通知');
    const created = await call('POST', '/api/packages', tokens.editor, body);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    // Saved again elsewhere: revision 2.
    expect((await call('PUT', `/api/packages/${id}`, tokens.editor, { ...body, title: `${body.title}（修订）` })).body.revision).toBe(2);
    const editorEnv = { ...env, GOVPUB_TOKEN: tokens.editor! };

    const refused = await runCli(['packages', 'submit', id, '--base-revision', '1'], { ...editorEnv, GOVPUB_LANG: 'zh' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/您看到的是第 1 版.*已保存为第 2 版.*本次没有提交/);
    expect((await call('GET', `/api/packages/${id}`, tokens.editor)).body.status).toBe('draft');
    const typo = await runCli(['packages', 'submit', id, '--base-revision', 'two'], editorEnv);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('--base-revision "two" is not a revision number');

    const submitted = await runCli(['packages', 'submit', id, '--base-revision', '2', '--json'], editorEnv);
    expect(submitted.code, submitted.stderr).toBe(0);
    expect(JSON.parse(submitted.stdout)).toMatchObject({ status: 'in_review', revision: 2 });
  });
});

describe('govpub channels list', () => {
  it('with a token shows each pause (since when, by whom, why), as the API has it; without one lists the registry and says pauses are not shown', async () => {
    const channel = 'weibo:blfb-wb';
    expect((await runCli(['channels', 'pause', channel, '--reason', '账号迁移中'], env)).code).toBe(0);
    try {
      const listed = await runCli(['channels', 'list', '--platform', 'weibo'], env);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout.split('\n')[0]).toMatch(/^id +platform +publishing +name +ownerUnit +paused$/);
      const row = listed.stdout.split('\n').find((l) => l.startsWith(`${channel} `));
      expect(row).toMatch(/since \d{4}-\d\d-\d\d \d\d:\d\d \(Beijing time\) by cli-ops-duty: 账号迁移中$/);
      // Another weibo account, not paused, has an empty paused column.
      const others = listed.stdout.split('\n').filter((l) => l.startsWith('weibo:') && !l.startsWith(`${channel} `));
      expect(others.length).toBeGreaterThan(0);
      for (const other of others) expect(other).not.toMatch(/Beijing time/);
      expect(listed.stderr).toBe('');

      const json = await runCli(['channels', 'list', '--json'], env);
      const item = (JSON.parse(json.stdout) as { id: string; paused: boolean; pausedBy: string; pausedReason: string; pausedAt: string }[]).find(
        (c) => c.id === channel,
      );
      expect(item).toMatchObject({ paused: true, pausedBy: 'cli-ops-duty', pausedReason: '账号迁移中', pausedAt: expect.stringMatching(/^\d{4}-/) });

      // No token (no API needed): the registry's list as before, and a sentence saying the pauses are missing.
      const offline = await runCli(['channels', 'list', '--platform', 'weibo', '--json'], { ...env, GOVPUB_TOKEN: '', GOVPUB_API_URL: '' });
      expect(offline.code, offline.stderr).toBe(0);
      const fromRegistry = JSON.parse(offline.stdout) as { id: string; paused?: unknown }[];
      expect(fromRegistry.map((c) => c.id)).toContain(channel);
      expect(fromRegistry.every((c) => c.paused === undefined)).toBe(true);
      expect(offline.stderr).toMatch(/^Pauses are not shown: this list is read from the registry\. Give your token \(--token or GOVPUB_TOKEN\)/);
    } finally {
      await runCli(['channels', 'resume', channel], env);
    }
  });
});

describe('govpub deliveries retry and show', () => {
  it(
    'on a paused channel: accepted (exit 0), and says the delivery waits for the channel, who paused it and why, as show does later; the resume sends it',
    { timeout: 180_000 },
    async () => {
      const channel = 'wechat_oa:blfb';
      // WeChat fails the publishing job once: the delivery fails and waits for operations (a retry posts it again).
      world.simulators.simulators.wechat_oa.state.addFault({ match: '/cgi-bin/freepublish/submit', method: 'POST', kind: 'async_fail', count: 1 });
      const id = await releaseThroughApi(richPolicyPackage(world, [channel, 'portal:zwgk-zcwj-zcjd-wz'], '关于公布区级行政许可事项清单的通知'));
      await expect.poll(async () => (await deliveryOf(id, channel)).waitingFor, { timeout: 120_000, interval: 300 }).toBe('operator');
      const failed = await deliveryOf(id, channel);
      expect(failed.state).toBe('failed');

      expect((await runCli(['channels', 'pause', channel, '--reason', '账号迁移，暂停发布'], env)).code).toBe(0);
      const retried = await runCli(['deliveries', 'retry', failed.id], env);
      expect(retried.code, retried.stderr).toBe(0);
      expect(retried.stdout).toMatch(
        /^Channel wechat_oa:blfb \(.+\) is paused \(by cli-ops-duty at \d{4}-\d\d-\d\d \d\d:\d\d.*, Beijing time; reason: "账号迁移，暂停发布"\)\. This delivery waits for the channel and goes out once it is resumed \(govpub channels resume wechat_oa:blfb\)\.$/m,
      );
      // It now waits for the channel, not for operations, and nothing was sent.
      await expect.poll(async () => (await deliveryOf(id, channel)).waitingFor, { timeout: 60_000, interval: 300 }).toBe('channel');
      expect((await deliveryOf(id, channel)).state).toBe('pending');

      const json = await runCli(['deliveries', 'retry', failed.id, '--json'], env);
      expect(json.code, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout).channelHold).toMatchObject({
        channelId: channel,
        by: 'cli-ops-duty',
        reason: '账号迁移，暂停发布',
        credentialsRefused: false,
        messageZh: expect.stringMatching(/^渠道“.+”已于 .+（北京时间）由 cli-ops-duty 暂停，原因：账号迁移，暂停发布。本条投递将等待该渠道恢复后再发出/),
      });
      const zh = await runCli(['deliveries', 'retry', failed.id], { ...env, GOVPUB_LANG: 'zh' });
      expect(zh.code, zh.stderr).toBe(0);
      expect(zh.stdout).toContain('本条投递将等待该渠道恢复后再发出（点击「恢复渠道」，命令行：govpub channels resume wechat_oa:blfb）。');

      // Looked at later, the waiting delivery says the same: why it waits, who paused its channel, when and why.
      await expect.poll(async () => (await deliveryOf(id, channel)).waitingFor, { timeout: 60_000, interval: 300 }).toBe('channel');
      const shown = await runCli(['deliveries', 'show', failed.id], env);
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toMatch(/^\s+state: pending, waiting for: channel, attempts: \d+$/m);
      expect(shown.stdout).toMatch(
        /^Channel wechat_oa:blfb \(.+\) is paused \(by cli-ops-duty at \d{4}-\d\d-\d\d \d\d:\d\d.*, Beijing time; reason: "账号迁移，暂停发布"\)\. This delivery waits for the channel and goes out once it is resumed \(govpub channels resume wechat_oa:blfb\)\.$/m,
      );
      const shownZh = await runCli(['deliveries', 'show', failed.id], { ...env, GOVPUB_LANG: 'zh' });
      expect(shownZh.code, shownZh.stderr).toBe(0);
      expect(shownZh.stdout).toMatch(/^渠道“.+”已于 .+（北京时间）由 cli-ops-duty 暂停，原因：账号迁移，暂停发布。本条投递将等待该渠道恢复后再发出/m);
      const shownJson = await runCli(['deliveries', 'show', failed.id, '--json'], env);
      expect(shownJson.code, shownJson.stderr).toBe(0);
      const retriedHold = JSON.parse(json.stdout).channelHold;
      expect(JSON.parse(shownJson.stdout).channelHold).toEqual(retriedHold);
      // The list marks it held too, with who paused the channel.
      const listed = await runCli(['deliveries', 'list', '--package', id], env);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toMatch(/^id\s+channel\s+package\s+state\s+task\s+attempts\s+held\s+error$/m);
      expect(listed.stdout).toMatch(new RegExp(`^${failed.id.slice(0, 8)}\\s+wechat_oa:blfb\\s+.*\\bpending\\s+\\d+\\s+paused by cli-ops-duty`, 'm'));
      expect(listed.stdout).toMatch(/^\S+\s+portal:zwgk-zcwj-zcjd-wz\s+\S+\s+live\s+\d+\s*$/m);

      const resumed = await runCli(['channels', 'resume', channel], env);
      expect(resumed.code, resumed.stderr).toBe(0);
      await expect.poll(async () => (await deliveryOf(id, channel)).state, { timeout: 120_000, interval: 300 }).toBe('live');
      // Sent, it no longer names a pause.
      const live = await runCli(['deliveries', 'show', failed.id], env);
      expect(live.code, live.stderr).toBe(0);
      expect(live.stdout).not.toContain('paused');
      expect(JSON.parse((await runCli(['deliveries', 'show', failed.id, '--json'], env)).stdout)).not.toHaveProperty('channelHold');
    },
  );

  it(
    'a delivery waiting out a backoff: show names the next attempt in Beijing time and how far off; a retry sends it now and names no stale time',
    { timeout: 180_000 },
    async () => {
      const channel = 'weibo:jkbl-wb';
      const weibo = world.simulators.simulators.weibo.state;
      const config = world.platforms.weibo;
      const timing = { retryInitialSec: config.retryInitialSec, retryMaxSec: config.retryMaxSec };
      // Weibo answers 503 once: the delivery waits ten minutes before its next try.
      Object.assign(config, { retryInitialSec: 600, retryMaxSec: 600 });
      weibo.addFault({ match: '/2/statuses/share.json', method: 'POST', kind: 'http_error', status: 503, count: 1 });
      try {
        const id = await releaseThroughApi(richPolicyPackage(world, [channel, 'portal:zwgk-zcwj-zcjd-wz'], '关于开展冬季消防安全检查的通知'));
        await expect.poll(async () => (await deliveryOf(id, channel)).waitingFor, { timeout: 120_000, interval: 300 }).toBe('backoff');
        const waiting = (await deliveryOf(id, channel)) as { id: string; nextAttemptAt?: string };
        const beijing = new Date(Date.parse(waiting.nextAttemptAt!) + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
        const shown = await runCli(['deliveries', 'show', waiting.id], env);
        expect(shown.code, shown.stderr).toBe(0);
        expect(shown.stdout).toContain(`  next attempt: ${beijing} (Beijing time, in 10 min)`);
        const shownZh = await runCli(['deliveries', 'show', waiting.id], { ...env, GOVPUB_LANG: 'zh' });
        expect(shownZh.stdout).toContain(`  下次尝试：${beijing}（北京时间，约 10 分钟后）`);
        // The failure's class as the console's drawer names it, with its id; in English the id.
        expect(shownZh.stdout).toMatch(/^ {2}结果未确认（先核对再重发）（unconfirmed）：\S/m);
        expect(shown.stdout).toMatch(/^ {2}unconfirmed: \S/m);

        const retried = await runCli(['deliveries', 'retry', waiting.id], { ...env, GOVPUB_LANG: 'zh' });
        expect(retried.code, retried.stderr).toBe(0);
        expect(retried.stdout).toMatch(/^\s+状态：/m);
        expect(retried.stdout).not.toContain('下次尝试');
        await expect.poll(async () => (await deliveryOf(id, channel)).state, { timeout: 60_000, interval: 300 }).toBe('live');
      } finally {
        Object.assign(config, timing);
        weibo.clearFaults();
      }
    },
  );
});

describe('govpub media status', () => {
  it('lists the renditions deliveries made of a picture (no job made them), each served at its URL', { timeout: 180_000 }, async () => {
    const channel = 'wechat_oa:blzw';
    const id = await releaseThroughApi(richPolicyPackage(world, [channel, 'portal:zwgk-zcwj-zcjd-wz'], '关于做好冬季供暖保障工作的通知'));
    await expect.poll(async () => (await deliveryOf(id, channel)).state, { timeout: 120_000, interval: 300 }).toBe('live');
    const used = ((await deliveryOf(id, channel)) as unknown as { renditions: { spec: string; mediaId: string }[] }).renditions
      .filter((r) => r.mediaId === world.photoId)
      .map((r) => r.spec);
    expect(used.length).toBeGreaterThan(0);

    const status = await runCli(['media', 'status', world.photoId], env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).not.toContain('no renditions yet');
    // Each line: the key --renditions takes, the rendition's name, its type and size; in Chinese with GOVPUB_LANG=zh.
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const spec of used) expect(status.stdout).toMatch(new RegExp(`^${escape(spec)}\\s+${escape(specNames(spec)!.label)}\\s+image/\\w+\\s+\\d+×\\d+`, 'm'));
    const statusZh = await runCli(['media', 'status', world.photoId], { ...env, GOVPUB_LANG: 'zh' });
    expect(statusZh.code, statusZh.stderr).toBe(0);
    for (const spec of used) expect(statusZh.stdout).toMatch(new RegExp(`^${escape(spec)}\\s+${escape(specNameZh(spec))}\\s+image/`, 'm'));

    const json = await runCli(['media', 'status', world.photoId, '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    const detail = JSON.parse(json.stdout) as { jobs: unknown[]; renditions: { specKey: string; labelZh?: string; url: string; sha256: string }[] };
    expect(detail.jobs).toEqual([]);
    expect(detail.renditions.map((r) => r.specKey)).toEqual(expect.arrayContaining(used));
    for (const rendition of detail.renditions) {
      // Renditions a delivery made (no job) are named too.
      expect(rendition.labelZh, rendition.specKey).toBe(specNameZh(rendition.specKey));
      expect(rendition.labelZh, rendition.specKey).not.toBe(rendition.specKey);
      const served = await fetch(`${base}${rendition.url}`, { headers: { authorization: `Bearer ${tokens.ops}` } });
      expect(served.status, rendition.url).toBe(200);
      expect(served.headers.get('etag')).toBe(`"${rendition.sha256}"`);
    }
  });
});

describe('govpub deliveries list: paging and the unit filter, as the API has them', () => {
  it("a full page says how to read on (the token typed is never printed back); --unit lists only that unit's channels", { timeout: 180_000 }, async () => {
    const channel = 'weibo:blfb-wb';
    const portal = 'portal:zwgk-zcwj-zcjd-wz';
    const id = await releaseThroughApi(richPolicyPackage(world, [channel, portal], '关于做好2027年春节期间市场保供工作的通知'));
    // Both live: the list is ordered by the latest change, so a delivery still changing between the
    // two pages would move ahead of the cursor and be missed (on a busy machine it was).
    await expect
      .poll(async () => ((await call('GET', `/api/deliveries?package=${id}`, tokens.ops!)).body.items as { state: string }[]).map((d) => d.state), {
        timeout: 120_000,
        interval: 300,
      })
      .toEqual(['live', 'live']);

    // Before, the list stopped at --limit (200 by default) with nothing saying more were there, and had no --cursor to read them.
    const withToken = { ...env, GOVPUB_TOKEN: '' };
    const first = await runCli(['deliveries', 'list', '--package', id, '--limit', '1', '--token', tokens.ops!], withToken);
    expect(first.code, first.stderr).toBe(0);
    const hint = /^more deliveries: govpub (deliveries list --package \S+ --limit 1 --token TOKEN --cursor \S+)$/m.exec(first.stderr);
    expect(hint, first.stderr).not.toBeNull();
    expect(first.stderr + first.stdout).not.toContain(tokens.ops!);
    const next = hint![1]!.split(' ').map((arg) => (arg === 'TOKEN' ? tokens.ops! : arg));
    const second = await runCli(next, withToken);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toBe('');
    const shown = [first.stdout, second.stdout].map((out) => out.split('\n').filter((l) => l.includes(`${id}@`)));
    expect(shown.map((lines) => lines.length)).toEqual([1, 1]);
    expect(
      shown
        .flat()
        .map((l) => l.split(/\s+/)[1])
        .sort(),
    ).toEqual([portal, channel].sort());

    // --unit: the deliveries to that unit's channels, as GET /api/deliveries?unit= answers.
    const owner = ((await call('GET', '/api/channels?platform=weibo', tokens.ops!)).body.channels as { id: string; ownerUnit: string }[]).find(
      (c) => c.id === channel,
    )!.ownerUnit;
    const unit = ((await call('GET', '/api/units', tokens.ops!)).body.units as { id: string; name: string }[]).find((u) => u.name === owner)!;
    const byUnit = await runCli(['deliveries', 'list', '--package', id, '--unit', unit.id, '--json'], env);
    expect(byUnit.code, byUnit.stderr).toBe(0);
    const api = (await call('GET', `/api/deliveries?package=${id}&unit=${unit.id}`, tokens.ops!)).body.items as { id: string; channelId: string }[];
    expect((JSON.parse(byUnit.stdout) as { items: { id: string }[] }).items.map((d) => d.id)).toEqual(api.map((d) => d.id));
    expect(api.map((d) => d.channelId)).toContain(channel);
    expect(api.map((d) => d.channelId)).not.toContain(portal);
  });
});
