/**
 * Operations steer deliveries through the HTTP API: see them by state and channel, skip a
 * delivery the platform cannot take (with the editor's reason), hold and resume a channel,
 * reconnect a channel whose credentials were refused, confirm a manual post, and finish a
 * manual take-down after a retraction. Everything is audited.
 */
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { refusal, startTestApp, type TestApp } from '../support/app.js';
import { saveHistory } from '../support/histories.js';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { deliveryStatusQuery, deliveryWorkflowId, retryDeliveryUpdate, skipDeliveryUpdate, takedownWorkflowId } from '../../contracts/delivery.js';
import { chinaTime } from '../../domain/compliance/check-context.js';
import { httpStatusOf } from '../../domain/errors.js';
import { DeliveryService } from '../../services/deliveries.js';
import { packageWorkflowId } from '../../contracts/package.js';
import { postUrlCheck, richPolicyPackage, startReleaseWorld, type ReleaseWorld } from './support.js';
import { apiCaller, apiReleaser } from '../support/http.js';

let world: ReleaseWorld;
let app: TestApp;
let api: FastifyInstance;
let base: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  world = await startReleaseWorld({ faults: false });
  app = await startTestApp({ deps: world.deps, platformCaps: world.platforms });
  await app.startWorker();
  api = await buildApi(app.ctx, { validatePostUrl: postUrlCheck(world.platforms) });
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  const editor = await app.user('ops-editor', 'editor');
  tokens.editor = editor.token;
  await world.registerMedia(app.db, editor.actor.id);
  tokens.ops = (await app.user('ops-duty', 'ops')).token;
  tokens.opsNight = (await app.user('ops-night', 'ops')).token;
  for (const stage of ['初审', '复审', '终审']) tokens[stage] = (await app.user(`ops-${stage}`, 'reviewer', [stage])).token;
});

afterAll(async () => {
  await api?.close();
  await app?.close();
  await world?.close();
});

const call = apiCaller(() => base);

const releaseThroughApi = apiReleaser(call, tokens);

async function deliveryOf(
  packageId: string,
  channelId: string,
  until: (d: { state: string; task: string | null; attempts: number; errorClass?: string | null }) => boolean,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed = await call('GET', `/api/deliveries?package=${packageId}&channel=${encodeURIComponent(channelId)}`, tokens.ops);
    const delivery = listed.body.items[0];
    if (delivery && until(delivery)) return delivery;
    if (Date.now() > deadline) throw new Error(`delivery ${channelId} of ${packageId} is ${JSON.stringify(delivery)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

function setSecret(name: string, value: string): string {
  const text = fs.readFileSync(world.secretsFile, 'utf8');
  const previous = new RegExp(`^${name}: (.*)$`, 'm').exec(text)![1]!;
  fs.writeFileSync(world.secretsFile, text.replace(new RegExp(`^${name}: .*$`, 'm'), `${name}: ${value}`));
  return previous;
}

describe('operations on deliveries', () => {
  it('holds a channel whose credentials are refused, says so, and delivers once operations fix them and resume it', async () => {
    const good = setSecret('WECHAT_OA_BLZW_APP_SECRET', 'revoked-secret');
    const id = await releaseThroughApi(richPolicyPackage(world, ['wechat_oa:blzw', 'portal:zwgk-zcwj-zcjd-wz'], '关于进一步做好稳就业工作的通知'));
    const held = await deliveryOf(id, 'wechat_oa:blzw', (d) => d.state === 'needs_reconnect');
    expect(held.errorClass).toBe('needs_reconnect');
    expect(held.errorMessage).not.toContain('revoked-secret');
    // Looked at on its own, the delivery names the hold govpub set and what to do.
    const heldShown = await call('GET', `/api/deliveries/${held.id}`, tokens.ops);
    expect(heldShown.body.channelHold).toMatchObject({
      channelId: 'wechat_oa:blzw',
      by: 'system',
      credentialsRefused: true,
      message: expect.stringMatching(
        /^Channel wechat_oa:blzw \(.+\) is held: the platform refused the account's credentials .*fix the credentials, then resume the channel/,
      ),
      messageZh: expect.stringContaining('因平台拒绝该账号的凭据已被暂停'),
    });
    expect(JSON.stringify(heldShown.body)).not.toContain('revoked-secret');
    const channels = await call('GET', '/api/channels?platform=wechat_oa', tokens.ops);
    const channel = channels.body.channels.find((c: { id: string }) => c.id === 'wechat_oa:blzw');
    expect(channel.paused).toBe(true);
    expect(channel.pausedReason).toMatch(/needs reconnect/);
    // The channel list says govpub held it itself, and when: the hold's own time.
    expect(channel).toMatchObject({ pausedBy: 'system', pausedAt: heldShown.body.channelHold.pausedAt });
    expect(JSON.stringify(channels.body)).not.toContain(good);
    // An operator's pause does not overwrite the hold (its reason is what marks the credentials invalid).
    const pauseHeld = await call('POST', `/api/channels/${encodeURIComponent('wechat_oa:blzw')}/pause`, tokens.ops, { reason: '例行检查' });
    expect(pauseHeld.status).toBe(409);
    expect(pauseHeld.body.error.code).toBe('channel_already_paused');
    expect(pauseHeld.body.error.message).toMatch(/already paused: by govpub itself .*Fix the account's credentials, then resume it/);
    const stillHeld = await call('GET', '/api/channels?platform=wechat_oa', tokens.ops);
    expect(stillHeld.body.channels.find((c: { id: string }) => c.id === 'wechat_oa:blzw').pausedReason).toMatch(/needs reconnect/);

    // 恢复渠道 while the secret is still wrong: the platform is asked first, refuses, and the channel stays held.
    const resumeUrl = `/api/channels/${encodeURIComponent('wechat_oa:blzw')}/resume`;
    const refused = await call('POST', resumeUrl, tokens.ops);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('channel_credentials_refused');
    expect(refused.body.error.message).toMatch(
      /stays paused: the platform still refuses its credentials \(.*40125.*\)\. Nothing was resumed\. Fix the secret WECHAT_OA_BLZW_APP_SECRET/,
    );
    expect(refused.body.error.messageZh).toContain('渠道“碑林政务”仍保持暂停');
    expect(refused.body.error.messageZh).toContain('开发者密码（AppSecret）错误或已被重置（40125）');
    expect(refused.body.error.messageZh).toContain('请先更新密钥 WECHAT_OA_BLZW_APP_SECRET');
    expect(JSON.stringify(refused.body)).not.toContain('revoked-secret');
    const afterRefusal = await call('GET', '/api/channels?platform=wechat_oa', tokens.ops);
    expect(afterRefusal.body.channels.find((c: { id: string }) => c.id === 'wechat_oa:blzw')).toMatchObject({ paused: true });
    expect((await call('GET', `/api/deliveries/${held.id}`, tokens.ops)).body).toMatchObject({ state: 'needs_reconnect', attempts: held.attempts });
    const refusedResumes = await app.db
      .selectFrom('audit_log')
      .innerJoin('users', 'users.id', 'audit_log.actor')
      .select(['users.name', 'audit_log.details'])
      .where('audit_log.channel_id', '=', 'wechat_oa:blzw')
      .where('audit_log.action', '=', 'channel_resume_refused')
      .execute();
    expect(refusedResumes).toEqual([{ name: 'ops-duty', details: expect.objectContaining({ platformCode: '40125' }) }]);

    setSecret('WECHAT_OA_BLZW_APP_SECRET', good);
    const resumed = await call('POST', resumeUrl, tokens.ops);
    expect(resumed.status).toBe(200);
    expect(resumed.body.woken).toBeGreaterThanOrEqual(1);
    expect(resumed.body).toMatchObject({ credentialCheck: 'accepted', noteZh: '已向平台核实，该账号的凭据可以使用。' });
    // The check is this deployment's own (its task queue in the id): another one sharing the namespace does not answer it.
    const check = await app.ctx.temporal.workflow.getHandle(`channel-check:${app.taskQueue}:wechat_oa:blzw`).describe();
    expect(check.taskQueue).toBe(app.taskQueue);
    const live = await deliveryOf(id, 'wechat_oa:blzw', (d) => d.state === 'live', 90_000);
    expect(live.publicUrl).toMatch(/^http/);
    saveHistory('delivery-needs-reconnect-resumed', deliveryWorkflowId(live.businessKey));
    const audit = await call('GET', `/api/audit?package=${id}`, tokens.ops);
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['delivery_needs_reconnect', 'delivery_live']));
  });

  it('resumes a credentials hold it could not check and says so; refused again, the channel is held again and the pause names the delivery and attempt', async () => {
    const channel = 'weibo:jkbl-wb';
    const resumeUrl = `/api/channels/${encodeURIComponent(channel)}/resume`;
    const good = setSecret('WEIBO_JKBL_WB_ACCESS_TOKEN', 'revoked-token');
    const systemPauses = () =>
      app.db
        .selectFrom('audit_log')
        .select('details')
        .where('channel_id', '=', channel)
        .where('action', '=', 'channel_paused')
        .where('actor', '=', 'system')
        .orderBy('id')
        .execute();
    try {
      const id = await releaseThroughApi(richPolicyPackage(world, [channel, 'portal:zwgk-zcwj-zcjd-wz'], '关于做好今冬明春疫病防控工作的通知'));
      const held = await deliveryOf(id, channel, (d) => d.state === 'needs_reconnect');
      const [first] = await systemPauses();
      expect(first!.details).toMatchObject({ reason: 'needs_reconnect', businessKey: held.businessKey, attempt: expect.any(Number) });

      // Weibo is busy when asked: the hold is lifted unchecked, and the answer says what may follow.
      world.simulators.simulators.weibo.state.addFault({ match: '/2/statuses/user_timeline.json', kind: 'busy', count: 1 });
      const resumed = await call('POST', resumeUrl, tokens.ops);
      expect(resumed.status).toBe(200);
      expect(resumed.body).toMatchObject({ credentialCheck: 'unchecked' });
      expect(resumed.body.note).toMatch(/could not be checked \(the platform could not be asked: .*\)\. If the platform still refuses them/);
      expect(resumed.body.noteZh).toMatch(/^未能向微博核实凭据（.*）。若平台仍拒绝该凭据，第一条投递会再次被拒，govpub 会再次暂停该渠道/);

      // The woken delivery is refused again: the channel is held again, the pause naming that delivery and its attempt.
      await expect.poll(async () => (await systemPauses()).length, { timeout: 60_000, interval: 300 }).toBe(2);
      const [, again] = await systemPauses();
      expect(again!.details).toMatchObject({ reason: 'needs_reconnect', businessKey: held.businessKey });
      expect((again!.details as { attempt: number }).attempt).toBeGreaterThan((first!.details as { attempt: number }).attempt);
      // Both refusals are in the audit trail (the second came from the check before re-posting, the reconcile).
      const refusals = await app.db
        .selectFrom('audit_log')
        .select('id')
        .where('channel_id', '=', channel)
        .where('action', '=', 'delivery_needs_reconnect')
        .execute();
      expect(refusals).toHaveLength(2);
      const channels = await call('GET', '/api/channels?platform=weibo', tokens.ops);
      expect(channels.body.channels.find((c: { id: string }) => c.id === channel)).toMatchObject({
        paused: true,
        pausedReason: expect.stringMatching(/needs reconnect/),
      });

      // Fixed, the check goes through and the delivery goes out.
      setSecret('WEIBO_JKBL_WB_ACCESS_TOKEN', good);
      const fixed = await call('POST', resumeUrl, tokens.ops);
      expect(fixed.status).toBe(200);
      expect(fixed.body.credentialCheck).toBe('accepted');
      await deliveryOf(id, channel, (d) => d.state === 'live', 90_000);
      const resumes = await app.db
        .selectFrom('audit_log')
        .select('details')
        .where('channel_id', '=', channel)
        .where('action', '=', 'channel_resumed')
        .orderBy('id')
        .execute();
      expect(resumes.slice(-2).map((r) => (r.details as { credentialCheck?: string }).credentialCheck)).toEqual(['unchecked', 'accepted']);
    } finally {
      setSecret('WEIBO_JKBL_WB_ACCESS_TOKEN', good);
      world.simulators.simulators.weibo.state.clearFaults();
    }
  });

  it('pauses a channel: its deliveries wait as pending until resumed, saying who paused it, when and why; both actions are audited', async () => {
    const paused = await call('POST', `/api/channels/${encodeURIComponent('weibo:blfb-wb')}/pause`, tokens.ops, { reason: '账号年检中' });
    expect(paused.status).toBe(200);
    expect((await call('POST', `/api/channels/${encodeURIComponent('weibo:blfb-wb')}/pause`, tokens.editor, { reason: 'x' })).status).toBe(403);
    // A channel id typed wrong: 404, naming the channel it is nearest to.
    const typo = await call('POST', `/api/channels/${encodeURIComponent('weibo:blfb-wbb')}/pause`, tokens.ops, { reason: '账号年检中' });
    expect(typo.status).toBe(404);
    expect(typo.body.error.message).toMatch(/^No channel weibo:blfb-wbb \(did you mean weibo:blfb-wb\?\)\./);
    expect(typo.body.error.messageZh).toMatch(/^找不到渠道 weibo:blfb-wbb（是否要找 weibo:blfb-wb？）/);
    const id = await releaseThroughApi(richPolicyPackage(world, ['weibo:blfb-wb', 'portal:zwgk-zcwj-zcjd-wz'], '关于开展冬季安全生产大检查的通知'));
    await deliveryOf(id, 'portal:zwgk-zcwj-zcjd-wz', (d) => d.state === 'live');
    const waiting = await deliveryOf(id, 'weibo:blfb-wb', (d) => d.state === 'pending' && d.attempts === 0);
    // The delivery reaches the paused channel and waits there, without an attempt.
    await expect
      .poll(async () => (await call('GET', `/api/deliveries/${waiting.id}`, tokens.ops)).body.waitingFor, { timeout: 60_000, interval: 300 })
      .toBe('channel');
    const shown = await call('GET', `/api/deliveries/${waiting.id}`, tokens.ops);
    expect(shown.body).toMatchObject({ state: 'pending', attempts: 0 });
    // It says why it waits: who paused the channel, when and why, in both languages.
    expect(shown.body.channelHold).toEqual({
      channelId: 'weibo:blfb-wb',
      pausedAt: paused.body.pausedAt,
      reason: '账号年检中',
      by: 'ops-duty',
      credentialsRefused: false,
      message: expect.stringMatching(
        /^Channel weibo:blfb-wb \(.+\) is paused \(by ops-duty at .+, Beijing time; reason: "账号年检中"\)\. This delivery waits for the channel and goes out once it is resumed/,
      ),
      messageZh: expect.stringMatching(/^渠道“.+”已于 .+（北京时间）由 ops-duty 暂停，原因：账号年检中。本条投递将等待该渠道恢复后再发出/),
    });
    // A delivery the pause does not hold (the portal's, live) names none.
    const portal = await deliveryOf(id, 'portal:zwgk-zcwj-zcjd-wz', (d) => d.state === 'live');
    expect((await call('GET', `/api/deliveries/${portal.id}`, tokens.ops)).body).not.toHaveProperty('channelHold');
    // The list names the same hold on the held delivery, and none on the portal's.
    const listed = (await call('GET', `/api/deliveries?package=${id}`, tokens.ops)).body.items as { id: string; channelHold?: unknown }[];
    expect(listed.find((d) => d.id === waiting.id)?.channelHold).toEqual(shown.body.channelHold);
    expect(listed.find((d) => d.id === portal.id)).not.toHaveProperty('channelHold');
    // The channel list says who paused the channel and when.
    const pausedChannel = async () =>
      (await call('GET', '/api/channels?platform=weibo', tokens.ops)).body.channels.find((c: { id: string }) => c.id === 'weibo:blfb-wb');
    expect(await pausedChannel()).toMatchObject({ paused: true, pausedReason: '账号年检中', pausedAt: paused.body.pausedAt, pausedBy: 'ops-duty' });
    // The OpenAPI document has it, optional (left out when the channel is not paused).
    const view = (await call('GET', '/api/openapi.json', tokens.ops)).body.components.schemas.DeliveryView;
    expect(view.properties.channelHold.properties).toHaveProperty('messageZh');
    expect(view.properties.channelHold.description).toMatch(/GET \/api\/deliveries\/:id/);
    expect(view.required).not.toContain('channelHold');
    const document = (await call('GET', '/api/openapi.json', tokens.ops)).body;
    const listItems = document.paths['/api/deliveries'].get.responses['200'].content['application/json'].schema;
    expect(listItems.description).toMatch(/carries `channelHold`/);
    const channelItem = document.paths['/api/channels'].get.responses['200'].content['application/json'].schema.properties.channels.items;
    expect(channelItem.properties).toHaveProperty('pausedAt');
    expect(channelItem.properties.pausedBy.description).toMatch(/`system`/);
    expect(channelItem.required).toEqual(expect.arrayContaining(['pausedAt', 'pausedBy']));
    expect((await call('POST', `/api/channels/${encodeURIComponent('weibo:blfb-wb')}/resume`, tokens.ops)).status).toBe(200);
    expect(await pausedChannel()).toMatchObject({ paused: false, pausedAt: null, pausedBy: null });
    await deliveryOf(id, 'weibo:blfb-wb', (d) => d.state === 'live', 60_000);
    expect((await call('GET', `/api/deliveries/${waiting.id}`, tokens.ops)).body).not.toHaveProperty('channelHold');
    expect((await call('GET', `/api/deliveries?package=${id}`, tokens.ops)).body.items.some((d: object) => 'channelHold' in d)).toBe(false);
    const audit = await app.db
      .selectFrom('audit_log')
      .select(['action', 'actor'])
      .where('channel_id', '=', 'weibo:blfb-wb')
      .where('action', 'in', ['channel_paused', 'channel_resumed'])
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['channel_paused', 'channel_resumed']);
  });

  it('refuses to pause a paused channel (409 naming who paused it, when and why) and keeps the first pause; a retry with its Idempotency-Key gets the first answer', async () => {
    const channel = 'weibo:jkbl-wb';
    const pauseUrl = `/api/channels/${encodeURIComponent(channel)}/pause`;
    const first = await call('POST', pauseUrl, tokens.ops, { reason: '账号年检中' }, { 'idempotency-key': 'pause-jkbl-wb-1' });
    expect(first.status).toBe(200);

    const second = await call('POST', pauseUrl, tokens.opsNight, { reason: '夜间维护' });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('channel_already_paused');
    const at = chinaTime(first.body.pausedAt);
    expect(second.body.error.message).toContain(`already paused: by ops-duty at ${at} (Beijing time), reason: "账号年检中"`);
    expect(second.body.error.message).toMatch(/resume it first \(POST \/api\/channels\/weibo%3Ajkbl-wb\/resume or `govpub channels resume weibo:jkbl-wb`\)/);
    expect(second.body.error.messageZh).toContain(`已于 ${at}（北京时间）由 ops-duty 暂停，原因：账号年检中。本次未做任何更改。`);
    // The console's button first, then the command for the command line.
    expect(second.body.error.messageZh).toContain('请先点击「恢复渠道」（命令行：govpub channels resume weibo:jkbl-wb），再重新暂停');

    // The first pause stands as it was written: its reason, its time, one audit entry.
    const listed = await call('GET', '/api/channels?platform=weibo&paused=true', tokens.ops);
    expect(listed.body.channels.find((c: { id: string }) => c.id === channel)).toMatchObject({ paused: true, pausedReason: '账号年检中' });
    const row = await app.db.selectFrom('channels').select(['paused_at']).where('id', '=', channel).executeTakeFirstOrThrow();
    expect(row.paused_at?.toISOString()).toBe(first.body.pausedAt);

    // The first request sent again with its key (its answer was lost, say) gets that answer, not the 409.
    const replayed = await call('POST', pauseUrl, tokens.ops, { reason: '账号年检中' }, { 'idempotency-key': 'pause-jkbl-wb-1' });
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body).toEqual(first.body);
    // (govpub's own holds of this channel in an earlier test are not operators' pauses)
    const pauses = await app.db
      .selectFrom('audit_log')
      .select('actor')
      .where('channel_id', '=', channel)
      .where('action', '=', 'channel_paused')
      .where('actor', '<>', 'system')
      .where('at', '>=', new Date(first.body.pausedAt))
      .execute();
    expect(pauses).toHaveLength(1);

    // Resumed, the channel takes the other operator's pause.
    expect((await call('POST', `/api/channels/${encodeURIComponent(channel)}/resume`, tokens.ops)).status).toBe(200);
    const retaken = await call('POST', pauseUrl, tokens.opsNight, { reason: '夜间维护' });
    expect(retaken.status).toBe(200);
    expect(retaken.body.reason).toBe('夜间维护');
    expect((await call('POST', `/api/channels/${encodeURIComponent(channel)}/resume`, tokens.opsNight)).status).toBe(200);

    // A second resume, as the console sends it when a colleague was quicker: the sentence names the
    // colleague, leaves checking the id to the command line, and names the console's 重试 first.
    const again = await call('POST', `/api/channels/${encodeURIComponent(channel)}/resume`, tokens.ops);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('channel_not_paused');
    expect(again.body.error.messageZh).toMatch(
      /（该渠道最近一次由 ops-night 于 .+（北京时间）恢复）。用命令行操作时，请核对渠道编号是否为您要恢复的渠道（已暂停的渠道见「渠道状态」页面/,
    );
    expect(again.body.error.messageZh).toContain('请在投递详情中点击「重试」（命令行：govpub deliveries retry <投递编号>）。');
  });

  it('tells the editor in plain words what a platform cannot take; operations skip it with a reason', async () => {
    // What preflight can know (a text-only package to Douyin) never reaches review; what only the
    // platform knows, its review refusing the video, is said at delivery.
    const textOnly = richPolicyPackage(world, ['douyin:blfb-dy', 'portal:zwgk-zcwj-zcjd-wz'], '关于公布区级行政许可事项清单的通知');
    textOnly.interpretations = textOnly.interpretations.filter((i) => i.form !== 'video');
    const draft = await call('POST', '/api/packages', tokens.editor, textOnly);
    const blocked = await call('POST', `/api/packages/${draft.body.id}/submit`, tokens.editor);
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.problems).toEqual([expect.objectContaining({ code: 'video_required', channelId: 'douyin:blfb-dy' })]);

    world.simulators.simulators.douyin.state.addFault({ match: '/video/create/', kind: 'async_fail' });
    const id = await releaseThroughApi(richPolicyPackage(world, ['douyin:blfb-dy', 'portal:zwgk-zcwj-zcjd-wz'], '关于公布区级行政许可事项清单的通知'));
    const failed = await deliveryOf(id, 'douyin:blfb-dy', (d) => d.state === 'failed');
    expect(failed.errorClass).toBe('rejected');
    expect(failed.errorMessage).toMatch(/video/i);
    // Retrying does not change what the platform can take: the same refusal, attempted again.
    const retried = await call('POST', `/api/deliveries/${failed.id}/retry`, tokens.ops);
    expect(retried.status).toBe(200);
    await expect
      .poll(async () => (await call('GET', `/api/deliveries/${failed.id}`, tokens.ops)).body.waitingFor, { timeout: 30_000, interval: 300 })
      .toBe('operator');
    const refused = await call('POST', `/api/deliveries/${failed.id}/skip`, tokens.ops, {});
    expect(refused.status).toBe(400);
    const skipped = await call('POST', `/api/deliveries/${failed.id}/skip`, tokens.ops, { reason: '本稿件无视频，抖音不发' });
    expect(skipped.status).toBe(200);
    expect(skipped.body.state).toBe('canceled');
    expect(skipped.body.skippedReason).toBe('本稿件无视频，抖音不发');
    await expect.poll(async () => (await call('GET', `/api/packages/${id}`, tokens.ops)).body.status, { timeout: 30_000 }).toBe('released');
    const again = await call('POST', `/api/deliveries/${failed.id}/retry`, tokens.ops);
    expect(again.status).toBe(409);
    world.simulators.simulators.douyin.state.clearFaults();
    saveHistory('delivery-rejected-retried-skipped', deliveryWorkflowId(failed.businessKey));
  });

  it('answers a retry that lost its race with a skip in its own words, naming the state the skip left (never a Temporal error name)', async () => {
    const { actor } = await app.user('ops-race', 'ops');
    world.simulators.simulators.douyin.state.addFault({ match: '/video/create/', kind: 'async_fail' });
    const channels = ['douyin:blfb-dy', 'douyin:blwhly-dy'];
    const id = await releaseThroughApi(richPolicyPackage(world, [...channels, 'portal:zwgk-zcwj-zcjd-wz'], '关于做好2027年度义务教育招生入学工作的通知'));
    const [first, second] = await Promise.all(channels.map((c) => deliveryOf(id, c, (d) => d.state === 'failed')));
    for (const d of [first!, second!]) {
      await expect
        .poll(async () => (await call('GET', `/api/deliveries/${d.id}`, tokens.ops)).body.waitingFor, { timeout: 30_000, interval: 300 })
        .toBe('operator');
    }
    world.simulators.simulators.douyin.state.clearFaults();
    /** Another operator's skip lands between the retry reading the delivery (failed) and its Update. */
    const skipMeanwhile = async (d: { businessKey: string }) => {
      const handle = app.client.workflow.getHandle(deliveryWorkflowId(d.businessKey));
      await handle.executeUpdate(skipDeliveryUpdate, { args: [{ by: actor.id, reason: '另一位运维已跳过' }] });
      return handle;
    };
    const racing = (executeUpdate: (real: WorkflowHandle, def: unknown, options: unknown) => Promise<unknown>) =>
      new DeliveryService({
        ...app.ctx,
        temporal: {
          workflow: {
            getHandle: (workflowId: string) => {
              const real = app.client.workflow.getHandle(workflowId);
              return new Proxy(real, {
                get: (target, key) =>
                  key === 'executeUpdate' ? (def: unknown, options: unknown) => executeUpdate(real, def, options) : Reflect.get(target, key),
              });
            },
          },
        } as unknown as Client,
      });

    // The retry was accepted, then the skip finished the workflow: the server fails the retry as
    // AcceptedUpdateCompletedWorkflow (its own name, which used to be the answer's code).
    const accepted = await refusal(
      racing(async () => {
        await skipMeanwhile(first!);
        throw new WorkflowUpdateFailedError(
          'Workflow Update failed',
          ApplicationFailure.create({
            type: 'AcceptedUpdateCompletedWorkflow',
            message: 'Workflow Update failed because the Workflow completed before the Update completed.',
          }),
        );
      }).retry(actor, first!.id),
    );
    expect(accepted.code).toBe('delivery_not_running');
    expect(accepted.message).toMatch(/is canceled now \(it was failed a moment ago/);
    expect(accepted.messageZh).toContain('「已取消」');

    // The skip finished the workflow before the retry reached it: Temporal's answer for a completed
    // workflow, which used to say the delivery "is failed" from the row read before the race.
    const late = await refusal(
      racing(async (real, def, options) => {
        await (await skipMeanwhile(second!)).result();
        return real.executeUpdate(def as typeof retryDeliveryUpdate, options as { args: [{ by: string }] });
      }).retry(actor, second!.id),
    );
    expect(late.code).toBe('delivery_not_running');
    expect(late.message).toMatch(/is canceled now/);
    expect(late.messageZh).toContain('「已取消」');
    for (const error of [accepted, late]) expect(httpStatusOf(error.code)).toBe(409);
  });

  it("confirms a media-center article by hand while its status query waits at the site's sweep: taken in seconds, not refused as busy", async () => {
    // A long confirmation timeout gives status queries their full 20 s wait at the sweep.
    const config = world.platforms.news_site;
    const timeout = config.confirmTimeoutSec;
    config.confirmTimeoutSec = 600;
    const site = world.simulators.simulators.news_site.state;
    site.addFault({ match: '/api/v1/articles', method: 'POST', kind: 'never_confirm', count: 2 });
    try {
      const id = await releaseThroughApi(richPolicyPackage(world, ['news_site:zcjd', 'portal:zwgk-zcwj-zcjd-wz'], '关于开展老旧小区加装电梯工作的通知'));
      const waiting = await deliveryOf(id, 'news_site:zcjd', (d) => d.state === 'unconfirmed');
      const readsBefore = site.requests().length;
      // Its own workflow's status query is waiting at the sweep, which asks the site (a fixed 1.5 s
      // was not always enough on a loaded machine, and the confirmation then came before).
      const { business_key: businessKey } = await app.db.selectFrom('deliveries').select('business_key').where('id', '=', waiting.id).executeTakeFirstOrThrow();
      const ownWorkflow = app.client.workflow.getHandle(deliveryWorkflowId(businessKey));
      await expect
        .poll(
          async () =>
            (await ownWorkflow.query(deliveryStatusQuery).catch(() => null))?.waitingFor === 'confirmation' &&
            site
              .requests()
              .slice(readsBefore)
              .some((r) => r.method === 'GET' && r.path.startsWith('/api/v1/articles')),
          { timeout: 60_000, interval: 200 },
        )
        .toBe(true);
      // An address on another site is no article of 西安网's: refused, naming the field, and nothing changes.
      const elsewhere = await call('POST', `/api/deliveries/${waiting.id}/confirm`, tokens.ops, { url: 'https://www.xa.gov.cn/bl/a/12345.html' });
      expect(elsewhere.status).toBe(400);
      expect(elsewhere.body.error.issues).toEqual([
        expect.objectContaining({ path: 'url', message: expect.stringMatching(/points to www\.xa\.gov\.cn, not to 西安网碑林频道 \(xiancn\.com\)/) }),
      ]);
      expect((await call('GET', `/api/deliveries/${waiting.id}`, tokens.ops)).body.state).toBe('unconfirmed');
      const started = Date.now();
      const confirmed = await call('POST', `/api/deliveries/${waiting.id}/confirm`, tokens.ops, {
        url: 'https://www.xiancn.com/bl/a/12345.html',
        note: '已在西安网后台看到上线',
      });
      expect(confirmed.status).toBe(200);
      expect(confirmed.body.state).toBe('live');
      expect(Date.now() - started).toBeLessThan(10_000);
      await expect.poll(async () => (await call('GET', `/api/packages/${id}`, tokens.ops)).body.status, { timeout: 30_000 }).toBe('released');
      const audit = await call('GET', `/api/audit?package=${id}`, tokens.ops);
      expect(audit.body.entries.filter((e: { action: string }) => e.action === 'delivery_confirmed_manually').length).toBe(1);
    } finally {
      config.confirmTimeoutSec = timeout;
      site.clearFaults();
    }
  });

  it("retries an item the news site's editors rejected: the item is posted again as a new article, goes live, and both submissions are audited", async () => {
    const site = world.simulators.simulators.news_site.state;
    // The document is accepted; the interpretation (the second article created) is rejected at review.
    // The editors' reason holds a terminal's escape and a direction override: quoted to people, shown, never acted on.
    site.addFault({ match: '/api/v1/articles', method: 'POST', kind: 'async_fail', skip: 1, count: 1, message: '解读与原文数据不一致\u001b[2J\u202e' });
    const before = site.publications().length;
    try {
      const id = await releaseThroughApi(richPolicyPackage(world, ['news_site:zcjd', 'portal:zwgk-zcwj-zcjd-wz'], '关于推进老旧街区微改造的通知'));
      const failed = await deliveryOf(id, 'news_site:zcjd', (d) => d.state === 'failed');
      expect(failed.errorClass).toBe('rejected');
      expect(failed.errorMessageZh).toContain('解读与原文数据不一致\\u001b[2J\\u202e');
      const quoted = [
        failed.errorMessage,
        failed.errorMessageZh,
        ...(failed.problems ?? []).flatMap((p: { message: string; messageEn: string }) => [p.message, p.messageEn]),
      ];
      for (const text of quoted) expect(text ?? '').not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
      await expect
        .poll(async () => (await call('GET', `/api/deliveries/${failed.id}`, tokens.ops)).body.waitingFor, { timeout: 30_000, interval: 300 })
        .toBe('operator');

      const retried = await call('POST', `/api/deliveries/${failed.id}/retry`, tokens.ops);
      expect(retried.status).toBe(200);
      const live = await deliveryOf(id, 'news_site:zcjd', (d) => d.state === 'live' || (d.state === 'failed' && d.attempts > 1));
      expect(live.state).toBe('live');
      // Live, it waits for nothing (its finished workflow's last wait was the site's review: never shown as "confirmation").
      expect((await call('GET', `/api/deliveries/${live.id}`, tokens.ops)).body.waitingFor).toBeUndefined();
      await expect.poll(async () => (await call('GET', `/api/packages/${id}`, tokens.ops)).body.status, { timeout: 30_000 }).toBe('released');

      // At the site: each item published once; only the refused interpretation was posted a second time, under a new key.
      const posted = site.publications().slice(before);
      const published = posted.filter((p) => p.state === 'published');
      expect(posted.filter((p) => p.state === 'failed').map((p) => p.idempotencyKey)).toEqual([expect.stringMatching(/\.interpretation-1$/)]);
      expect(published.map((p) => p.idempotencyKey!.replace(/^govpub\.[0-9a-f]+\./, '')).sort()).toEqual([
        'document',
        'interpretation-1.r1',
        'interpretation-2',
      ]);
      expect(new Set(published.map((p) => p.title)).size).toBe(published.length);
      expect(posted).toHaveLength(published.length + 1);
      const audit = await call('GET', `/api/audit?package=${id}`, tokens.ops);
      const mine = audit.body.entries.filter((e: { details?: { channelId?: string }; channelId?: string }) => JSON.stringify(e).includes('news_site:zcjd'));
      const count = (action: string) => mine.filter((e: { action: string }) => e.action === action).length;
      expect(count('delivery_submitted')).toBe(2);
      expect(count('delivery_rejected')).toBe(1);
      expect(count('delivery_retry_requested')).toBe(1);
      expect(count('delivery_live')).toBe(1);
    } finally {
      site.clearFaults();
    }
  });

  it("retries a video Douyin's review refused: posted anew as a new video, goes live, and both submissions are audited with their own ids", async () => {
    const douyin = world.simulators.simulators.douyin.state;
    // The first video is refused at review, after Douyin took it; the retry's is not.
    douyin.addFault({ match: '/video/create/', kind: 'async_fail', count: 1 });
    const before = douyin.publications().length;
    try {
      const id = await releaseThroughApi(richPolicyPackage(world, ['douyin:blfb-dy', 'portal:zwgk-zcwj-zcjd-wz'], '关于推行区级政务服务“一网通办”的通知'));
      const failed = await deliveryOf(id, 'douyin:blfb-dy', (d) => d.state === 'failed');
      expect(failed.errorClass).toBe('rejected');
      // What operations read: Douyin's word for the refusal, and that a retry posts the video anew.
      expect(failed.platformCode).toBe('video_status_2');
      expect(failed.errorMessageZh).toBe(
        '抖音：审核认为这条视频不适宜公开，视频没有发布（平台代码：video_status_2）。重试会重新上传视频，作为新视频再次提交审核；如视频本身需要修改，请修改稿件后重新发布，或跳过该渠道。',
      );
      await expect
        .poll(async () => (await call('GET', `/api/deliveries/${failed.id}`, tokens.ops)).body.waitingFor, { timeout: 30_000, interval: 300 })
        .toBe('operator');

      expect((await call('POST', `/api/deliveries/${failed.id}/retry`, tokens.ops)).status).toBe(200);
      const live = await deliveryOf(id, 'douyin:blfb-dy', (d) => d.state === 'live' || (d.state === 'failed' && d.attempts > 1));
      expect(live.state).toBe('live');

      // At Douyin: the refused video and one new video, live; nothing else.
      const posted = douyin.publications().slice(before);
      expect(posted.map((p) => p.state)).toEqual(['failed', 'published']);
      const [refusedVideo, newVideo] = posted;
      const audit = await call('GET', `/api/audit?package=${id}`, tokens.ops);
      const mine = audit.body.entries.filter((e: unknown) => JSON.stringify(e).includes('douyin:blfb-dy'));
      const of = (action: string) => mine.filter((e: { action: string }) => e.action === action);
      expect(of('delivery_submitted').map((e: { details: { externalId: string; via: string } }) => e.details)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ externalId: refusedVideo!.id, via: 'transmit' }),
          expect.objectContaining({ externalId: newVideo!.id, via: 'transmit' }),
        ]),
      );
      expect(of('delivery_submitted')).toHaveLength(2);
      expect(of('delivery_rejected')).toHaveLength(1);
      // The refused post and the platform's code and words, as a refusal reconcile finds them.
      expect(of('delivery_rejected')[0].details).toMatchObject({
        externalId: refusedVideo!.id,
        platformCode: 'video_status_2',
        after: 'submission',
        messageZh: expect.stringContaining('抖音'),
      });
      expect(of('delivery_retry_requested')).toHaveLength(1);
      expect(of('delivery_live')).toHaveLength(1);
    } finally {
      douyin.clearFaults();
    }
  });

  it("audits a refusal the retry found: a Douyin video refused while its answer went unrecorded is named with Douyin's words, once, and posted anew", async () => {
    const douyin = world.simulators.simulators.douyin.state;
    // The first video is refused at review (in 200 ms), after Douyin took it; the retry's is not.
    douyin.addFault({ match: '/video/create/', kind: 'async_fail', count: 1 });
    // The worker loses the answer between the create and its record (as a worker stopped there does),
    // then again between reporting the refusal and forgetting the video: each time the transmit
    // activity fails after its side effect, and Temporal retries it on its own.
    await sql`
      CREATE SEQUENCE test_lost_answer;
      CREATE SEQUENCE test_lost_forget;
      CREATE FUNCTION test_lose_submitted_answer() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.action = 'delivery_submitted' AND NEW.channel_id = 'douyin:blfb-dy' THEN
          IF nextval('test_lost_answer') = 1 THEN
            RAISE EXCEPTION 'test: the worker stopped before the answer of video/create was recorded';
          END IF;
        END IF;
        RETURN NEW;
      END $$;
      CREATE FUNCTION test_lose_forget() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.channel_id = 'douyin:blfb-dy' AND NEW.checkpoint ? 'refusedPostIds' AND NOT (OLD.checkpoint ? 'refusedPostIds') THEN
          IF nextval('test_lost_forget') = 1 THEN
            RAISE EXCEPTION 'test: the worker stopped before the refused video was forgotten';
          END IF;
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_lose_submitted_answer BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION test_lose_submitted_answer();
      CREATE TRIGGER test_lose_forget BEFORE UPDATE ON deliveries FOR EACH ROW EXECUTE FUNCTION test_lose_forget();
    `.execute(app.db);
    const before = douyin.publications().length;
    try {
      const id = await releaseThroughApi(richPolicyPackage(world, ['douyin:blfb-dy', 'portal:zwgk-zcwj-zcjd-wz'], '关于开展老旧小区加装电梯试点的通知'));
      const settled = await deliveryOf(id, 'douyin:blfb-dy', (d) => d.state === 'live' || d.state === 'failed', 120_000);
      expect(settled.state).toBe('live');

      // At Douyin: the refused video and one new video, live; nothing else.
      const posted = douyin.publications().slice(before);
      expect(posted.map((p) => p.state)).toEqual(['failed', 'published']);
      const [refusedVideo, newVideo] = posted;
      expect((await sql<{ n: string }>`SELECT nextval('test_lost_forget') AS n`.execute(app.db)).rows[0]!.n).toBe('3'); // the forget was lost once, then done

      const audit = await call('GET', `/api/audit?package=${id}`, tokens.ops);
      const mine: { id: string; action: string; details: Record<string, unknown> }[] = audit.body.entries.filter(
        (e: { channelId: string | null }) => e.channelId === 'douyin:blfb-dy',
      );
      const of = (action: string) => mine.filter((e) => e.action === action);
      // The refusal has its own entry, though no status query saw it: the refused video, Douyin's code and
      // words (in Chinese too), and that the retry posts anew. Reported twice (before the lost forget and after), kept once.
      expect(of('delivery_refusal_found').map((e) => e.details)).toEqual([
        {
          externalId: refusedVideo!.id,
          platformCode: 'video_status_2',
          message: expect.stringContaining('not suitable for the public (video_status 2)'),
          messageZh: expect.stringContaining('抖音：审核认为这条视频不适宜公开，视频没有发布（平台代码：video_status_2）'),
          postsAnew: true,
        },
      ]);
      // Then the new video's submission (the refused one's was lost with its answer), and no failure.
      expect(of('delivery_submitted').map((e) => e.details)).toEqual([expect.objectContaining({ externalId: newVideo!.id, via: 'transmit' })]);
      expect(Number(of('delivery_submitted')[0]!.id)).toBeGreaterThan(Number(of('delivery_refusal_found')[0]!.id));
      expect(of('delivery_rejected')).toHaveLength(0);
      expect(of('delivery_live')).toHaveLength(1);
    } finally {
      douyin.clearFaults();
      await sql`
        DROP TRIGGER test_lose_submitted_answer ON audit_log;
        DROP TRIGGER test_lose_forget ON deliveries;
        DROP FUNCTION test_lose_submitted_answer();
        DROP FUNCTION test_lose_forget();
        DROP SEQUENCE test_lost_answer;
        DROP SEQUENCE test_lost_forget;
      `.execute(app.db);
    }
  });

  it('waits for a manual post with the bundle, refuses a wrong URL, confirms the right one; retraction creates a manual take-down task', async () => {
    const id = await releaseThroughApi(
      richPolicyPackage(world, ['toutiao:blfb-tt', 'wechat_oa:blfb', 'portal:zwgk-zcwj-zcjd-wz'], '关于调整城乡居民医保缴费标准的通知'),
    );
    const manual = await deliveryOf(id, 'toutiao:blfb-tt', (d) => d.state === 'awaiting_manual');
    expect(manual.task).toBe('manual_post');
    const wrong = await call('POST', `/api/deliveries/${manual.id}/confirm`, tokens.ops, { url: 'https://www.weibo.com/123' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/toutiao|头条/i);
    // The console shows the Chinese beside the URL field (it was 不符合要求： and the English sentence).
    const saysZh =
      '这个链接指向 www.weibo.com，不是今日头条（toutiao.com、ixigua.com）：请填写该帖子在今日头条上的链接（形如 https://www.toutiao.com/article/7300000000000000000/）。';
    expect(wrong.body.error.messageZh).toBe(`url：${saysZh}`);
    expect(wrong.body.error.issues).toEqual([expect.objectContaining({ path: 'url', messageZh: saysZh })]);
    // The time the post went up, when the operator confirms later: an instant with its offset, not to come, not before the hand-off.
    const postUrl = 'https://www.toutiao.com/article/7312345678901234567/';
    const handedOff = (await app.db.selectFrom('deliveries').select('created_at').where('id', '=', manual.id).executeTakeFirstOrThrow()).created_at;
    for (const [postedAt, says] of [
      ['yesterday', /^postedAt: expected an ISO 8601 date-time with its offset/],
      ['2026-12-01 09:00', /^postedAt: expected an ISO 8601 date-time with its offset/],
      [new Date(Date.now() + 3_600_000).toISOString(), /is still to come/],
      [new Date(handedOff.getTime() - 60_000).toISOString(), /is before govpub handed this post off/],
    ] as const) {
      const refused = await call('POST', `/api/deliveries/${manual.id}/confirm`, tokens.ops, { url: postUrl, postedAt });
      expect(refused.status, postedAt).toBe(400);
      expect(refused.body.error.message).toMatch(says);
      expect(JSON.stringify(refused.body.error)).toContain('postedAt');
    }
    // The hand-off's time said as the operator reads it (Beijing time), beside the UTC instant.
    const early = await call('POST', `/api/deliveries/${manual.id}/confirm`, tokens.ops, {
      url: postUrl,
      postedAt: new Date(handedOff.getTime() - 60_000).toISOString(),
    });
    const handedOffBeijing = new Date(handedOff.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    expect(early.body.error.message).toContain(`(${handedOffBeijing} Beijing time, ${handedOff.toISOString()})`);
    expect(early.body.error.messageZh).toContain(`交付时间（北京时间 ${handedOffBeijing}）`);
    expect((await call('GET', `/api/deliveries/${manual.id}`, tokens.ops)).body.state).toBe('awaiting_manual');
    // Beijing time as an operator types it; stored and answered in UTC.
    const wentUp = new Date(handedOff.getTime() + 1_000);
    const typed = new Date(wentUp.getTime() + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
    const confirmed = await call('POST', `/api/deliveries/${manual.id}/confirm`, tokens.ops, { url: postUrl, postedAt: typed });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body.state).toBe('live');
    const row = await app.db.selectFrom('deliveries').select('live_at').where('id', '=', manual.id).executeTakeFirstOrThrow();
    expect(row.live_at?.toISOString()).toBe(wentUp.toISOString());
    const confirmation = await app.db
      .selectFrom('audit_log')
      .select('details')
      .where('package_id', '=', id)
      .where('channel_id', '=', 'toutiao:blfb-tt')
      .where('action', '=', 'delivery_confirmed_manually')
      .executeTakeFirstOrThrow();
    expect(confirmation.details).toMatchObject({ url: postUrl, postedAt: wentUp.toISOString() });
    await deliveryOf(id, 'wechat_oa:blfb', (d) => d.state === 'live', 60_000);
    await expect.poll(async () => (await call('GET', `/api/packages/${id}`, tokens.ops)).body.status, { timeout: 30_000 }).toBe('released');

    // Retraction: API channels take it down; Toutiao cannot, so an operator gets a take-down task.
    expect((await call('POST', `/api/packages/${id}/retract`, tokens.ops, { reason: '政策调整，暂停执行' })).status).toBe(200);
    const task = await deliveryOf(id, 'toutiao:blfb-tt', (d) => d.state === 'retracting' && d.task === 'manual_takedown');
    await deliveryOf(id, 'wechat_oa:blfb', (d) => d.state === 'retracted', 60_000);
    const wechat = world.simulators.simulators.wechat_oa.state.publications().filter((p) => (p.title ?? '').includes('城乡居民医保'));
    expect(wechat).toHaveLength(1);
    expect(wechat[0]!.state).toBe('deleted');
    const needsAction = await call('GET', '/api/deliveries?needsAction=true', tokens.ops);
    expect(needsAction.body.items.map((d: { id: string }) => d.id)).toContain(task.id);
    const done = await call('POST', `/api/deliveries/${task.id}/confirm`, tokens.ops, { note: '已在头条号后台删除' });
    expect(done.status).toBe(200);
    expect(done.body.state).toBe('retracted');
    await expect.poll(async () => (await call('GET', `/api/packages/${id}`, tokens.ops)).body.status, { timeout: 30_000 }).toBe('retracted');
    // Taken down, it waits for nothing (it read "waiting for confirmation" from its finished workflow).
    const shown = await call('GET', `/api/deliveries/${task.id}`, tokens.ops);
    expect(shown.body.state).toBe('retracted');
    expect(shown.body).not.toHaveProperty('waitingFor');
  });
  it('refuses an edit that would put an approved package back into review with content a channel refuses (WeChat without a cover), as a submit does; it stays scheduled', async () => {
    const releaseAt = new Date(Date.now() + 3_600_000).toISOString();
    const input = { ...richPolicyPackage(world, ['wechat_oa:blfb', 'portal:zwgk-zcwj-zcjd-wz'], '关于做好今冬明春供暖保障工作的通知'), releaseAt };
    const id = await releaseThroughApi(input);
    expect((await call('GET', `/api/packages/${id}`, tokens.ops)).body.status).toBe('scheduled');
    const { cover: _cover, ...withoutCover } = input;
    const edited = await call('PUT', `/api/packages/${id}`, tokens.editor, withoutCover, { 'accept-language': 'zh-CN' });
    expect(edited.status).toBe(409);
    expect(edited.body.error.code).toBe('preflight_blocked');
    expect(edited.body.error.messageEn).toMatch(/^The edit would put the approved package back into review/);
    expect(edited.body.error.problems.map((p: { code: string; channelId?: string }) => p.code)).toContain('cover_required');
    const after = (await call('GET', `/api/packages/${id}`, tokens.ops)).body;
    expect([after.status, after.revision, after.approvals.length]).toEqual(['scheduled', 1, 3]);
  });

  it('never releases a scheduled package through an edit: the same content saved without its release time is 409 release_time_cleared naming releaseAt, and it stays scheduled', async () => {
    const releaseAt = new Date(Date.now() + 3_600_000).toISOString();
    const input = { ...richPolicyPackage(world, ['portal:zwgk-zcwj-zcjd-wz'], '关于做好今冬明春燃气安全工作的通知'), releaseAt };
    const id = await releaseThroughApi(input);
    expect((await call('GET', `/api/packages/${id}`, tokens.ops)).body.status).toBe('scheduled');
    // A file or form without the time (the examples have none): before, the package was released at once.
    const { releaseAt: _time, ...withoutTime } = input;
    const saved = await call('PUT', `/api/packages/${id}?baseRevision=1`, tokens.editor, withoutTime, { 'accept-language': 'zh-CN' });
    expect(saved.status, JSON.stringify(saved.body)).toBe(409);
    expect(saved.body.error.code).toBe('release_time_cleared');
    expect(saved.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['releaseAt']);
    expect(saved.body.error.messageEn).toContain(`govpub packages release ${id}`);
    const after = (await call('GET', `/api/packages/${id}`, tokens.ops)).body;
    expect([after.status, after.releaseAt, after.deliveries.length]).toEqual(['scheduled', new Date(releaseAt).toISOString(), 0]);
    // A new time in the same save is still taken, keeping the approvals.
    const later = new Date(Date.now() + 7_200_000).toISOString();
    const moved = await call('PUT', `/api/packages/${id}?baseRevision=1`, tokens.editor, { ...input, releaseAt: later });
    expect([moved.status, moved.body.status, moved.body.releaseAtChanged]).toEqual([200, 'scheduled', true]);
  });

  it('retracts once: a second retraction, sent later or at the same moment, is refused saying when and why the first was asked; one audit entry, the first reason kept', async () => {
    // Toutiao waits for a manual post, so the package is still releasing when it is retracted.
    const id = await releaseThroughApi(richPolicyPackage(world, ['toutiao:blfb-tt', 'portal:zwgk-zcwj-zcjd-wz'], '关于开展冬季供暖安全检查的通知'));
    await deliveryOf(id, 'toutiao:blfb-tt', (d) => d.state === 'awaiting_manual');
    await deliveryOf(id, 'portal:zwgk-zcwj-zcjd-wz', (d) => d.state === 'live');
    const [a, b] = await Promise.all([
      call('POST', `/api/packages/${id}/retract`, tokens.ops, { reason: '检查时间调整' }),
      call('POST', `/api/packages/${id}/retract`, tokens.opsNight, { reason: '夜班再撤一次' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const firstReason = a.status === 200 ? '检查时间调整' : '夜班再撤一次';
    const refusedAtOnce = a.status === 409 ? a : b;
    expect(refusedAtOnce.body.error.code).toBe('already_retracting');
    expect(refusedAtOnce.body.error.message).toContain(firstReason);

    const later = await call('POST', `/api/packages/${id}/retract`, tokens.ops, { reason: '再撤一次' }, { 'accept-language': 'zh-CN' });
    expect(later.status).toBe(409);
    expect(later.body.error.code).toBe('already_retracting');
    expect(later.body.error.message).toMatch(new RegExp(`稿件已在撤稿中（\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} 申请，原因：${firstReason}）`));
    expect(later.body.error.messageEn).toMatch(/already being retracted/);

    const task = await deliveryOf(id, 'toutiao:blfb-tt', (d) => d.state === 'retracting' && d.task === 'manual_takedown');
    expect((await call('POST', `/api/deliveries/${task.id}/confirm`, tokens.ops, { note: '未发布，无需删除' })).status).toBe(200);
    await expect.poll(async () => (await call('GET', `/api/packages/${id}`, tokens.ops)).body.status, { timeout: 30_000 }).toBe('retracted');
    const afterwards = await call('POST', `/api/packages/${id}/retract`, tokens.ops, { reason: '再撤一次' });
    expect(afterwards.status).toBe(409);
    expect(afterwards.body.error.code).toBe('already_retracted');
    expect(afterwards.body.error.message).toContain(firstReason);

    const pkg = (await call('GET', `/api/packages/${id}`, tokens.ops)).body;
    expect(pkg.retraction.reason).toBe(firstReason);
    const actions = (await call('GET', `/api/audit?package=${id}`, tokens.ops)).body.entries as { action: string; details: { reason?: string } }[];
    expect(actions.filter((e) => e.action === 'retract_requested')).toHaveLength(1);
    const takedownReasons = actions.filter((e) => ['delivery_retracted', 'delivery_manual_takedown_task'].includes(e.action)).map((e) => e.details.reason);
    expect(takedownReasons.length).toBeGreaterThan(0);
    expect(new Set(takedownReasons)).toEqual(new Set([firstReason]));
  });

  it('refuses to skip a take-down (409 takedown_not_skippable, saying to delete by hand and confirm), leaving it to do', async () => {
    const id = await releaseThroughApi(richPolicyPackage(world, ['toutiao:blfb-tt', 'portal:zwgk-zcwj-zcjd-wz'], '关于开展冬季消防安全检查的通知'));
    await deliveryOf(id, 'toutiao:blfb-tt', (d) => d.state === 'awaiting_manual');
    expect((await call('POST', `/api/packages/${id}/retract`, tokens.ops, { reason: '检查安排调整' })).status).toBe(200);
    const task = await deliveryOf(id, 'toutiao:blfb-tt', (d) => d.state === 'retracting' && d.task === 'manual_takedown');
    // It answered 409 with code "Error" and "No registered handler for update: skip".
    const skipped = await call('POST', `/api/deliveries/${task.id}/skip`, tokens.ops, { reason: '不删了' }, { 'accept-language': 'zh-CN' });
    expect(skipped.status).toBe(409);
    expect(skipped.body.error.code).toBe('takedown_not_skippable');
    expect(skipped.body.error.messageEn).toContain(`govpub deliveries confirm ${task.id}`);
    expect(skipped.body.error.message).toContain('确认已删除');
    const still = (await call('GET', `/api/deliveries/${task.id}`, tokens.ops)).body;
    expect([still.state, still.task]).toEqual(['retracting', 'manual_takedown']);
    expect((await call('POST', `/api/deliveries/${task.id}/confirm`, tokens.ops, { note: '已在头条号后台删除' })).body.state).toBe('retracted');
    // Toutiao cannot be asked about a post: the operator's word stands, and the audit says it was not checked.
    const confirmed = (await call('GET', `/api/audit?package=${id}`, tokens.ops)).body.entries.find(
      (e: { action: string }) => e.action === 'delivery_takedown_confirmed',
    );
    expect(confirmed.details.platformCheck).toBe('unchecked: toutiao offers no query govpub can ask about one post');
    expect(confirmed.detailsZh.platformCheck).toMatch(/^未能向平台核实.*以运维人员的确认为准$/);
    // Confirmed again (a second operator, a double click): nothing waits, said as such, not "url: required".
    const again = await call('POST', `/api/deliveries/${task.id}/confirm`, tokens.ops, { note: '已在头条号后台删除' });
    expect([again.status, again.body.error.code]).toEqual([409, 'delivery_settled']);
    expect(JSON.stringify(again.body.error)).toMatch(/already retracted; there is nothing to confirm/);
  });

  it("asks the platform before taking an operator's word that a post is gone: refused (409 post_still_public) while WeChat still shows it, taken once it is deleted there", async () => {
    const wechat = world.simulators.simulators.wechat_oa;
    const title = '关于做好冬季道路交通安全工作的通知';
    const id = await releaseThroughApi(richPolicyPackage(world, ['wechat_oa:blfb', 'portal:zwgk-zcwj-zcjd-wz'], title));
    await expect.poll(async () => (await call('GET', `/api/packages/${id}`, tokens.ops)).body.status, { timeout: 60_000 }).toBe('released');
    // WeChat's delete fails for now: the take-down keeps retrying, and an operator steps in.
    const failing = wechat.state.addFault({ match: '/cgi-bin/freepublish/delete', kind: 'http_error', status: 503 });
    try {
      expect((await call('POST', `/api/packages/${id}/retract`, tokens.ops, { reason: '内容需更正' })).status).toBe(200);
      const retracting = await deliveryOf(id, 'wechat_oa:blfb', (d) => d.state === 'retracting' && d.attempts >= 1);
      const post = () => wechat.state.publications().find((p) => (p.title ?? '').includes('道路交通安全'))!;
      expect(post().deleted).toBe(false);

      // Said taken down while WeChat still publishes it: refused, in both languages, nothing changed.
      const early = await call('POST', `/api/deliveries/${retracting.id}/confirm`, tokens.ops, { note: '已删除' }, { 'accept-language': 'zh-CN' });
      expect(early.status, JSON.stringify(early.body)).toBe(409);
      expect(early.body.error.code).toBe('post_still_public');
      expect(early.body.error.messageEn).toMatch(/still has the post on .*wechat_oa:blfb.*is published/);
      expect(early.body.error.messageEn).toContain(`govpub deliveries retry ${retracting.id}`);
      expect(early.body.error.message).toMatch(/^微信公众号「.+」上该内容仍在：图文（article_id .+）仍处于已发布状态/);
      const still = (await call('GET', `/api/deliveries/${retracting.id}`, tokens.ops)).body;
      expect(still.state).toBe('retracting');
      expect((await call('GET', `/api/packages/${id}`, tokens.ops)).body.status).toBe('retracting');

      // Deleted by hand in WeChat's back office: now the confirmation is taken, and says the platform agreed.
      const removed = await fetch(`${wechat.url}/__sim/publications/${encodeURIComponent(post().id)}/delete`, { method: 'POST' });
      expect(removed.status).toBe(200);
      const done = await call('POST', `/api/deliveries/${retracting.id}/confirm`, tokens.ops, { note: '已在公众号后台删除' });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect(done.body.state).toBe('retracted');
      // Settled, it shows no error of the failed attempts (the console read it as a failed publication).
      expect([done.body.errorClass, done.body.errorMessage, done.body.errorMessageZh]).toEqual([null, null, null]);
      await expect.poll(async () => (await call('GET', `/api/packages/${id}`, tokens.ops)).body.status, { timeout: 30_000 }).toBe('retracted');
      const audit = (await call('GET', `/api/audit?package=${id}`, tokens.ops)).body.entries as {
        action: string;
        details: Record<string, unknown>;
        detailsZh: Record<string, unknown>;
      }[];
      const confirmed = audit.filter((e) => e.action === 'delivery_takedown_confirmed');
      expect(confirmed).toHaveLength(1);
      expect(confirmed[0]!.details).toMatchObject({ note: '已在公众号后台删除', platformCheck: 'gone' });
      expect(confirmed[0]!.detailsZh).toMatchObject({ platformCheck: '平台答复内容已不存在' });
      saveHistory('takedown-confirmation-checked', takedownWorkflowId(retracting.businessKey));
    } finally {
      wechat.state.clearFaults();
      void failing;
    }
  });

  it("takes the operator's word when the platform cannot be asked (Weibo down), and the audit says the post was not checked", async () => {
    const weibo = world.simulators.simulators.weibo;
    const id = await releaseThroughApi(richPolicyPackage(world, ['weibo:blfb-wb', 'portal:zwgk-zcwj-zcjd-wz'], '关于做好冬季校园安全工作的通知'));
    await expect.poll(async () => (await call('GET', `/api/packages/${id}`, tokens.ops)).body.status, { timeout: 60_000 }).toBe('released');
    weibo.state.addFault({ match: '/2/statuses/destroy.json', kind: 'http_error', status: 503 });
    weibo.state.addFault({ match: '/2/statuses/show.json', kind: 'http_error', status: 503 });
    try {
      expect((await call('POST', `/api/packages/${id}/retract`, tokens.ops, { reason: '安排调整' })).status).toBe(200);
      const retracting = await deliveryOf(id, 'weibo:blfb-wb', (d) => d.state === 'retracting' && d.attempts >= 1);
      const done = await call('POST', `/api/deliveries/${retracting.id}/confirm`, tokens.ops, { note: '已在微博后台删除' });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect(done.body.state).toBe('retracted');
      const audit = (await call('GET', `/api/audit?package=${id}`, tokens.ops)).body.entries as { action: string; details: Record<string, unknown> }[];
      const confirmed = audit.find((e) => e.action === 'delivery_takedown_confirmed')!;
      expect(confirmed.details.platformCheck).toMatch(
        /^unchecked: the platform could not be asked: Asking Weibo whether the post is still up: Weibo had a system error/,
      );
    } finally {
      weibo.state.clearFaults();
    }
  });

  it('takes down a post whose answer was lost even after operations skipped the delivery: retraction asks the platform first', async () => {
    const weibo = world.simulators.simulators.weibo;
    // The post is created but its answer is lost, and the timeline cannot be read for now:
    // the delivery cannot learn what happened and backs off.
    const dropped = weibo.state.addFault({ match: '/2/statuses/share.json', method: 'POST', kind: 'drop_response', count: 1 });
    const blind = weibo.state.addFault({ match: '/2/statuses/user_timeline.json', kind: 'http_error', status: 503 });
    const title = '关于做好岁末年初农民工工资支付工作的通知';
    const id = await releaseThroughApi(richPolicyPackage(world, ['weibo:blfb-wb', 'portal:zwgk-zcwj-zcjd-wz'], title));
    const unsure = await deliveryOf(id, 'weibo:blfb-wb', (d) => d.attempts >= 1 && d.state !== 'transmitting');
    expect(unsure.externalId).toBeNull();
    // Operations give up on it while it waits (the outcome is still unknown).
    await expect
      .poll(async () => (await call('POST', `/api/deliveries/${unsure.id}/skip`, tokens.ops, { reason: '微博暂不发布' })).status, {
        timeout: 60_000,
        interval: 300,
      })
      .toBe(200);
    await expect.poll(async () => (await call('GET', `/api/packages/${id}`, tokens.ops)).body.status, { timeout: 60_000 }).toBe('released');
    const posted = weibo.state.publications().filter((p) => JSON.stringify(p).includes('农民工工资'));
    expect(posted).toHaveLength(1);
    expect(posted[0]!.state).not.toBe('deleted');
    weibo.state.clearFaults();
    void dropped;
    void blind;

    expect((await call('POST', `/api/packages/${id}/retract`, tokens.ops, { reason: '内容需更正' })).status).toBe(200);
    await expect.poll(async () => (await call('GET', `/api/packages/${id}`, tokens.ops)).body.status, { timeout: 90_000, interval: 500 }).toBe('retracted');
    const after = weibo.state.publications().filter((p) => JSON.stringify(p).includes('农民工工资'));
    expect(after.map((p) => p.state)).toEqual(['deleted']);
    const delivery = await deliveryOf(id, 'weibo:blfb-wb', (d) => d.state === 'retracted');
    expect(delivery.state).toBe('retracted');
    saveHistory('delivery-unconfirmed-skipped', deliveryWorkflowId(delivery.businessKey));
    saveHistory('takedown-reconciled-first', takedownWorkflowId(delivery.businessKey));
    saveHistory('package-released-retracted-through-deliveries', packageWorkflowId(id));
    const audit = await call('GET', `/api/audit?package=${id}`, tokens.ops);
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['delivery_found_by_reconcile', 'delivery_retracted']));
  });
  it('audits who asked for each retry: of a delivery waiting on a paused channel, and of a take-down the platform keeps refusing', async () => {
    const weibo = world.simulators.simulators.weibo;
    const channel = 'weibo:blfb-wb';
    const retriesOf = async (id: string) =>
      (
        (await call('GET', `/api/audit?package=${id}&action=delivery_retry_requested`, tokens.ops)).body.entries as {
          actor: string;
          channelId: string | null;
          details: Record<string, unknown>;
        }[]
      ).filter((e) => e.channelId === channel);
    expect((await call('POST', `/api/channels/${encodeURIComponent(channel)}/pause`, tokens.ops, { reason: '账号维护' })).status).toBe(200);
    let id: string;
    try {
      id = await releaseThroughApi(richPolicyPackage(world, [channel, 'portal:zwgk-zcwj-zcjd-wz'], '关于做好冬季供暖保障工作的通知'));
      const waiting = await deliveryOf(id, channel, (d) => d.state === 'pending');
      await expect
        .poll(async () => (await call('GET', `/api/deliveries/${waiting.id}`, tokens.ops)).body.waitingFor, { timeout: 60_000, interval: 300 })
        .toBe('channel');
      // A pending row may be a moment behind a workflow that already waits for a confirmation: a
      // post's address given for it is held to the platform's rule (a Weibo post is on weibo.com),
      // and a right one is answered by the workflow: nothing waits for a confirmation here.
      const offSite = await call('POST', `/api/deliveries/${waiting.id}/confirm`, tokens.ops, { url: 'https://example.org/post/1' });
      expect(offSite.status).toBe(400);
      expect(offSite.body.error.issues).toEqual([expect.objectContaining({ path: 'url', messageZh: expect.stringContaining('微博') })]);
      const onSite = await call('POST', `/api/deliveries/${waiting.id}/confirm`, tokens.ops, { url: 'https://weibo.com/1234567890/Nabcdef12' });
      expect(onSite.status, JSON.stringify(onSite.body)).toBe(409);
      expect(onSite.body.error.code).toBe('not_awaiting_confirmation');
      // A retry on the paused channel is accepted (it waits for the resume) and, like every operator action, audited with who asked.
      const retried = await call('POST', `/api/deliveries/${waiting.id}/retry`, tokens.opsNight);
      expect(retried.status, JSON.stringify(retried.body)).toBe(200);
      expect(retried.body.channelHold).toMatchObject({ channelId: channel });
      await expect.poll(async () => (await retriesOf(id)).map((e) => e.actor), { timeout: 10_000 }).toEqual(['ops-night']);
    } finally {
      expect((await call('POST', `/api/channels/${encodeURIComponent(channel)}/resume`, tokens.ops)).status).toBe(200);
    }
    await expect.poll(async () => (await call('GET', `/api/packages/${id}`, tokens.ops)).body.status, { timeout: 60_000 }).toBe('released');

    // Weibo refuses the delete for now: the take-down keeps trying, and an operator asks it to try again now.
    weibo.state.addFault({ match: '/2/statuses/destroy.json', kind: 'http_error', status: 503 });
    try {
      expect((await call('POST', `/api/packages/${id}/retract`, tokens.ops, { reason: '供暖安排调整' })).status).toBe(200);
      const retracting = await deliveryOf(id, channel, (d) => d.state === 'retracting' && d.attempts >= 1);
      const again = await call('POST', `/api/deliveries/${retracting.id}/retry`, tokens.ops);
      expect(again.status, JSON.stringify(again.body)).toBe(200);
      await expect.poll(async () => (await retriesOf(id)).map((e) => e.actor), { timeout: 10_000 }).toEqual(['ops-night', 'ops-duty']);
      expect((await retriesOf(id))[1]!.details).toMatchObject({ state: 'retracting' });
    } finally {
      weibo.state.clearFaults();
    }
    await expect.poll(async () => (await call('GET', `/api/packages/${id}`, tokens.ops)).body.status, { timeout: 90_000, interval: 500 }).toBe('retracted');
    // Each retry once: the workflow's own entries (a failed delivery's retry) are not doubled.
    expect(await retriesOf(id)).toHaveLength(2);
  });
  it("never records a post's URL as its take-down: a hand-off confirmed with its URL after the package was retracted is refused, saying to delete the post first", async () => {
    const id = await releaseThroughApi(richPolicyPackage(world, ['toutiao:blfb-tt', 'portal:zwgk-zcwj-zcjd-wz'], '关于做好冬季城市道路除雪工作的通知'));
    const handoff = await deliveryOf(id, 'toutiao:blfb-tt', (d) => d.state === 'awaiting_manual');
    // The package is retracted while an operator posts the bundle (the board they read still showed the hand-off).
    expect((await call('POST', `/api/packages/${id}/retract`, tokens.opsNight, { reason: '除雪安排调整' })).status).toBe(200);
    await deliveryOf(id, 'toutiao:blfb-tt', (d) => d.state === 'retracting' && d.task === 'manual_takedown');
    const post = 'https://www.toutiao.com/article/7312345678901239999/';
    const posted = await call('POST', `/api/deliveries/${handoff.id}/confirm`, tokens.ops, { url: post }, { 'accept-language': 'zh-CN' });
    // It recorded the post as taken down (state retracted) while it stays public on Toutiao.
    expect(posted.status, JSON.stringify(posted.body)).toBe(409);
    expect(posted.body.error.code).toBe('delivery_retracting');
    expect(posted.body.error.messageEn).toContain(post);
    expect(posted.body.error.messageEn).toMatch(/retracted.*delete it on the platform.*confirm the take-down without a URL/);
    expect(posted.body.error.message).toMatch(/已撤稿.*请先在平台上删除.*再确认已删除/);
    const still = (await call('GET', `/api/deliveries/${handoff.id}`, tokens.ops)).body;
    expect([still.state, still.task]).toEqual(['retracting', 'manual_takedown']);
    const audit = (await call('GET', `/api/audit?package=${id}`, tokens.ops)).body.entries as { action: string }[];
    expect(audit.map((e) => e.action)).not.toContain('delivery_takedown_confirmed');
    // Deleted there, the take-down is confirmed without a URL.
    const done = await call('POST', `/api/deliveries/${handoff.id}/confirm`, tokens.ops, { note: '已在头条号后台删除' });
    expect([done.status, done.body.state]).toEqual([200, 'retracted']);
  });
  it("says why a take-down waits when the platform refuses the account's credentials, and holds the channel until they are fixed", async () => {
    const weibo = world.simulators.simulators.weibo;
    const channel = 'weibo:blfb-wb';
    const id = await releaseThroughApi(richPolicyPackage(world, [channel, 'portal:zwgk-zcwj-zcjd-wz'], '关于做好冬季森林防火工作的通知'));
    await expect.poll(async () => (await call('GET', `/api/packages/${id}`, tokens.ops)).body.status, { timeout: 60_000 }).toBe('released');
    weibo.state.addFault({ match: '/2/statuses/destroy.json', kind: 'token_expired', invalidate: false });
    try {
      expect((await call('POST', `/api/packages/${id}/retract`, tokens.ops, { reason: '防火安排调整' })).status).toBe(200);
      // It waited for a resume of a channel nobody had paused, with no error on it: the post stayed public, unexplained.
      const refused = await deliveryOf(id, channel, (d) => d.state === 'retracting' && d.attempts >= 1 && d.errorClass !== null);
      expect(refused.errorClass).toBe('needs_reconnect');
      expect(refused.errorMessageZh).toMatch(/微博/);
      const held = (await call('GET', `/api/channels?platform=weibo`, tokens.ops)).body.channels.find((c: { id: string }) => c.id === channel);
      expect(held).toMatchObject({ paused: true, pausedBy: 'system' });
      const audit = (await call('GET', `/api/audit?package=${id}`, tokens.ops)).body.entries as { action: string; channelId: string | null }[];
      expect(audit.filter((e) => e.channelId === channel).map((e) => e.action)).toContain('delivery_needs_reconnect');
    } finally {
      weibo.state.clearFaults();
    }
    // Credentials fixed (the fault gone): the resume is checked with Weibo, and the take-down goes through.
    const resumed = await call('POST', `/api/channels/${encodeURIComponent(channel)}/resume`, tokens.ops);
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
    await expect.poll(async () => (await call('GET', `/api/packages/${id}`, tokens.ops)).body.status, { timeout: 90_000, interval: 500 }).toBe('retracted');
    const after = await deliveryOf(id, channel, (d) => d.state === 'retracted');
    expect([after.errorClass, after.errorMessage]).toEqual([null, null]);
  });
});
