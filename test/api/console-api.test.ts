/**
 * The console's read APIs over a real socket, on the real system: Temporal, PostgreSQL, the
 * platform simulators and the real adapters. Revisions and their diff, the inbox of each role,
 * the live change stream (SSE) with resume, delivery figures on rows with known times, channel
 * health with a missing secret, and a manual hand-off bundle as a zip.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { richPolicyPackage, startReleaseWorld, type ReleaseWorld } from '../delivery/support.js';

let world: ReleaseWorld;
let app: TestApp;
let api: FastifyInstance;
let base: string;
let secretsDir: string;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};
const PORTAL = 'portal:zwgk-zcwj-zcjd-wz';

beforeAll(async () => {
  world = await startReleaseWorld({ faults: false });
  app = await startTestApp({ deps: world.deps, platformCaps: world.platforms });
  await app.startWorker();
  // The API's own view of the secrets: everything the simulators accept but one.
  secretsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-console-secrets-'));
  const partial = path.join(secretsDir, 'secrets.yaml');
  fs.writeFileSync(
    partial,
    fs
      .readFileSync(world.secretsFile, 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('WECHAT_OA_BLZW_APP_SECRET:'))
      .join('\n'),
  );
  api = await buildApi(app.ctx, {
    console: {
      media: { db: app.db, store: world.mediaStore, registry: app.registry },
      platforms: world.platforms,
      secrets: { env: {}, secretsFile: partial },
      portalUrl: world.portalUrl,
      events: { intervalMs: 200, pingMs: 1000 },
    },
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  const editor = await app.user('console-editor', 'editor');
  tokens.editor = editor.token;
  ids.editor = editor.actor.id;
  await world.registerMedia(app.db, editor.actor.id);
  tokens.ops = (await app.user('console-ops', 'ops')).token;
  const admin = await app.user('console-admin', 'admin', ['初审']);
  tokens.admin = admin.token;
  for (const stage of ['初审', '复审', '终审']) {
    const reviewer = await app.user(`console-${stage}`, 'reviewer', [stage]);
    tokens[stage] = reviewer.token;
    ids[stage] = reviewer.actor.id;
  }
}, 180_000);

afterAll(async () => {
  await api?.close();
  await app?.close();
  await world?.close();
  if (secretsDir) fs.rmSync(secretsDir, { recursive: true, force: true });
});

async function call(method: string, url: string, token: string | undefined, body?: unknown) {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

async function create(input: unknown, token: string | undefined = tokens.editor): Promise<string> {
  const created = await call('POST', '/api/packages', token, input);
  expect(created.status).toBe(201);
  return created.body.id as string;
}

type InboxItem = { kind: string; packageId: string; deliveryId?: string; message: string; stage?: string; urgency?: number };
const inboxOf = async (token: string | undefined) => (await call('GET', '/api/inbox', token)).body as { items: InboxItem[]; counts: Record<string, number> };

describe('revisions and the diff between them', () => {
  it('lists revisions with their authors, serves one, and names what changed in Chinese', async () => {
    const input = richPolicyPackage(world, [PORTAL], '关于加强城市绿化管理的通知');
    const id = await create(input);
    const edited = structuredClone(input);
    edited.title = '关于进一步加强城市绿化管理的通知';
    edited.interpretations[0]!.body = '<p>一、出台背景：城市绿化。</p>';
    edited.targets = [PORTAL, 'weibo:blfb-wb'];
    expect((await call('PUT', `/api/packages/${id}`, tokens.editor, edited)).status).toBe(200);

    const list = await call('GET', `/api/packages/${id}/revisions`, tokens['初审']);
    expect(list.status).toBe(200);
    expect(list.body.revisions.map((r: { revision: number; createdByName: string }) => [r.revision, r.createdByName])).toEqual([
      [1, 'console-editor'],
      [2, 'console-editor'],
    ]);
    const first = await call('GET', `/api/packages/${id}/revisions/1`, tokens['初审']);
    expect(first.body.content.title).toBe('关于加强城市绿化管理的通知');
    expect(first.body.contentHash).toBe(list.body.revisions[0].contentHash);

    // No decision yet: from the previous revision to the current one.
    const diff = await call('GET', `/api/packages/${id}/diff`, tokens['初审']);
    expect(diff.status).toBe(200);
    expect(diff.body).toMatchObject({ from: 1, to: 2 });
    expect([...diff.body.changes].sort((a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path))).toEqual([
      {
        path: '/interpretations/0/body',
        label: '解读 1 正文',
        before: input.interpretations[0]!.body,
        after: edited.interpretations[0]!.body,
        kind: 'changed',
      },
      { path: '/targets/1', label: '发布渠道', before: null, after: 'weibo:blfb-wb', kind: 'added', valueText: '微博 · 碑林发布' },
      { path: '/title', label: '标题', before: input.title, after: edited.title, kind: 'changed' },
    ]);
    expect((await call('GET', `/api/packages/${id}/diff?from=2&to=2`, tokens.editor)).body.changes).toEqual([]);

    const missing = await call('GET', `/api/packages/${id}/revisions/9`, tokens.editor);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(/revisions are 1 to 2/);
    const bad = await call('GET', `/api/packages/${id}/diff?from=abc`, tokens.editor);
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe('from');
    expect((await call('GET', `/api/packages/pkg-none/revisions`, tokens.editor)).status).toBe(404);
    expect((await call('GET', `/api/packages/${id}/revisions`, undefined)).status).toBe(401);
  });
});

describe('the inbox', () => {
  it('shows a reviewer what waits at their stage (never their own package), and the editor a rejection with its comment', async () => {
    const id = await create(richPolicyPackage(world, [PORTAL], '关于做好冬季供暖工作的通知'));
    expect((await call('POST', `/api/packages/${id}/submit`, tokens.editor)).status).toBe(200);
    // The admin wrote this one: at 初审 too, but it is not offered to them.
    const own = await create(richPolicyPackage(world, [PORTAL], '关于调整公交线路的通告'), tokens.admin);
    expect((await call('POST', `/api/packages/${own}/submit`, tokens.admin)).status).toBe(200);

    const first = await inboxOf(tokens['初审']);
    const waiting = first.items.filter((i) => i.kind === 'review_waiting').map((i) => i.packageId);
    expect(waiting).toEqual(expect.arrayContaining([id, own]));
    expect(first.items.find((i) => i.packageId === id)!.message).toContain('初审');
    const admin = await inboxOf(tokens.admin);
    expect(admin.items.filter((i) => i.kind === 'review_waiting').map((i) => i.packageId)).toContain(id);
    expect(admin.items.map((i) => i.packageId)).not.toContain(own);
    expect((await inboxOf(tokens['复审'])).items.map((i) => i.packageId)).not.toContain(id);
    expect((await inboxOf(tokens.editor)).items.filter((i) => i.packageId === id)).toEqual([]);

    const rejected = await call('POST', `/api/packages/${id}/decisions`, tokens['初审'], { revision: 1, decision: 'reject', comment: '请补充供暖时间。' });
    expect(rejected.status).toBe(200);
    const editor = await inboxOf(tokens.editor);
    const item = editor.items.find((i) => i.packageId === id)!;
    expect(item).toMatchObject({ kind: 'rejected', stage: 'first' });
    // The reviewer's own full stop ends the sentence: no 「。。」.
    expect(item.message).toBe('「关于做好冬季供暖工作的通知」在初审被退回：请补充供暖时间。修改后重新提交审核。');
    expect(editor.counts.rejected).toBeGreaterThanOrEqual(1);
    expect((await inboxOf(tokens['初审'])).items.map((i) => i.packageId)).not.toContain(id);

    // Fixed and submitted again: the rejection leaves the editor's inbox; the reviewer's diff starts at what they rejected.
    const fixed = richPolicyPackage(world, [PORTAL], '关于做好冬季供暖工作的通知');
    fixed.document.body += '<p>供暖时间为11月15日至次年3月15日。</p>';
    expect((await call('PUT', `/api/packages/${id}`, tokens.editor, fixed)).status).toBe(200);
    expect((await call('POST', `/api/packages/${id}/submit`, tokens.editor)).status).toBe(200);
    expect((await inboxOf(tokens.editor)).items.map((i) => i.packageId)).not.toContain(id);
    const diff = await call('GET', `/api/packages/${id}/diff`, tokens['初审']);
    expect(diff.body).toMatchObject({ from: 1, to: 2 });
    expect(diff.body.changes.map((c: { label: string }) => c.label)).toEqual(['文件正文']);
  });

  it('shows operations a failed delivery and a manual task, and serves the hand-off bundle as a zip', async () => {
    // Douyin's review refuses the video (what only the platform knows; preflight lets it through).
    world.simulators.simulators.douyin.state.addFault({ match: '/video/create/', kind: 'async_fail' });
    const id = await create(richPolicyPackage(world, ['douyin:blfb-dy', 'toutiao:blfb-tt', PORTAL], '关于公布政务服务事项清单的通知'));
    expect((await call('POST', `/api/packages/${id}/submit`, tokens.editor)).status).toBe(200);
    for (const stage of ['初审', '复审', '终审'])
      expect((await call('POST', `/api/packages/${id}/decisions`, tokens[stage], { revision: 1, decision: 'approve', comment: '同意' })).status).toBe(200);

    let ops = await inboxOf(tokens.ops);
    const deadline = Date.now() + 90_000;
    const has = (kind: string, channel: string) => ops.items.some((i) => i.packageId === id && i.kind === kind && i.message.includes(channel));
    // Douyin first says it has not confirmed (its review runs), then that it failed.
    const douyinFailed = () =>
      ops.items.some((i) => i.packageId === id && i.kind === 'delivery_needs_action' && i.message.includes('抖音') && i.message.includes('投递失败'));
    while (!(douyinFailed() && has('manual_task', '头条')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      ops = await inboxOf(tokens.ops);
    }
    const failed = ops.items.find((i) => i.packageId === id && i.kind === 'delivery_needs_action' && i.message.includes('抖音'))!;
    expect(failed.message).toContain('投递失败');
    const manual = ops.items.find((i) => i.packageId === id && i.kind === 'manual_task')!;
    expect(manual.message).toContain('人工发布');
    // Most urgent first, whatever changed last: the failed delivery (2) before the hand-off planned at release (4).
    expect([failed.urgency, manual.urgency]).toEqual([2, 4]);
    const urgencies = ops.items.map((i) => i.urgency!);
    expect(urgencies).toEqual([...urgencies].sort((a, b) => a - b));
    expect(ops.items.indexOf(failed)).toBeLessThan(ops.items.indexOf(manual));
    expect((await inboxOf(tokens.editor)).items.filter((i) => i.kind === 'delivery_needs_action')).toEqual([]);

    const zip = await fetch(`${base}/api/deliveries/${manual.deliveryId}/bundle`, { headers: { authorization: `Bearer ${tokens.ops}` } });
    expect(zip.status).toBe(200);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    expect(zip.headers.get('content-disposition')).toMatch(/^attachment; filename="govpub-toutiao-blfb-tt-pkg-[A-Za-z0-9_-]+\.zip"$/);
    const bytes = Buffer.from(await zip.arrayBuffer());
    expect(bytes.length).toBe(Number(zip.headers.get('content-length')));
    const file = path.join(secretsDir, 'bundle.zip');
    fs.writeFileSync(file, bytes);
    const listing = execFileSync('unzip', ['-l', file], { encoding: 'utf8' });
    expect(listing).toContain('说明.txt');
    expect(listing).toMatch(/封面\.(jpg|png|webp)/);
    // Every entry's checksum is right (unzip -t reads and checks the data).
    expect(execFileSync('unzip', ['-t', file], { encoding: 'utf8' })).toMatch(/No errors detected/);

    const portal = (await call('GET', `/api/deliveries?package=${id}&channel=${encodeURIComponent(PORTAL)}`, tokens.ops)).body.items[0];
    const none = await call('GET', `/api/deliveries/${portal.id}/bundle`, tokens.ops);
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('no_bundle');
  });
});

/** A Server-Sent Events reader over fetch (Bearer token), collecting events as they arrive. */
function openStream(token: string | undefined, lastEventId?: string) {
  const controller = new AbortController();
  const events: { id?: string; event?: string; data?: unknown }[] = [];
  let comments = 0;
  const ready = fetch(`${base}/api/events`, {
    headers: { authorization: `Bearer ${token}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal: controller.signal,
  }).then((response) => {
    const reading = (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event: { id?: string; event?: string; data?: unknown } = {};
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) comments += 1;
              else if (line.startsWith('id: ')) event.id = line.slice(4);
              else if (line.startsWith('event: ')) event.event = line.slice(7);
              else if (line.startsWith('data: ')) event.data = JSON.parse(line.slice(6));
            }
            if (event.event) events.push(event);
          }
        }
      } catch {
        // aborted
      }
    })();
    return { response, reading };
  });
  return {
    ready,
    events,
    pings: () => comments,
    close: () => controller.abort(),
    async waitFor(match: (e: { event?: string; data?: unknown }) => boolean, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.slice(-5))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

describe('the live change stream', () => {
  it('sends package and delivery changes within seconds, pings, and resumes with Last-Event-ID', async () => {
    expect((await fetch(`${base}/api/events`)).status).toBe(401);

    const stream = openStream(tokens.ops);
    const { response } = await stream.ready;
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const id = await create(richPolicyPackage(world, [PORTAL], '关于开展全民健身活动的通知'));
    // From the moment the package is stored (creating it on a loaded machine took seconds itself):
    // the feed reads changes every 200 ms.
    const stored = Date.now();
    const created = await stream.waitFor((e) => e.event === 'package' && (e.data as { id: string }).id === id);
    expect(Date.now() - stored).toBeLessThan(10_000);
    expect(created.data).toMatchObject({ id, status: 'draft', revision: 1 });
    expect(created.id).toMatch(/^\d+$/);

    // A delivery changed by hand (as a worker would), seen on the stream.
    const delivery = { id: '00000000-0000-4000-8000-0000000000aa', package_id: id };
    await app.db
      .insertInto('deliveries')
      .values({
        ...delivery,
        business_key: `${id}@1→portal:stream-test`,
        revision: 1,
        channel_id: 'portal:stream-test',
        platform: 'portal',
        state: 'pending',
        created_at: new Date(),
        updated_at: new Date(),
      })
      .execute();
    await app.db
      .updateTable('deliveries')
      .set({ state: 'failed', error_class: 'retryable', error_message: 'stream test', updated_at: new Date() })
      .where('id', '=', delivery.id)
      .execute();
    const changed = await stream.waitFor((e) => e.event === 'delivery' && (e.data as { id: string }).id === delivery.id);
    expect(changed.data).toMatchObject({ id: delivery.id, packageId: delivery.package_id, errorMessage: 'stream test' });
    // The Chinese sentence comes with it, the one the delivery itself reads (the console shows it without reading again).
    const read = await call('GET', `/api/deliveries/${delivery.id}`, tokens.ops);
    expect(read.body.errorMessageZh).toMatch(/多次尝试后仍未成功/);
    expect((changed.data as { errorMessageZh: string }).errorMessageZh).toBe(read.body.errorMessageZh);
    await expect.poll(() => stream.pings()).toBeGreaterThan(0);
    const lastSeen = stream.events.at(-1)!.id!;
    stream.close();

    // While nobody listens, a package is submitted; coming back with the last id brings it.
    expect((await call('POST', `/api/packages/${id}/submit`, tokens.editor)).status).toBe(200);
    const resumed = openStream(tokens.ops, lastSeen);
    expect((await resumed.ready).response.status).toBe(200);
    const submitted = await resumed.waitFor(
      (e) => e.event === 'package' && (e.data as { id: string; status: string }).id === id && (e.data as { status: string }).status === 'in_review',
    );
    expect(submitted.data).toMatchObject({ currentStage: 'first' });
    resumed.close();

    const malformed = await fetch(`${base}/api/events`, { headers: { authorization: `Bearer ${tokens.ops}`, 'last-event-id': 'yesterday' } });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('invalid_header');
  });
});

describe('channel pauses on the live stream', () => {
  it('sends a pause and a resume made elsewhere within seconds, with who and why; coming back brings every channel as it is now', async () => {
    const channel = 'weibo:jkbl-wb';
    const stream = openStream(tokens.ops);
    expect((await stream.ready).response.status).toBe(200);
    // The feed learns where the channels stand at its first poll; a pause made after it is news.
    await expect.poll(() => stream.pings() + stream.events.length, { timeout: 20_000 }).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 600));
    const paused = await call('POST', `/api/channels/${encodeURIComponent(channel)}/pause`, tokens.ops, { reason: '账号年审' });
    expect(paused.status).toBe(200);
    const pauseEvent = await stream.waitFor((e) => e.event === 'channel' && (e.data as { id: string }).id === channel);
    expect(pauseEvent.data).toEqual({ id: channel, paused: true, pausedReason: '账号年审', pausedAt: paused.body.pausedAt, pausedBy: 'console-ops' });
    expect(pauseEvent.id).toMatch(/^\d+$/);
    // Sent once, not on every poll.
    await new Promise((r) => setTimeout(r, 1000));
    expect(stream.events.filter((e) => e.event === 'channel')).toHaveLength(1);

    expect((await call('POST', `/api/channels/${encodeURIComponent(channel)}/resume`, tokens.ops, {})).status).toBe(200);
    const resumed = await stream.waitFor((e) => e.event === 'channel' && (e.data as { paused: boolean }).paused === false);
    expect(resumed.data).toEqual({ id: channel, paused: false, pausedReason: null, pausedAt: null, pausedBy: null });
    const lastSeen = stream.events.at(-1)!.id!;
    stream.close();

    // Paused while nobody listened: coming back with the last id brings every channel's pause as it is now.
    await call('POST', `/api/channels/${encodeURIComponent(channel)}/pause`, tokens.ops, { reason: '接口维护' });
    const back = openStream(tokens.ops, lastSeen);
    const missed = await back.waitFor((e) => e.event === 'channel' && (e.data as { id: string }).id === channel);
    expect(missed.data).toMatchObject({ paused: true, pausedReason: '接口维护' });
    await back.waitFor((e) => e.event === 'channel' && (e.data as { id: string }).id === 'weibo:blfb-wb');
    back.close();
    await call('POST', `/api/channels/${encodeURIComponent(channel)}/resume`, tokens.ops, {});
  });
});

describe('delivery figures', () => {
  it('counts live, failed and skipped per Shanghai day and platform, with the failure rate and approval → live percentiles', async () => {
    const now = new Date();
    const hour = 3600_000;
    const pkg = 'pkg-stats-seeded';
    await app.db
      .insertInto('packages')
      .values({ id: pkg, title: '统计用', catalogue_item_id: 'x', content_class: 'news', status: 'released', current_revision: 1, created_by: ids.editor! })
      .execute();
    const approvedAt = new Date(now.getTime() - 2 * hour);
    await app.db
      .insertInto('review_decisions')
      .values([
        {
          package_id: pkg,
          revision: 1,
          stage: 'first',
          decision: 'approve',
          comment: '',
          reviewer_id: ids['初审']!,
          decided_at: new Date(approvedAt.getTime() - hour),
          event_key: 'stats-1',
        },
        {
          package_id: pkg,
          revision: 1,
          stage: 'final',
          decision: 'approve',
          comment: '',
          reviewer_id: ids['终审']!,
          decided_at: approvedAt,
          event_key: 'stats-2',
        },
      ])
      .execute();
    // Live 60 s, 120 s and 600 s after the last approval; one failed, one skipped; all on bilibili.
    const rows = [
      { ref: 'a', state: 'live', live: 60 },
      { ref: 'b', state: 'live', live: 120 },
      { ref: 'c', state: 'retracted', live: 600 },
      { ref: 'd', state: 'failed' },
      { ref: 'e', state: 'canceled', skipped: '本稿件不发B站' },
    ] as const;
    for (const r of rows) {
      await app.db
        .insertInto('deliveries')
        .values({
          id: `00000000-0000-4000-8000-00000000000${rows.indexOf(r)}`,
          business_key: `${pkg}@1→bilibili:${r.ref}`,
          package_id: pkg,
          revision: 1,
          channel_id: `bilibili:${r.ref}`,
          platform: 'bilibili',
          state: r.state,
          live_at: 'live' in r ? new Date(approvedAt.getTime() + r.live * 1000) : null,
          skipped_reason: 'skipped' in r ? r.skipped : null,
          created_at: approvedAt,
          updated_at: new Date(approvedAt.getTime() + 30_000),
        })
        .execute();
    }
    const stats = await call('GET', '/api/stats/deliveries?days=7&platform=bilibili', tokens.ops);
    expect(stats.status).toBe(200);
    expect(stats.body.days).toHaveLength(7);
    const shanghaiDay = (d: Date) => new Date(d.getTime() + 8 * hour).toISOString().slice(0, 10);
    const totals = stats.body.days.reduce(
      (t: Record<string, number>, d: { live: number; failed: number; skipped: number }) => ({
        live: t.live! + d.live,
        failed: t.failed! + d.failed,
        skipped: t.skipped! + d.skipped,
      }),
      { live: 0, failed: 0, skipped: 0 },
    );
    expect(totals).toEqual({ live: 3, failed: 1, skipped: 1 });
    const liveDays = new Set([60, 120, 600].map((s) => shanghaiDay(new Date(approvedAt.getTime() + s * 1000))));
    for (const day of liveDays) expect(stats.body.days.find((d: { date: string }) => d.date === day).live).toBeGreaterThan(0);
    expect(stats.body.failureRate.overall).toBe(0.4);
    expect(stats.body.failureRate.byPlatform.bilibili).toBe(0.4);
    expect(stats.body.approvalToLive.p50Sec).toBe(120);
    expect(stats.body.approvalToLive.p90Sec).toBe(504); // 120 + 0.8 × (600 − 120)
    expect(stats.body.approvalToLive.byPlatform.bilibili).toEqual({ p50Sec: 120, p90Sec: 504 });

    expect((await call('GET', '/api/stats/deliveries?days=0', tokens.ops)).status).toBe(400);
    expect((await call('GET', '/api/stats/deliveries?platform=myspace', tokens.ops)).body.error.code).toBe('invalid_query');
    const empty = await call('GET', '/api/stats/deliveries?days=1&platform=xiaohongshu', tokens.ops);
    expect(empty.body).toMatchObject({ failureRate: { overall: null }, approvalToLive: { p50Sec: null, p90Sec: null } });
    expect(empty.body.days).toEqual([{ date: shanghaiDay(now), platform: 'xiaohongshu', live: 0, failed: 0, skipped: 0 }]);
  });
});

describe('channel health', () => {
  it('shows the endpoint without secrets, a missing credential, last success and pause', async () => {
    const listed = await call('GET', '/api/channels', tokens.ops);
    expect(listed.status).toBe(200);
    const byId = new Map(listed.body.channels.map((c: { id: string }) => [c.id, c]));
    const blzw = byId.get('wechat_oa:blzw') as { health: Record<string, unknown> };
    expect(blzw.health).toMatchObject({ credential: 'missing', endpoint: world.platforms.wechat_oa!.baseUrl!.replace(/\/$/, ''), paused: false });
    const blfb = byId.get('wechat_oa:blfb') as { health: Record<string, unknown> };
    expect(blfb.health.credential).toBe('ok');
    expect((byId.get('toutiao:blfb-tt') as { health: Record<string, unknown> }).health).toMatchObject({ endpoint: null, credential: 'ok' });
    const portal = byId.get(PORTAL) as { health: { lastSuccessAt: string | null; endpoint: string } };
    expect(portal.health.endpoint).toBe(world.portalUrl);
    expect(Date.parse(portal.health.lastSuccessAt!)).toBeGreaterThan(Date.now() - 600_000);
    const douyin = byId.get('douyin:blfb-dy') as { health: { lastFailureAt: string | null } };
    expect(douyin.health.lastFailureAt).not.toBeNull();
    const secretValues = fs
      .readFileSync(world.secretsFile, 'utf8')
      .split('\n')
      .map((l) => l.split(': ')[1]?.trim())
      .filter((v): v is string => Boolean(v && v.length > 6));
    const text = JSON.stringify(listed.body);
    for (const value of secretValues) expect(text).not.toContain(value);

    expect((await call('POST', `/api/channels/${encodeURIComponent('weibo:blfb-wb')}/pause`, tokens.ops, { reason: '账号年检' })).status).toBe(200);
    const paused = await call('GET', '/api/channels?platform=weibo', tokens.ops);
    const wb = paused.body.channels.find((c: { id: string }) => c.id === 'weibo:blfb-wb');
    expect(wb.health).toMatchObject({ paused: true, pausedReason: '账号年检' });
    expect((await call('POST', `/api/channels/${encodeURIComponent('weibo:blfb-wb')}/resume`, tokens.ops)).status).toBe(200);
  });

  it('documents the console routes in OpenAPI', async () => {
    const doc = (await call('GET', '/api/openapi.json', undefined)).body;
    for (const p of [
      '/api/packages/{id}/revisions',
      '/api/packages/{id}/revisions/{n}',
      '/api/packages/{id}/diff',
      '/api/inbox',
      '/api/events',
      '/api/stats/deliveries',
      '/api/deliveries/{id}/bundle',
    ])
      expect(Object.keys(doc.paths)).toContain(p);
    expect(doc.paths['/api/events'].get.responses['200'].content).toHaveProperty(['text/event-stream']);
  });
});
