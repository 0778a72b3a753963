/**
 * WeChat pushes PUBLISHJOBFINISH to the account's server URL on govpub's API; the delivery asks
 * WeChat at once instead of at its next poll. On real components: the WeChat simulator pushing to
 * the real API, Temporal, PostgreSQL. The first poll is set ten minutes away, so a delivery live in
 * seconds was woken by the push, also one whose push came before it had recorded the job. Then the
 * endpoint's refusals: a wrong signature, an unknown or non-WeChat account, no Token configured, a
 * body that is not a push; and how many pushes are looked for again.
 */
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishJobFinishedXml, wechatSignature } from '../../adapters/wechat-oa/events.js';
import { buildApi } from '../../api/server.js';
import { readNamedSecrets } from '../../config/secrets.js';
import { MAX_PUSHES_LOOKED_FOR, PlatformEventService } from '../../services/platform-events.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { richPolicyPackage, startReleaseWorld, type ReleaseWorld } from './support.js';

let world: ReleaseWorld;
let app: TestApp;
let api: FastifyInstance;
let base: string;
let token: string;
const tokens: Record<string, string> = {};
const ACCOUNT = 'blfb';
const CHANNEL = `wechat_oa:${ACCOUNT}`;
/** How long a WeChat delivery waits for the push before it first asks (10 min). */
const PUSH_WAIT_SEC = 600;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // WeChat publishes (and pushes) 5 s after the submit: the worker has recorded the submit by then
  // even on a loaded machine, but for the test whose answer to the submit comes later than the push.
  world = await startReleaseWorld({ faults: false, eventsBaseUrl: base, simulators: { wechat_oa: { publishDelayMs: 5_000 } } });
  // With the Token provided, WeChat deliveries wait ten minutes for the push before they first ask
  // (pushWaitSec), not 50 ms (confirmFirstPollSec, long before WeChat has published): one live
  // before then was woken by the push, however slow the machine.
  world.platforms.wechat_oa.pushWaitSec = PUSH_WAIT_SEC;
  world.platforms.wechat_oa.confirmFirstPollSec = 0.05;
  app = await startTestApp({ deps: world.deps, platformCaps: world.platforms });
  await app.startWorker();
  const secrets = { env: {}, secretsFile: world.secretsFile };
  token = readNamedSecrets(['WECHAT_OA_EVENT_TOKEN'], secrets).get('WECHAT_OA_EVENT_TOKEN')!;
  api = await buildApi(app.ctx, { logger: false, console: { platforms: world.platforms, secrets } });
  await api.listen({ port, host: '127.0.0.1' });
  const editor = await app.user('push-editor', 'editor');
  tokens.editor = editor.token;
  await world.registerMedia(app.db, editor.actor.id);
  tokens.ops = (await app.user('push-ops', 'ops')).token;
  for (const stage of ['初审', '复审', '终审']) tokens[stage] = (await app.user(`push-${stage}`, 'reviewer', [stage])).token;
});

afterAll(async () => {
  await api?.close();
  await app?.close();
  await world?.close();
});

async function call(method: string, path: string, authToken?: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(authToken ? { authorization: `Bearer ${authToken}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text, push: response.headers.get('x-govpub-push') };
}

/** A request as WeChat signs it with `withToken`. */
function signed(withToken: string, extra: Record<string, string> = {}): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = '20261202';
  return new URLSearchParams({ signature: wechatSignature(withToken, timestamp, nonce), timestamp, nonce, ...extra }).toString();
}

async function push(account: string, query: string, body: string, contentType = 'text/xml') {
  const response = await fetch(`${base}/api/platform-events/wechat-oa/${account}?${query}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await response.text();
  return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : text, push: response.headers.get('x-govpub-push') };
}

type DeliveryItem = { state: string; liveAt: string | null; externalId: string | null; errorClass: string | null };

/** Creates, submits and approves a package to a portal column and the WeChat account; its id and when it was approved. */
async function releaseToWechat(title: string): Promise<{ id: string; approvedAt: number }> {
  const item = world.registry.catalogue.find((i) => i.requiresInterpretation)!;
  const input = {
    ...richPolicyPackage(world, [`portal:${item.portalColumnId}`, CHANNEL], title),
    interpretations: [richPolicyPackage(world, []).interpretations[0]],
  };
  const created = await call('POST', '/api/packages', tokens.editor, input);
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  expect((await call('POST', `/api/packages/${id}/submit`, tokens.editor)).status).toBe(200);
  for (const stage of ['初审', '复审', '终审']) {
    expect((await call('POST', `/api/packages/${id}/decisions`, tokens[stage], { decision: 'approve', revision: 1, comment: '同意' })).status).toBe(200);
  }
  return { id, approvedAt: Date.now() };
}

async function wechatDelivery(packageId: string, until: (d: DeliveryItem) => boolean, timeoutMs: number): Promise<DeliveryItem | undefined> {
  const deadline = Date.now() + timeoutMs;
  let delivery: DeliveryItem | undefined;
  while (Date.now() < deadline) {
    delivery = (await call('GET', `/api/deliveries?package=${packageId}&channel=${encodeURIComponent(CHANNEL)}`, tokens.ops)).body.items[0];
    if (delivery && until(delivery)) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return delivery;
}

/** The pushes WeChat's simulator made, oldest first. */
async function eventPushes(): Promise<{ publishId: string; url: string; at: string; status: number | null }[]> {
  const answer = (await fetch(`${world.simulators.urls.wechat_oa}/__sim/event-pushes`).then((r) => r.json())) as {
    pushes: { publishId: string; url: string; at: string; status: number | null }[];
  };
  return answer.pushes;
}

/** How many times WeChat was asked how publishing went. */
async function statusQueries(): Promise<number> {
  const log = (await fetch(`${world.simulators.urls.wechat_oa}/__sim/requests`).then((r) => r.json())) as { requests: { path: string }[] };
  return log.requests.filter((r) => r.path === '/cgi-bin/freepublish/get').length;
}

describe('a WeChat delivery woken by the push', () => {
  it('waits for the push, is live in seconds although its first poll is ten minutes away, and asked WeChat once', async () => {
    const asked = await statusQueries();
    const { id, approvedAt } = await releaseToWechat('关于推送确认发布结果的测试措施');
    const delivery = await wechatDelivery(id, (d) => d.state === 'live', 150_000);
    expect(delivery?.state).toBe('live');
    expect(await statusQueries()).toBe(asked + 1);
    // Before its first poll was due: the push woke it.
    expect(Date.parse(delivery!.liveAt!) - approvedAt).toBeLessThan(PUSH_WAIT_SEC * 1000);
    const pushes = (await fetch(`${world.simulators.urls.wechat_oa}/__sim/event-pushes`).then((r) => r.json())) as {
      pushes: { url: string; status: number }[];
    };
    expect(pushes.pushes.length).toBeGreaterThan(0);
    expect(pushes.pushes.every((p) => p.status === 200 && p.url === `${base}/api/platform-events/wechat-oa/${ACCOUNT}`)).toBe(true);
  }, 240_000);

  it('a push that comes before the submit is recorded (its answer late) still wakes the delivery, found when it records the job', async () => {
    world.platforms.wechat_oa.pushWaitSec = PUSH_WAIT_SEC;
    // WeChat takes the submit and publishes in 5 s, but its answer reaches the worker 6.5 s after the submit (a loaded
    // machine): the push comes while the delivery is still transmitting, with no job recorded to wake.
    const fault = await fetch(`${world.simulators.urls.wechat_oa}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ match: '/cgi-bin/freepublish/submit', method: 'POST', kind: 'slow', process: true, delayMs: 6_500, count: 1 }),
    });
    expect(fault.status).toBeLessThan(300);
    const asked = await statusQueries();
    const pushesBefore = (await eventPushes()).length;
    const { id, approvedAt } = await releaseToWechat('关于推送早于提交记录的测试措施');
    // Its first poll is ten minutes away: live within the minute, it was woken by the push that came first.
    const delivery = await wechatDelivery(id, (d) => d.state === 'live', 60_000);
    expect(delivery?.state).toBe('live');
    expect(Date.parse(delivery!.liveAt!) - approvedAt).toBeLessThan(60_000);
    expect(await statusQueries()).toBe(asked + 1);
    const pushes = (await eventPushes()).slice(pushesBefore);
    expect(pushes).toEqual([expect.objectContaining({ status: 200, url: `${base}/api/platform-events/wechat-oa/${ACCOUNT}` })]);
    const pushed = pushes[0];
    // The push came before the delivery recorded its job (the submission's audit entry).
    const audit = (await call('GET', `/api/audit?package=${id}&action=delivery_submitted`, tokens.ops)).body.entries as { channelId: string; at: string }[];
    const submitted = audit.find((e) => e.channelId === CHANNEL)!;
    expect(Date.parse(pushed!.at)).toBeLessThan(Date.parse(submitted.at));
  }, 120_000);

  it('in its own workflow, asks WeChat at once when a push comes, though its next poll is ten minutes away', async () => {
    // Publishing never ends, so WeChat never pushes; polls from 1 s; past the confirmation timeout (6 s here) they come every 10 min.
    world.platforms.wechat_oa.pushWaitSec = 1;
    const fault = await fetch(`${world.simulators.urls.wechat_oa}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ match: '/cgi-bin/freepublish/submit', method: 'POST', kind: 'never_confirm', count: 1 }),
    });
    expect(fault.status).toBeLessThan(300);
    const { id } = await releaseToWechat('关于推送唤醒确认查询的测试措施');
    const waiting = await wechatDelivery(id, (d) => d.errorClass === 'unconfirmed', 60_000);
    expect(waiting?.errorClass).toBe('unconfirmed');
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the workflow is in its ten-minute pause
    const asked = await statusQueries();
    const xml = publishJobFinishedXml({ ghId: 'gh_1', createTime: 1, publishId: waiting!.externalId!, publishStatus: 0, articleUrls: [] });
    expect(await push(ACCOUNT, signed(token), xml)).toMatchObject({ status: 200, body: 'success', push: 'woken' });
    // Its next poll is ten minutes away: a query within the minute was the push's.
    const deadline = Date.now() + 60_000;
    while ((await statusQueries()) === asked && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await statusQueries()).toBe(asked + 1);
    // WeChat still says "publishing": the push's own word changed nothing.
    expect((await wechatDelivery(id, () => true, 1000))?.state).toBe('unconfirmed');
  });
});

describe('the push endpoint', () => {
  const finished = publishJobFinishedXml({
    ghId: 'gh_1',
    createTime: 1,
    publishId: '9999999999',
    publishStatus: 0,
    articleUrls: ['https://mp.weixin.qq.com/s/x'],
  });

  it("answers WeChat's URL check with echostr when signed with the Token, and refuses otherwise", async () => {
    const ok = await call('GET', `/api/platform-events/wechat-oa/${ACCOUNT}?${signed(token, { echostr: '5839205738291' })}`);
    expect(ok).toMatchObject({ status: 200, body: '5839205738291' });
    const forged = await call('GET', `/api/platform-events/wechat-oa/${ACCOUNT}?${signed('guessed-token', { echostr: '1' })}`);
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('event_signature_invalid');
    const reflected = await call('GET', `/api/platform-events/wechat-oa/${ACCOUNT}?${signed(token, { echostr: '<script>' })}`);
    expect(reflected.status).toBe(400);
  });

  it('takes a signed push for a job no delivery waits on at once, looks for it again, and changes nothing', async () => {
    const before = (await call('GET', '/api/audit?limit=5000', tokens.ops)).body.entries.length;
    const answered = await push(ACCOUNT, signed(token, { openid: 'mphelper' }), finished);
    expect(answered).toMatchObject({ status: 200, body: 'success', push: 'looking_again' });
    // Sent again (WeChat resends a push it got no answer to): the same looks serve it.
    expect(await push(ACCOUNT, signed(token, { openid: 'mphelper' }), finished)).toMatchObject({ status: 200, push: 'looking_again' });
    expect((await call('GET', '/api/audit?limit=5000', tokens.ops)).body.entries.length).toBe(before);
  });

  it('looks for a bounded number of pushes again, for a bounded time, and stops when closed', async () => {
    const events = new PlatformEventService(app.ctx, [2_000, 3_000]);
    try {
      const outcomes = [];
      for (let n = 0; n <= MAX_PUSHES_LOOKED_FOR; n++) outcomes.push(await events.platformReported(CHANNEL, `88${String(n).padStart(8, '0')}`));
      expect(outcomes.filter((o) => o === 'looking_again')).toHaveLength(MAX_PUSHES_LOOKED_FOR);
      // One more than the bound is left to its delivery's poll.
      expect(outcomes.at(-1)).toBe('no_waiting_delivery');
      expect(events.pushesLookedFor).toBe(MAX_PUSHES_LOOKED_FOR);
      // Two looks each, 3 s after its push the last, then none is looked for any more.
      await expect.poll(() => events.pushesLookedFor, { timeout: 10_000, interval: 50 }).toBe(0);
      expect(await events.platformReported(CHANNEL, '8800000000')).toBe('looking_again');
      events.close();
      expect(events.pushesLookedFor).toBe(0);
      expect(await events.platformReported(CHANNEL, '8800000001')).toBe('no_waiting_delivery');
    } finally {
      events.close();
    }
  });

  it('refuses a wrong signature, an unknown or non-WeChat account, and a body that is not a push', async () => {
    const forged = await push(ACCOUNT, signed('guessed-token'), finished);
    expect(forged.status).toBe(403);
    expect(forged.body.error.message).toMatch(/Token/);
    expect((await push(ACCOUNT, 'timestamp=1&nonce=2', finished)).status).toBe(403);
    const unknown = await push('no-such-account', signed(token), finished);
    expect(unknown.status).toBe(404);
    const weibo = world.registry.accounts.find((a) => a.platform === 'weibo')!.id;
    expect((await push(weibo, signed(token), finished)).status).toBe(404);
    const json = await push(ACCOUNT, signed(token), '{"publish_id":1}', 'application/json');
    expect([400, 415]).toContain(json.status);
    const notPush = await push(ACCOUNT, signed(token), '<xml><ToUserName>gh_1</ToUserName></xml>');
    expect(notPush.status).toBe(400);
    expect(notPush.body.error.code).toBe('invalid_event');
    const control = await push(ACCOUNT, signed(token), finished.replace('9999999999', '99\u0000'));
    expect(control.status).toBe(400);
    const tooLarge = await push(ACCOUNT, signed(token), `<xml>${'x'.repeat(70 * 1024)}</xml>`);
    expect(tooLarge.status).toBe(413);
  });

  it('answers other messages and encrypted ones "success" without acting on them', async () => {
    const subscribe = await push(ACCOUNT, signed(token), '<xml><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>');
    expect(subscribe).toMatchObject({ status: 200, body: 'success', push: null });
    const encrypted = await push(
      ACCOUNT,
      signed(token, { encrypt_type: 'aes', msg_signature: 'abc' }),
      '<xml><ToUserName>gh_1</ToUserName><Encrypt><![CDATA[abc=]]></Encrypt></xml>',
    );
    expect(encrypted).toMatchObject({ status: 200, body: 'success', push: null });
  });

  it('says how to set it up when no Token is configured', async () => {
    const bare = await buildApi(app.ctx, { logger: false });
    await bare.listen({ port: 0, host: '127.0.0.1' });
    try {
      const port = (bare.server.address() as net.AddressInfo).port;
      const response = await fetch(`http://127.0.0.1:${port}/api/platform-events/wechat-oa/${ACCOUNT}?${signed(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: finished,
      });
      expect(response.status).toBe(404);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('events_not_configured');
      expect(body.error.message).toMatch(/eventToken/);
    } finally {
      await bare.close();
    }
  });
});
