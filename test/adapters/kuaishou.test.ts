import { describe, expect, it } from 'vitest';
import { createKuaishouAdapter, type KuaishouCheckpoint } from '../../adapters/kuaishou/adapter.js';
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

const APP_ID = 'ks00000000b1f001';
const SECRET = 'kuaishou-app-secret';
const REFRESH = 'preissued-refresh-blfb-ks-0001';
const { channel, account } = videoAccount('kuaishou', 'blfb-ks', '碑林发布', 'KUAISHOU_BLFB_KS_REFRESH_TOKEN');

describe('kuaishou adapter: format (pure)', () => {
  const adapter = createKuaishouAdapter();
  const video: MediaInfo = { mediaId: 'e'.repeat(64), kind: 'video', mime: 'video/mp4', sizeBytes: 3_000_000, width: 1080, height: 1920, durationSec: 42 };

  it('builds the caption and asks for the vertical video and a cover from it', () => {
    const f = adapter.format(videoUnit(video), channel);
    expect(f.payload).toEqual({
      platform: 'kuaishou',
      interpretation: 1,
      video: { mediaId: video.mediaId, spec: 'kuaishou.video_1080', durationSec: 42 },
      cover: { mediaId: video.mediaId, spec: 'kuaishou.cover' },
      caption: expect.stringMatching(
        /^视频解读：碑林区老旧小区改造怎么改\n2025年.*无障碍设施。居民可通过社区居委会了解本小区的改造计划。\n全文见碑林区人民政府网站$/s,
      ),
    });
    expect(f.renditions).toEqual([
      { mediaId: video.mediaId, spec: 'kuaishou.video_1080', purpose: 'interpretation video' },
      { mediaId: video.mediaId, spec: 'kuaishou.cover', purpose: 'cover (frame of the video)' },
    ]);
    expect(f.warnings).toEqual([]);
  });

  it('keeps the caption within the limit and refuses what cannot fit', () => {
    const unit = videoUnit(video);
    unit.interpretations[1]!.body = `<p>${'内容'.repeat(400)}</p>`;
    const f = createKuaishouAdapter({ summaryChars: 1000 }).format(unit, channel);
    expect([...f.payload.caption].length).toBe(500);
    expect(f.warnings).toHaveLength(1);

    const err = failureOfSync(() => createKuaishouAdapter({ captionChars: 20 }).format(videoUnit({ ...video, durationSec: 20 * 60 }), channel));
    expect(err.problems).toEqual([
      {
        field: 'interpretations[1]',
        message: 'the video is 20 min long, 5 min over the 15 min Kuaishou takes; trim it or split it into parts',
        messageZh: '视频时长 20 分钟，超过快手可接收的 15 分钟（多 5 分钟）。请剪短视频或分段发布。',
      },
      {
        field: 'interpretations[1].title',
        message: 'Kuaishou captions hold at most 20 characters; the title alone has 17',
        messageZh: expect.stringContaining('快手的作品描述最多 20 个字'),
      },
    ]);
    expect(failureOfSync(() => adapter.format(videoUnit(null), channel)).message).toContain(
      'Kuaishou (快手) only takes video, and this package has no video interpretation',
    );
  });
});

/** The Chinese sentence operations read for a delivery that failed with this confirm answer. */
const failureZh = (result: ConfirmResult) =>
  result.state === 'rejected'
    ? deliveryErrorZh({
        platform: 'kuaishou',
        errorClass: 'rejected',
        errorMessage: result.message,
        platformCode: result.platformCode ?? null,
        state: 'failed',
      })
    : null;
const NOT_SHOWN_ZH =
  '快手：这个作品没有在快手展示：审核未通过，或作品已被删除（平台代码：photo_not_shown）。重试会重新上传视频，作为新作品发布（可能需再次审核）；如不应再发布，请跳过该渠道。';

describe.skipIf(!mediaTools.enabled)('kuaishou adapter against the simulator', () => {
  const env = useVideoSimulator('kuaishou', { credentials: { [APP_ID]: SECRET }, refreshTokens: { [REFRESH]: { appId: APP_ID } }, publishDelayMs: 100 });

  const small = { videoSpec: 'kuaishou.video_720' as const };
  const fragmented = { ...small, fragmentAboveBytes: 64 * KiB, fragmentBytes: 32 * KiB };
  const credentials = { appId: APP_ID, appSecret: SECRET, refreshToken: REFRESH };
  const context = (tokens = memoryTokenStore(), creds: Record<string, string> = credentials) =>
    videoContext<KuaishouCheckpoint>({ channel, account, baseUrl: env.sim.url, credentials: creds, tokens, renditions: env.media.renditions });
  const paths = () => env.sim.state.requests().map((r) => r.path);
  const fragments = async () => Math.ceil((await env.media.renditions.get(env.media.video.mediaId, 'kuaishou.video_720')).sizeBytes / (32 * KiB));

  it('publishes: start_upload → direct upload → publish with caption and cover; review to live; take-down twice', async () => {
    const adapter = createKuaishouAdapter(small);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    const ctx = context();
    const result = await adapter.transmit(payload, ctx);
    expect(result).toEqual({ state: 'submitted', externalId: expect.stringMatching(/^\d+$/) });
    expect(paths()).toEqual(['/oauth2/refresh_token', '/openapi/photo/start_upload', '/api/upload', '/openapi/photo/publish']);
    const live = await confirmUntilFinal(() => adapter.confirm!(result.externalId, ctx));
    expect(live).toEqual({ state: 'live', publicUrl: `${env.sim.url}/short-video/${result.externalId}`, externalId: result.externalId });
    const pubs = await simPublications(env.sim.url);
    expect(pubs).toHaveLength(1);
    const file = await env.media.renditions.get(env.media.video.mediaId, 'kuaishou.video_720');
    expect(pubs[0]).toMatchObject({
      id: result.externalId,
      state: 'published',
      body: payload.caption,
      extra: { bytes: file.sizeBytes, duration: file.durationSec },
    });
    expect(pubs[0]!.media[0]).toMatch(/\.jpg$/); // the cover

    expect(await adapter.postStillThere!(result.externalId, ctx)).toMatchObject({ there: true });
    await adapter.takeDown!(result.externalId, { ...ctx, reason: 'retracted' });
    expect((await simPublications(env.sim.url))[0]).toMatchObject({ state: 'deleted' });
    expect(await adapter.postStillThere!(result.externalId, ctx)).toEqual({ there: false });
    await adapter.takeDown!(result.externalId, { ...ctx, reason: 'retracted' });
  });

  it('uploads in fragments and resumes after a failed fragment', async () => {
    const adapter = createKuaishouAdapter(fragmented);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    const count = await fragments();
    expect(count).toBeGreaterThan(2);
    env.sim.state.addFault({ match: '/api/upload/fragment', kind: 'http_error', status: 503, skip: 2, count: 1 });
    const first = context();
    expect(await failureOf(adapter.transmit(payload, first))).toMatchObject({ errorClass: 'retryable', platformCode: 503 });
    expect(first.saved()).toMatchObject({ fragmentsDone: [0, 1], uploadCompleted: false });

    const result = await adapter.transmit(payload, first.nextAttempt());
    expect(paths().filter((p) => p === '/api/upload/fragment')).toHaveLength(count + 1);
    expect(paths().filter((p) => p === '/openapi/photo/start_upload')).toHaveLength(1);
    expect(paths()).toContain('/api/upload/resume');
    const pubs = await simPublications(env.sim.url);
    expect(pubs).toHaveLength(1);
    expect(pubs[0]).toMatchObject({
      id: result.externalId,
      extra: { bytes: (await env.media.renditions.get(env.media.video.mediaId, 'kuaishou.video_720')).sizeBytes },
    });
  });

  it('after a crash between a fragment and its checkpoint, the upload server says what it holds', async () => {
    const adapter = createKuaishouAdapter(fragmented);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    const count = await fragments();
    const first = context();
    const save = first.checkpoint.bind(first);
    let calls = 0;
    first.checkpoint = async (p) => {
      if (++calls === 4) throw new Error('worker crashed'); // [start_upload, fragment 0, fragment 1], then the crash
      await save(p);
    };
    await expect(adapter.transmit(payload, first)).rejects.toThrow('worker crashed');
    expect(first.saved()).toMatchObject({ fragmentsDone: [0, 1] });
    await adapter.transmit(payload, first.nextAttempt());
    expect(paths().filter((p) => p === '/api/upload/fragment')).toHaveLength(count); // fragment 2 is not sent again
    expect(await simPublications(env.sim.url)).toHaveLength(1);
  });

  it('a lost publish answer is unconfirmed; reconcile finds the work by its caption', async () => {
    const adapter = createKuaishouAdapter(small);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    env.sim.state.addFault({ match: '/openapi/photo/publish', kind: 'drop_response', count: 1 });
    const tokens = memoryTokenStore();
    const first = context(tokens);
    expect(await failureOf(adapter.transmit(payload, first))).toMatchObject({ errorClass: 'unconfirmed' });
    const pubs = await simPublications(env.sim.url);
    expect(pubs).toHaveLength(1);
    const second = first.nextAttempt();
    expect(await adapter.reconcile!(payload, second)).toMatchObject({ externalId: pubs[0]!.id });
    expect(await adapter.transmit(payload, second.nextAttempt())).toEqual({ state: 'submitted', externalId: pubs[0]!.id });
    // A blind retry is refused by the platform (the upload is spent) and explained; no duplicate.
    const blind = await failureOf(adapter.transmit(payload, first.nextAttempt()));
    expect(blind).toMatchObject({ errorClass: 'rejected' });
    expect(blind.message).toContain('already published');
    expect(await simPublications(env.sim.url)).toHaveLength(1);
  });

  it('stores the rotated refresh token and refreshes with it when the platform expires the access token', async () => {
    const adapter = createKuaishouAdapter(small);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    const tokens = memoryTokenStore();
    const ctx = context(tokens);
    const { externalId } = await adapter.transmit(payload, ctx);
    const rotated = tokens.entries().get('refresh_token')!;
    expect(rotated.value).not.toBe(REFRESH);
    expect(rotated.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 170 * 86400_000);
    env.sim.state.addFault({ match: '/openapi/photo/info', kind: 'token_expired', count: 1 });
    expect(await confirmUntilFinal(() => adapter.confirm!(externalId, ctx))).toMatchObject({ state: 'live' });
    expect(tokens.entries().get('refresh_token')!.value).not.toBe(rotated.value);
    expect(paths().filter((p) => p === '/oauth2/refresh_token')).toHaveLength(2);
  });

  it('an expired refresh token needs a reconnect, named without the token', async () => {
    const adapter = createKuaishouAdapter(small);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    await advanceSimClock(env.sim.url, 181 * 86400);
    const err = await failureOf(adapter.transmit(payload, context()));
    expect(err).toMatchObject({ errorClass: 'needs_reconnect' });
    expect(err.message).toBe(
      'Kuaishou (快手) refused the refresh token of the account "碑林发布" (blfb-ks): the authorization has expired or was revoked. Re-authorize the account on the Kuaishou open platform and put the new refresh token into its credentials (secret KUAISHOU_BLFB_KS_REFRESH_TOKEN).',
    );
    expect(JSON.stringify(err)).not.toContain(REFRESH);
    expect(paths()).toEqual(['/oauth2/refresh_token']);
    const wrongApp = await failureOf(adapter.transmit(payload, context(memoryTokenStore(), { ...credentials, appSecret: 'wrong' })));
    expect(wrongApp).toMatchObject({ errorClass: 'needs_reconnect', platformCode: 100200101 });
  });

  it('maps rate limits and internal errors; refused requests did nothing', async () => {
    const adapter = createKuaishouAdapter({ ...small, rateLimitWaitMs: 3000 });
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    const ctx = context();
    env.sim.state.addFault({ match: '/openapi/photo/publish', kind: 'rate_limit', count: 1 });
    expect(await failureOf(adapter.transmit(payload, ctx))).toMatchObject({ errorClass: 'rate_limited', platformCode: 100200105, retryAfterMs: 3000 });
    env.sim.state.addFault({ match: '/openapi/photo/publish', kind: 'busy', count: 1 });
    expect(await failureOf(adapter.transmit(payload, ctx.nextAttempt()))).toMatchObject({ errorClass: 'retryable', platformCode: 2 });
    await adapter.transmit(payload, ctx.nextAttempt().nextAttempt());
    expect(paths().filter((p) => p === '/api/upload')).toHaveLength(1);
    expect(await simPublications(env.sim.url)).toHaveLength(1);
  });

  it('a work hidden by review is rejected by confirm', async () => {
    const adapter = createKuaishouAdapter(small);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    env.sim.state.addFault({ match: '/openapi/photo/publish', kind: 'async_fail', count: 1 });
    const ctx = context();
    const { externalId } = await adapter.transmit(payload, ctx);
    const hidden = await confirmUntilFinal(() => adapter.confirm!(externalId, ctx));
    expect(hidden).toEqual({
      state: 'rejected',
      message: `Kuaishou (快手) does not show the work ${externalId} on the account "碑林发布" (blfb-ks): review refused it, or it was deleted. A retry uploads the video again and publishes it anew.`,
      platformCode: 'photo_not_shown',
    });
    expect(failureZh(hidden)).toBe(NOT_SHOWN_ZH);
  });

  it('a work refused in review is published anew on retry (new upload, new work); a retry while a work is in review or unanswered publishes nothing', async () => {
    const adapter = createKuaishouAdapter(small);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    env.sim.state.addFault({ match: '/openapi/photo/publish', kind: 'async_fail', count: 1 });
    // Each activity (transmit, status query, retry) gets a context reading the checkpoint as saved.
    let ctx = context();
    const next = () => (ctx = ctx.nextAttempt());
    const first = await adapter.transmit(payload, ctx);
    expect(await adapter.reconcile!(payload, next())).toEqual({ state: 'submitted', externalId: first.externalId });
    expect(await confirmUntilFinal(() => adapter.confirm!(first.externalId, next()))).toMatchObject({ state: 'rejected' });
    expect(ctx.saved()).toMatchObject({
      photoId: null,
      uploadToken: null,
      uploadCompleted: false,
      publishRequestedAt: null,
      refusedPostIds: [first.externalId],
    });

    const retry = next();
    expect(await adapter.reconcile!(payload, retry)).toBeNull();
    env.sim.state.addFault({ match: '/openapi/photo/publish', kind: 'drop_response', count: 1 });
    expect(await failureOf(adapter.transmit(payload, retry))).toMatchObject({ errorClass: 'unconfirmed' });
    const pubs = await simPublications(env.sim.url);
    expect(pubs).toHaveLength(2);
    const second = pubs.find((p) => p.id !== first.externalId)!;
    expect(paths().filter((p) => p === '/api/upload')).toHaveLength(2);

    // The retry's answer was lost: reconcile finds its work, and nothing is published a third time.
    expect(await adapter.reconcile!(payload, next())).toMatchObject({ externalId: second.id });
    expect(await adapter.transmit(payload, next())).toEqual({ state: 'submitted', externalId: second.id });
    expect(await confirmUntilFinal(() => adapter.confirm!(second.id, next()))).toMatchObject({ state: 'live', externalId: second.id });
    expect(await simPublications(env.sim.url)).toHaveLength(2);
  });

  it('a checkpoint still naming a work review hid (no confirm forgot it): the retry relies on it until confirm sees it hidden, then publishes anew; a live work is never published twice', async () => {
    const adapter = createKuaishouAdapter(small);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    env.sim.state.addFault({ match: '/openapi/photo/publish', kind: 'async_fail', count: 1 });
    let ctx = context();
    const next = () => (ctx = ctx.nextAttempt());
    const first = await adapter.transmit(payload, ctx);
    // Review hides it while no confirm asks (hidden before confirm forgot refusals, or the delivery was failed or cancelled meanwhile).
    await expect.poll(async () => (await simPublications(env.sim.url)).find((p) => p.id === first.externalId)?.state).toBe('failed');
    expect(ctx.saved()).toMatchObject({ photoId: first.externalId, uploadCompleted: true });

    // Kuaishou cannot answer now: the work is relied on as before, nothing is forgotten.
    env.sim.state.addFault({ match: '/openapi/photo/info', kind: 'busy', count: 1 });
    expect(await adapter.reconcile!(payload, next())).toEqual({ state: 'submitted', externalId: first.externalId });
    expect(ctx.saved()).toMatchObject({ photoId: first.externalId });

    // Kuaishou hides a refused and a deleted work alike (not found), which may also be a work published seconds ago
    // and not shown yet: reconcile relies on it, so nothing is published twice; the confirm that follows forgets it.
    expect(await adapter.reconcile!(payload, next())).toEqual({ state: 'submitted', externalId: first.externalId });
    expect(await adapter.confirm!(first.externalId, next())).toMatchObject({ state: 'rejected', platformCode: 'photo_not_shown' });
    // The operator's retry publishes anew.
    const retry = next();
    expect(await adapter.reconcile!(payload, retry)).toBeNull();
    expect(retry.saved()).toMatchObject({
      photoId: null,
      uploadToken: null,
      uploadCompleted: false,
      publishRequestedAt: null,
      refusedPostIds: [first.externalId],
    });
    const second = await adapter.transmit(payload, retry);
    expect(second.externalId).not.toBe(first.externalId);
    expect(paths().filter((p) => p === '/api/upload')).toHaveLength(2);
    expect(await confirmUntilFinal(() => adapter.confirm!(second.externalId, next()))).toMatchObject({ state: 'live', externalId: second.externalId });

    // Live: a retry (after any failure) takes it as it is and publishes nothing.
    expect(await adapter.reconcile!(payload, next())).toEqual({
      state: 'live',
      externalId: second.externalId,
      publicUrl: expect.stringContaining('/short-video/'),
    });
    expect(await adapter.transmit(payload, ctx)).toEqual({ state: 'submitted', externalId: second.externalId });
    expect((await simPublications(env.sim.url)).map((p) => [p.id, p.state])).toEqual([
      [first.externalId, 'failed'],
      [second.externalId, 'published'],
    ]);
  });
});
