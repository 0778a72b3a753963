import { describe, expect, it } from 'vitest';
import { createBilibiliAdapter, type BilibiliCheckpoint } from '../../adapters/bilibili/adapter.js';
import { memoryTokenStore } from '../../adapters/tokens.js';
import type { ConfirmResult, MediaInfo } from '../../adapters/types.js';
import { deliveryErrorZh } from '../../adapters/error-codes.js';
import {
  advanceSimClock,
  confirmUntilFinal,
  failureOf,
  failureOfSync,
  KiB,
  mediaTools,
  simPublications,
  videoAccount,
  videoContext,
  videoUnit,
  useVideoSimulator,
} from './video-support.js';

/** A Chinese sentence: every refusal carries one written where it arose. */
const ZH = expect.stringMatching(/[\u4e00-\u9fff]/);

const CLIENT_ID = 'bl00000000b1f001';
const SECRET = 'bilibili-client-secret';
const REFRESH = 'preissued-refresh-blwhly-0001';
const { channel, account } = videoAccount('bilibili', 'blwhly-bz', '文旅碑林', 'BILIBILI_BLWHLY_BZ_REFRESH_TOKEN');

describe('bilibili adapter: format (pure)', () => {
  const adapter = createBilibiliAdapter();
  const video: MediaInfo = {
    mediaId: 'b'.repeat(64),
    kind: 'video',
    mime: 'video/mp4',
    sizeBytes: 5_000_000,
    width: 1920,
    height: 1080,
    durationSec: 180,
    name: '解读.mp4',
  };
  const bigCover: MediaInfo = { mediaId: 'c'.repeat(64), kind: 'image', mime: 'image/jpeg', sizeBytes: 400_000, width: 1600, height: 1000 };
  const smallCover: MediaInfo = { mediaId: 'd'.repeat(64), kind: 'image', mime: 'image/jpeg', sizeBytes: 40_000, width: 640, height: 400 };

  it('builds title, description with the document link, tags, partition and cover', () => {
    const unit = videoUnit(video, { cover: { mediaId: bigCover.mediaId, alt: '封面' } });
    unit.media[bigCover.mediaId] = bigCover;
    const f = adapter.format(unit, channel);
    expect(f.payload).toEqual({
      platform: 'bilibili',
      interpretation: 1,
      video: { mediaId: video.mediaId, spec: 'bilibili.video_1080', name: '解读.mp4', durationSec: 180 },
      cover: { mediaId: bigCover.mediaId, spec: 'bilibili.cover' },
      title: '视频解读：碑林区老旧小区改造怎么改',
      desc: expect.stringMatching(/^2025年，碑林区计划改造老旧小区46个.*\n政策原文：https:\/\/www\.beilin\.gov\.cn\/art\/pkg-7\/index\.html$/s),
      tags: ['碑林区', '政务公开', '政策解读'],
      tid: 206,
      copyright: 1,
      noReprint: 0,
    });
    expect(f.renditions).toEqual([
      { mediaId: video.mediaId, spec: 'bilibili.video_1080', purpose: 'interpretation video' },
      { mediaId: bigCover.mediaId, spec: 'bilibili.cover', purpose: 'cover' },
    ]);
    expect(f.warnings).toEqual([]);
  });

  it('keeps the description within 250 characters with the link whole, and uses a video frame when the cover is too small', () => {
    const unit = videoUnit(video, { cover: { mediaId: smallCover.mediaId, alt: '封面' } });
    unit.media[smallCover.mediaId] = smallCover;
    unit.interpretations[1]!.body = `<p>${'政策内容'.repeat(100)}</p>`;
    const f = createBilibiliAdapter({ tags: ['碑林区', '一个非常非常非常长的标签名称超过了二十个字的限制', '碑林区'] }).format(unit, channel);
    expect([...f.payload.desc].length).toBe(250);
    expect(f.payload.desc.endsWith('…\n政策原文：https://www.beilin.gov.cn/art/pkg-7/index.html')).toBe(true);
    expect(f.payload.cover).toEqual({ mediaId: video.mediaId, spec: 'bilibili.video_cover' });
    expect(f.payload.tags).toEqual(['碑林区', '政策解读']);
    expect(f.warnings).toEqual([
      "cover: the package cover is 640×400, under Bilibili's 960×600 minimum; a frame of the video is the cover instead.",
      'Bilibili (哔哩哔哩): the tag "一个非常非常非常长的标签名称超过了二十个字的限制" is longer than 20 characters and is left out.',
      expect.stringMatching(/^Bilibili \(哔哩哔哩\): the description carries the first \d+ characters of the interpretation text\.$/),
    ]);
  });

  it('lists every limit the unit breaks at once', () => {
    const unit = videoUnit({ ...video, width: 640, height: 360, durationSec: 5 * 3600 }, {});
    unit.interpretations[1]!.title = '标'.repeat(85);
    const err = failureOfSync(() => createBilibiliAdapter({ copyright: 2 }).format(unit, channel));
    expect(err.errorClass).toBe('rejected');
    expect(err.problems).toEqual([
      { field: 'interpretations[1]', message: 'the video is 5 h long; Bilibili takes videos under 5 h', messageZh: ZH },
      {
        field: 'interpretations[1].title',
        message: 'Bilibili titles have at most 80 characters; this one has 85 (5 too many)',
        messageZh: '哔哩哔哩标题最多 80 个字，本标题有 85 个字（多 5 个字）。请缩短标题。',
      },
      {
        field: 'cover',
        message: 'Bilibili needs a cover of at least 960×600: the package has no cover and the video is 640×360; choose a larger cover picture',
        messageZh: ZH,
      },
      { field: 'source', message: 'a reprint (copyright 2) must name its source', messageZh: ZH },
    ]);
  });

  it('refuses a package without a video interpretation', () => {
    const err = failureOfSync(() => adapter.format(videoUnit(null), channel));
    expect(err.message).toBe(
      'Bilibili (哔哩哔哩) cannot take this package as it is: interpretations: Bilibili (哔哩哔哩) only takes video, and this package has no video interpretation; add one, or leave this channel out of the release',
    );
  });
});

/** The Chinese sentence operations read for a delivery that failed with this confirm answer. */
const failureZh = (result: ConfirmResult) =>
  result.state === 'rejected'
    ? deliveryErrorZh({
        platform: 'bilibili',
        errorClass: 'rejected',
        errorMessage: result.message,
        platformCode: result.platformCode ?? null,
        state: 'failed',
      })
    : null;

describe.skipIf(!mediaTools.enabled)('bilibili adapter against the simulator', () => {
  const env = useVideoSimulator('bilibili', {
    credentials: { [CLIENT_ID]: SECRET },
    refreshTokens: { [REFRESH]: { clientId: CLIENT_ID } },
    publishDelayMs: 100,
  });

  const credentials = { clientId: CLIENT_ID, clientSecret: SECRET, refreshToken: REFRESH };
  const context = (creds: Record<string, string> = credentials, tokens = memoryTokenStore()) =>
    videoContext<BilibiliCheckpoint>({ channel, account, baseUrl: env.sim.url, credentials: creds, tokens, renditions: env.media.renditions });
  const paths = () => env.sim.state.requests().map((r) => r.path);
  const partsOf = async (partBytes: number) =>
    Math.ceil((await env.media.renditions.get(env.media.video.mediaId, 'bilibili.video_1080')).sizeBytes / partBytes);

  it('publishes: signed init → part → complete → cover → add-by-utoken; review to live; take-down twice', async () => {
    const adapter = createBilibiliAdapter();
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    const ctx = context();
    const result = await adapter.transmit(payload, ctx);
    expect(result).toEqual({ state: 'submitted', externalId: expect.stringMatching(/^BV1/) });
    expect(paths()).toEqual([
      '/x/account-oauth2/v1/refresh_token',
      '/arcopen/fn/archive/video/init',
      '/video/v2/part/upload',
      '/arcopen/fn/archive/video/complete',
      '/arcopen/fn/archive/cover/upload',
      '/arcopen/fn/archive/add-by-utoken',
    ]);
    expect(ctx.saved()).toMatchObject({ uploadCompleted: true, coverUrl: expect.stringContaining('/bfs/archive/'), resourceId: result.externalId });

    const live = await confirmUntilFinal(() => adapter.confirm!(result.externalId, ctx));
    expect(live).toEqual({ state: 'live', publicUrl: `${env.sim.url}/video/${result.externalId}`, externalId: result.externalId });
    const pubs = await simPublications(env.sim.url);
    expect(pubs).toHaveLength(1);
    const file = await env.media.renditions.get(env.media.video.mediaId, 'bilibili.video_1080');
    expect(pubs[0]).toMatchObject({
      id: result.externalId,
      state: 'published',
      platformStatus: 0,
      title: payload.title,
      body: payload.desc,
      links: ['https://www.beilin.gov.cn/art/pkg-7/index.html'],
      extra: { tid: 206, tag: '碑林区,政务公开,政策解读', copyright: 1, bytes: file.sizeBytes, duration: file.durationSec },
    });

    expect(await adapter.postStillThere!(result.externalId, ctx)).toMatchObject({ there: true, whatZh: expect.stringContaining('仍公开可见') });
    await adapter.takeDown!(result.externalId, { ...ctx, reason: 'retracted' });
    expect((await simPublications(env.sim.url))[0]).toMatchObject({ state: 'deleted' });
    expect(await adapter.postStillThere!(result.externalId, ctx)).toEqual({ there: false });
    await adapter.takeDown!(result.externalId, { ...ctx, reason: 'retracted' });
    const deleted = await adapter.confirm!(result.externalId, ctx);
    expect(deleted).toMatchObject({ state: 'rejected', message: expect.stringContaining('deleted'), platformCode: 'archive_state_-100' });
    expect(failureZh(deleted)).toBe(
      '哔哩哔哩：这份稿件已在平台上被删除，目前没有公开（平台代码：archive_state_-100）。重试会重新上传视频，作为新稿件提交审核；如不应再发布，请跳过该渠道。',
    );
  });

  it('uploads several parts and resumes from the checkpoint after a failed part', async () => {
    const adapter = createBilibiliAdapter({ partBytes: 256 * KiB });
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    const parts = await partsOf(256 * KiB);
    expect(parts).toBeGreaterThan(2);
    env.sim.state.addFault({ match: '/video/v2/part/upload', kind: 'http_error', status: 502, skip: 2, count: 1 });
    const first = context();
    expect(await failureOf(adapter.transmit(payload, first))).toMatchObject({ errorClass: 'retryable', platformCode: 502 });
    expect(first.saved()).toMatchObject({ uploadToken: expect.any(String), partsDone: [1, 2], uploadCompleted: false });
    expect(first.heartbeats).toBe(3);

    const result = await adapter.transmit(payload, first.nextAttempt());
    expect(paths().filter((p) => p === '/video/v2/part/upload')).toHaveLength(parts + 1);
    expect(paths().filter((p) => p === '/arcopen/fn/archive/video/init')).toHaveLength(1);
    const pubs = await simPublications(env.sim.url);
    expect(pubs).toHaveLength(1);
    expect(pubs[0]).toMatchObject({
      id: result.externalId,
      extra: { bytes: (await env.media.renditions.get(env.media.video.mediaId, 'bilibili.video_1080')).sizeBytes },
    });
  });

  it('a lost add-by-utoken answer is unconfirmed; reconcile finds the archive by its upload', async () => {
    const adapter = createBilibiliAdapter();
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    env.sim.state.addFault({ match: '/arcopen/fn/archive/add-by-utoken', kind: 'drop_response', count: 1 });
    const first = context();
    expect(await failureOf(adapter.transmit(payload, first))).toMatchObject({ errorClass: 'unconfirmed' });
    const second = first.nextAttempt();
    const pubs = await simPublications(env.sim.url);
    expect(pubs).toHaveLength(1);
    // Submitted, or already live if review finished meanwhile.
    expect(await adapter.reconcile!(payload, second)).toMatchObject({ externalId: pubs[0]!.id });
    expect(await adapter.transmit(payload, second.nextAttempt())).toEqual({ state: 'submitted', externalId: pubs[0]!.id });
    expect(await simPublications(env.sim.url)).toHaveLength(1);
    // A blind resubmission of the spent upload would have been refused and explained.
    const blind = first.nextAttempt();
    const err = await failureOf(adapter.transmit(payload, blind));
    expect(err).toMatchObject({ errorClass: 'rejected' });
    expect(err.message).toContain('already submitted');
    expect(await simPublications(env.sim.url)).toHaveLength(1);
  });

  it('stores the rotated refresh token at once and prefers it; falls back to the configured one after re-authorization', async () => {
    const adapter = createBilibiliAdapter();
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    const tokens = memoryTokenStore();
    const ctx = context(credentials, tokens);
    const { externalId } = await adapter.transmit(payload, ctx);
    const rotated = tokens.entries().get('refresh_token')!.value;
    expect(rotated).not.toBe(REFRESH);

    // The configured token is spent: the platform rotated it.
    const direct = await fetch(`${env.sim.url}/x/account-oauth2/v1/refresh_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: CLIENT_ID, client_secret: SECRET, grant_type: 'refresh_token', refresh_token: REFRESH }).toString(),
    });
    expect(((await direct.json()) as { code: number }).code).toBe(-400);

    // An access token the platform expired: refreshed with the stored token, which rotates again.
    env.sim.state.addFault({ match: '/arcopen/fn/archive/view', kind: 'token_expired', count: 1 });
    expect(await confirmUntilFinal(() => adapter.confirm!(externalId, ctx))).toMatchObject({ state: 'live' });
    const again = tokens.entries().get('refresh_token')!.value;
    expect(again).not.toBe(rotated);

    // Operations re-authorized the account (new configured token) and the stored one is stale.
    await tokens.put('refresh_token', 'stale-refresh-token', null);
    await tokens.delete('access_token');
    expect(await adapter.confirm!(externalId, context({ ...credentials, refreshToken: again }, tokens))).toMatchObject({ state: 'live' });
    expect(tokens.entries().get('refresh_token')!.value).not.toBe('stale-refresh-token');
  });

  it('an expired refresh token or a wrong client secret needs a reconnect, named without secrets', async () => {
    const adapter = createBilibiliAdapter();
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    await advanceSimClock(env.sim.url, 61 * 86400);
    const expired = await failureOf(adapter.transmit(payload, context()));
    expect(expired).toMatchObject({ errorClass: 'needs_reconnect' });
    expect(expired.message).toBe(
      'Bilibili (哔哩哔哩) refused the refresh token of the account "文旅碑林" (blwhly-bz): the authorization has expired or was revoked. Re-authorize the account on the Bilibili open platform and put the new refresh token into its credentials (secret BILIBILI_BLWHLY_BZ_REFRESH_TOKEN).',
    );
    env.sim.state.reset();
    const wrong = await failureOf(adapter.transmit(payload, context({ ...credentials, clientSecret: 'not-the-secret' })));
    expect(wrong).toMatchObject({ errorClass: 'needs_reconnect', platformCode: -3 });
    for (const e of [expired, wrong]) {
      expect(e.message).not.toContain(REFRESH);
      expect(e.message).not.toContain('not-the-secret');
      expect(JSON.stringify(e)).not.toContain(REFRESH);
    }
    expect(await simPublications(env.sim.url)).toHaveLength(0);
  });

  it("lists the account's published archives newest first (the monitor's posts and the check before a hold is lifted); refused credentials need a reconnect", async () => {
    const adapter = createBilibiliAdapter();
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    const ctx = context();
    const { externalId } = await adapter.transmit(payload, ctx);
    // Still in review: not public, not listed.
    expect(await adapter.latestPosts!(ctx, 5)).toEqual([]);
    expect(await confirmUntilFinal(() => adapter.confirm!(externalId, ctx))).toMatchObject({ state: 'live' });
    const posts = await adapter.latestPosts!(ctx, 5);
    expect(posts).toEqual([{ id: externalId, at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), title: payload.title }]);
    expect(paths().filter((p) => p === '/arcopen/fn/archive/viewlist')).toHaveLength(2);

    const refused = await failureOf(adapter.latestPosts!(context({ ...credentials, clientSecret: 'not-the-secret' }), 1));
    expect(refused).toMatchObject({ errorClass: 'needs_reconnect', platformCode: -3 });
    expect(JSON.stringify(refused)).not.toContain('not-the-secret');
  });

  it('maps rate limits (with the daily limit waiting for the Beijing day) and busy answers', async () => {
    const adapter = createBilibiliAdapter({ rateLimitWaitMs: 5000 });
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    const ctx = context();
    env.sim.state.addFault({ match: '/arcopen/fn/archive/add-by-utoken', kind: 'rate_limit', count: 1 });
    expect(await failureOf(adapter.transmit(payload, ctx))).toMatchObject({ errorClass: 'rate_limited', platformCode: -509, retryAfterMs: 5000 });
    env.sim.state.addFault({ match: '/arcopen/fn/archive/add-by-utoken', kind: 'rate_limit', code: 21070, count: 1 });
    const daily = await failureOf(adapter.transmit(payload, ctx.nextAttempt()));
    expect(daily).toMatchObject({ errorClass: 'rate_limited', platformCode: 21070 });
    expect(daily.retryAfterMs).toBeGreaterThan(60_000);
    expect(daily.retryAfterMs).toBeLessThanOrEqual(86_400_000 + 60_000);
    env.sim.state.addFault({ match: '/arcopen/fn/archive/add-by-utoken', kind: 'busy', count: 1 });
    expect(await failureOf(adapter.transmit(payload, ctx.nextAttempt().nextAttempt()))).toMatchObject({ errorClass: 'retryable', platformCode: -503 });
    await adapter.transmit(payload, ctx.nextAttempt().nextAttempt().nextAttempt());
    expect(paths().filter((p) => p === '/arcopen/fn/archive/video/init')).toHaveLength(1);
    expect(paths().filter((p) => p === '/arcopen/fn/archive/cover/upload')).toHaveLength(1);
    expect(await simPublications(env.sim.url)).toHaveLength(1);
  });

  it('an archive sent back or locked in review is rejected by confirm, with the reason', async () => {
    const adapter = createBilibiliAdapter();
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    env.sim.state.addFault({ match: '/arcopen/fn/archive/add-by-utoken', kind: 'async_fail', message: '视频内容与分区不符', count: 1 });
    // One token store per channel: the refresh token rotates, so both deliveries must share it.
    const tokens = memoryTokenStore();
    const ctx = context(credentials, tokens);
    const { externalId } = await adapter.transmit(payload, ctx);
    expect(await adapter.confirm!(externalId, ctx)).toMatchObject({ state: expect.stringMatching(/^(pending|rejected)$/) }); // 待审 until review ends
    const sentBack = await confirmUntilFinal(() => adapter.confirm!(externalId, ctx));
    expect(sentBack).toEqual({
      state: 'rejected',
      message: 'Bilibili (哔哩哔哩) review sent the archive back (被打回): 视频内容与分区不符. A retry uploads the video again and submits it anew.',
      platformCode: 'archive_state_-2',
    });
    expect(failureZh(sentBack)).toBe(
      '哔哩哔哩：审核打回了这份稿件，视频没有公开（平台代码：archive_state_-2）。重试会重新上传视频，作为新稿件再次提交审核；如需按审核理由（见英文说明）修改，请修改稿件后重新发布，或跳过该渠道。',
    );

    env.sim.state.addFault({ match: '/arcopen/fn/archive/add-by-utoken', kind: 'async_fail', code: -4, count: 1 });
    const other = context(credentials, tokens);
    const locked = await adapter.transmit(payload, other);
    const lockedAnswer = await confirmUntilFinal(() => adapter.confirm!(locked.externalId, other));
    expect(lockedAnswer).toMatchObject({ state: 'rejected', message: expect.stringContaining('locked the archive (锁定)'), platformCode: 'archive_state_-4' });
    expect(failureZh(lockedAnswer)).toMatch(/^哔哩哔哩：审核锁定了这份稿件，视频没有公开（平台代码：archive_state_-4）。重试会重新上传视频/);
  });

  it('an archive sent back in review is submitted anew on retry (new upload, new archive); a retry while an archive is in review or unanswered submits nothing', async () => {
    const adapter = createBilibiliAdapter();
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    env.sim.state.addFault({ match: '/arcopen/fn/archive/add-by-utoken', kind: 'async_fail', message: '视频内容与分区不符', count: 1 });
    // Each activity (transmit, status query, retry) gets a context reading the checkpoint as saved.
    let ctx = context();
    const next = () => (ctx = ctx.nextAttempt());
    const first = await adapter.transmit(payload, ctx);
    expect(await adapter.reconcile!(payload, next())).toEqual({ state: 'submitted', externalId: first.externalId });
    expect(await confirmUntilFinal(() => adapter.confirm!(first.externalId, next()))).toMatchObject({ state: 'rejected' });
    expect(ctx.saved()).toMatchObject({
      resourceId: null,
      uploadToken: null,
      uploadCompleted: false,
      submitRequestedAt: null,
      refusedPostIds: [first.externalId],
    });
    expect(ctx.saved().coverUrl).toEqual(expect.any(String));

    const retry = next();
    expect(await adapter.reconcile!(payload, retry)).toBeNull();
    env.sim.state.addFault({ match: '/arcopen/fn/archive/add-by-utoken', kind: 'drop_response', count: 1 });
    expect(await failureOf(adapter.transmit(payload, retry))).toMatchObject({ errorClass: 'unconfirmed' });
    const pubs = await simPublications(env.sim.url);
    expect(pubs).toHaveLength(2);
    const second = pubs.find((p) => p.id !== first.externalId)!;
    expect(paths().filter((p) => p === '/arcopen/fn/archive/video/init')).toHaveLength(2);

    // The retry's answer was lost: reconcile finds its archive, and nothing is submitted a third time.
    expect(await adapter.reconcile!(payload, next())).toMatchObject({ externalId: second.id });
    expect(await adapter.transmit(payload, next())).toEqual({ state: 'submitted', externalId: second.id });
    expect(await confirmUntilFinal(() => adapter.confirm!(second.id, next()))).toMatchObject({ state: 'live', externalId: second.id });
    expect(await simPublications(env.sim.url)).toHaveLength(2);
  });

  it('a checkpoint still naming an archive review sent back (no confirm forgot it): the first retry sees it and submits anew', async () => {
    const adapter = createBilibiliAdapter();
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    env.sim.state.addFault({ match: '/arcopen/fn/archive/add-by-utoken', kind: 'async_fail', message: '视频内容与分区不符', count: 1 });
    let ctx = context();
    const next = () => (ctx = ctx.nextAttempt());
    const first = await adapter.transmit(payload, ctx);
    // Review sends it back while no confirm asks (sent back before confirm forgot refusals, or the delivery was failed or cancelled meanwhile).
    await expect.poll(async () => (await simPublications(env.sim.url)).find((p) => p.id === first.externalId)?.state).toBe('failed');
    expect(ctx.saved()).toMatchObject({ resourceId: first.externalId, uploadCompleted: true });

    // Bilibili cannot answer now: the archive is relied on as before, nothing is forgotten.
    env.sim.state.addFault({ match: '/arcopen/fn/archive/view', kind: 'busy', count: 1 });
    expect(await adapter.reconcile!(payload, next())).toEqual({ state: 'submitted', externalId: first.externalId });
    expect(ctx.saved()).toMatchObject({ resourceId: first.externalId });
    expect(ctx.refusalsFound).toEqual([]);

    // The operator's retry: reconcile asks about the checkpointed archive, forgets it, and the same attempt submits anew.
    const retry = next();
    expect(await adapter.reconcile!(payload, retry)).toBeNull();
    expect(retry.saved()).toMatchObject({
      resourceId: null,
      uploadToken: null,
      uploadCompleted: false,
      submitRequestedAt: null,
      refusedPostIds: [first.externalId],
    });
    // Reported for the trail, with the platform's reason, while the checkpoint still named the archive.
    expect(retry.refusalsFound).toEqual([
      {
        postId: first.externalId,
        platformCode: 'archive_state_-2',
        message: expect.stringContaining('sent the archive back (被打回): 视频内容与分区不符'),
        savedThen: expect.objectContaining({ resourceId: first.externalId }),
      },
    ]);
    env.sim.state.addFault({ match: '/arcopen/fn/archive/add-by-utoken', kind: 'never_confirm', count: 1 });
    const second = await adapter.transmit(payload, retry);
    expect(second.externalId).not.toBe(first.externalId);
    expect(paths().filter((p) => p === '/arcopen/fn/archive/video/init')).toHaveLength(2);

    // In review: every later retry relies on it and submits nothing.
    expect(await adapter.reconcile!(payload, next())).toEqual({ state: 'submitted', externalId: second.externalId });
    expect(await adapter.transmit(payload, ctx)).toEqual({ state: 'submitted', externalId: second.externalId });
    expect((await simPublications(env.sim.url)).map((p) => p.id)).toEqual([first.externalId, second.externalId]);
  });

  it('an archive deleted or unknown before it was open: the retry submits anew, and a live archive is never submitted twice', async () => {
    const adapter = createBilibiliAdapter();
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    env.sim.state.addFault({ match: '/arcopen/fn/archive/add-by-utoken', kind: 'never_confirm', count: 1 });
    let ctx = context();
    const next = () => (ctx = ctx.nextAttempt());
    const first = await adapter.transmit(payload, ctx);
    // Someone deletes it in the Bilibili creator centre while it waits for review.
    await adapter.takeDown!(first.externalId, { ...next(), reason: 'deleted in the creator centre' });
    // A retry with no confirm that saw it go: reconcile relies on it (not found may also be an archive made seconds
    // ago that Bilibili does not list yet), so nothing is submitted twice; the confirm that follows decides.
    expect(await adapter.reconcile!(payload, next())).toEqual({ state: 'submitted', externalId: first.externalId });
    expect(await adapter.confirm!(first.externalId, next())).toMatchObject({ state: 'rejected', message: expect.stringContaining('submits it anew') });
    const retry = next();
    expect(await adapter.reconcile!(payload, retry)).toBeNull();
    expect(retry.saved()).toMatchObject({ resourceId: null, uploadToken: null, submitRequestedAt: null, refusedPostIds: [first.externalId] });
    const second = await adapter.transmit(payload, retry);
    expect(await confirmUntilFinal(() => adapter.confirm!(second.externalId, next()))).toMatchObject({ state: 'live', externalId: second.externalId });
    // Live: a retry (after any failure) takes it as it is and submits nothing.
    expect(await adapter.reconcile!(payload, next())).toEqual({
      state: 'live',
      externalId: second.externalId,
      publicUrl: `${env.sim.url}/video/${second.externalId}`,
    });
    expect(await adapter.transmit(payload, ctx)).toEqual({ state: 'submitted', externalId: second.externalId });
    expect((await simPublications(env.sim.url)).map((p) => [p.id, p.state])).toEqual([
      [first.externalId, 'deleted'],
      [second.externalId, 'published'],
    ]);

    // An archive Bilibili does not know (-404) is not public either: confirm says a retry submits it again, and forgets it.
    const unknown = 'BV1xx411c7mD';
    const lost = videoContext<BilibiliCheckpoint>({
      channel,
      account,
      baseUrl: env.sim.url,
      credentials,
      tokens: ctx.tokens,
      renditions: env.media.renditions,
      checkpointed: { resourceId: unknown, submitRequestedAt: new Date().toISOString(), uploadToken: 'spent', uploadCompleted: true },
    });
    const gone = await adapter.confirm!(unknown, lost);
    expect(gone).toMatchObject({
      state: 'rejected',
      platformCode: 'archive_not_found',
      message: expect.stringContaining('A retry uploads the video again and submits it anew.'),
    });
    expect(failureZh(gone)).toBe(
      '哔哩哔哩：平台已找不到这份稿件，它可能已被删除，目前没有公开（平台代码：archive_not_found）。重试会重新上传视频，作为新稿件提交审核；如不应再发布，请跳过该渠道。',
    );
    expect(lost.saved()).toMatchObject({ resourceId: null, uploadToken: null, uploadCompleted: false, submitRequestedAt: null, refusedPostIds: [unknown] });
  });
});
