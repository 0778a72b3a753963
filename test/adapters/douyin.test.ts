import { describe, expect, it } from 'vitest';
import { createDouyinAdapter, type DouyinCheckpoint, type DouyinPayload } from '../../adapters/douyin/adapter.js';
import { DeliveryError } from '../../adapters/errors.js';
import { memoryTokenStore } from '../../adapters/tokens.js';
import type { ConfirmResult } from '../../adapters/types.js';
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

/** The Chinese sentence operations read for a delivery that failed with this confirm answer. */
const failureZh = (result: ConfirmResult) =>
  result.state === 'rejected'
    ? deliveryErrorZh({ platform: 'douyin', errorClass: 'rejected', errorMessage: result.message, platformCode: result.platformCode ?? null, state: 'failed' })
    : null;
const REFUSED_ZH =
  '抖音：审核认为这条视频不适宜公开，视频没有发布（平台代码：video_status_2）。重试会重新上传视频，作为新视频再次提交审核；如视频本身需要修改，请修改稿件后重新发布，或跳过该渠道。';
const GONE_ZH =
  '抖音：这条视频已被删除或下架，平台不再列出它，目前没有公开（平台代码：video_not_listed）。重试会重新上传视频，作为新视频发布（需再次审核）；如不应再发布，请跳过该渠道。';

/** A Chinese sentence: every refusal carries one written where it arose. */
const ZH = expect.stringMatching(/[\u4e00-\u9fff]/);

const CLIENT_KEY = 'aw00000000b1f001';
const SECRET = 'douyin-client-secret';
const REFRESH = 'rft.preissued-blfb-0001';
const { channel, account } = videoAccount('douyin', 'blfb-dy', '碑林发布', 'DOUYIN_BLFB_DY_REFRESH_TOKEN');

describe('douyin adapter: format (pure)', () => {
  const adapter = createDouyinAdapter();
  const video = {
    mediaId: 'a'.repeat(64),
    kind: 'video' as const,
    mime: 'video/mp4',
    sizeBytes: 1_000_000,
    width: 1280,
    height: 720,
    durationSec: 95,
    name: '解读.mp4',
  };

  it('builds the text from title, summary and a mention of the portal page, and asks for the vertical video', () => {
    const f = adapter.format(videoUnit(video), channel);
    expect(f.payload).toEqual({
      platform: 'douyin',
      interpretation: 1,
      video: { mediaId: video.mediaId, spec: 'douyin.video_1080', name: '解读.mp4', durationSec: 95 },
      text: expect.stringMatching(/^视频解读：碑林区老旧小区改造怎么改\n2025年，碑林区计划改造老旧小区46个.*加装电梯.*\n全文见碑林区人民政府网站$/s),
    });
    expect(f.renditions).toEqual([{ mediaId: video.mediaId, spec: 'douyin.video_1080', purpose: 'interpretation video' }]);
    expect(f.warnings).toEqual([]);
    // Pure: the same unit gives the same payload.
    expect(adapter.format(videoUnit(video), channel)).toEqual(f);
    // Douyin shows no links in video text: the page is named, not linked.
    expect(f.payload.text).not.toContain('http');
  });

  it('cuts the summary to the limit with a warning, and leaves the mention out without portal pages', () => {
    const f = createDouyinAdapter({ summaryChars: 20 }).format(videoUnit(video, { portalLinks: null }), channel);
    expect(f.payload.text).toBe('视频解读：碑林区老旧小区改造怎么改\n2025年，碑林区计划改造老旧小区46…');
    expect(f.warnings).toEqual(['Douyin (抖音): the video text carries the first 19 characters of the interpretation text.']);
  });

  it('refuses a package without a video interpretation in words the editor can act on', () => {
    const err = failureOfSync(() => adapter.format(videoUnit(null), channel));
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err.errorClass).toBe('rejected');
    expect(err.message).toBe(
      'Douyin (抖音) cannot take this package as it is: interpretations: Douyin (抖音) only takes video, and this package has no video interpretation; add one, or leave this channel out of the release',
    );
  });

  it('refuses a video interpretation that is only a link, a video over 15 minutes, and a title longer than the text', () => {
    const linkOnly = videoUnit(null);
    linkOnly.interpretations.push({ form: 'video', title: '视频', body: '', url: 'https://v.example/1' });
    expect(failureOfSync(() => adapter.format(linkOnly, channel)).message).toContain(
      'interpretations[1]: the video interpretation has no uploaded video file (only a link); Douyin (抖音) needs the file itself',
    );

    const long = failureOfSync(() => adapter.format(videoUnit({ ...video, durationSec: 16 * 60 + 20 }), channel));
    expect(long.problems).toEqual([
      {
        field: 'interpretations[1]',
        message: "the video is 16 min 20 s long, 1 min 20 s over Douyin's 15 min limit; trim it or split it into parts",
        messageZh: '视频时长 16 分 20 秒，超过抖音 15 分钟的上限（多 1 分 20 秒）。请剪短视频或分段发布。',
      },
    ]);

    const short = failureOfSync(() => createDouyinAdapter({ textChars: 20 }).format(videoUnit(video), channel));
    expect(short.problems).toEqual([
      { field: 'interpretations[1].title', message: "Douyin's video text holds at most 20 characters; the title alone has 17", messageZh: ZH },
    ]);
  });
});

describe.skipIf(!mediaTools.enabled)('douyin adapter against the simulator', () => {
  const env = useVideoSimulator('douyin', {
    credentials: { [CLIENT_KEY]: SECRET },
    refreshTokens: { [REFRESH]: { clientKey: CLIENT_KEY } },
    publishDelayMs: 100,
    limits: { minPartBytes: 32 * KiB },
  });

  const small = { videoSpec: 'douyin.video_720' as const };
  const chunked = { ...small, partUploadAboveBytes: 64 * KiB, partBytes: 32 * KiB };

  function context(credentials: Record<string, string> = { clientKey: CLIENT_KEY, clientSecret: SECRET, refreshToken: REFRESH }) {
    return videoContext<DouyinCheckpoint>({ channel, account, baseUrl: env.sim.url, credentials, renditions: env.media.renditions });
  }
  const paths = () => env.sim.state.requests().map((r) => r.path);

  it('publishes the video (single upload), confirms it live, and takes it down (twice is fine)', async () => {
    const adapter = createDouyinAdapter(small);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    const ctx = context();
    const result = await adapter.transmit(payload, ctx);
    expect(result).toEqual({ state: 'submitted', externalId: expect.stringMatching(/^@/) });
    expect(paths()).toEqual(['/oauth/refresh_token/', '/video/upload/', '/video/create/']);
    expect(ctx.saved()).toMatchObject({ videoId: expect.stringMatching(/^v0/), itemId: result.externalId, createRequestedAt: expect.any(String) });

    const live = await confirmUntilFinal(() => adapter.confirm!(result.externalId, ctx));
    expect(live).toEqual({ state: 'live', publicUrl: expect.stringContaining(`${env.sim.url}/share/video/`), externalId: result.externalId });
    expect((await fetch((live as { publicUrl: string }).publicUrl)).status).toBe(200);

    const pubs = await simPublications(env.sim.url);
    expect(pubs).toHaveLength(1);
    expect(pubs[0]).toMatchObject({ id: result.externalId, state: 'published', platformStatus: 1, title: payload.text });
    const file = await env.media.renditions.get(env.media.video.mediaId, 'douyin.video_720');
    expect(pubs[0]!.extra).toMatchObject({ bytes: file.sizeBytes, sha256: file.sha256, duration: file.durationSec });

    // Asked before an operator's "taken down by hand" is taken: there while public, not once deleted.
    expect(await adapter.postStillThere!(result.externalId, ctx)).toMatchObject({ there: true, what: expect.stringContaining('is public') });
    await adapter.takeDown!(result.externalId, { ...ctx, reason: 'retracted' });
    expect((await simPublications(env.sim.url))[0]).toMatchObject({ state: 'deleted' });
    expect(await adapter.postStillThere!(result.externalId, ctx)).toEqual({ there: false });
    await adapter.takeDown!(result.externalId, { ...ctx, reason: 'retracted' }); // already gone: success
    const gone = await adapter.confirm!(result.externalId, ctx);
    expect(gone).toEqual({
      state: 'rejected',
      message: expect.stringMatching(/no longer lists the video .*A retry uploads the video again and posts it anew for review\.$/),
      platformCode: 'video_not_listed',
    });
    expect(failureZh(gone)).toBe(GONE_ZH);
  });

  it('uploads in parts above the threshold, heartbeating per part', async () => {
    const adapter = createDouyinAdapter(chunked);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    const file = await env.media.renditions.get(env.media.video.mediaId, 'douyin.video_720');
    const parts = Math.ceil(file.sizeBytes / (32 * KiB));
    expect(parts).toBeGreaterThan(2);
    const ctx = context();
    const result = await adapter.transmit(payload, ctx);
    expect(paths()).toEqual([
      '/oauth/refresh_token/',
      '/video/part/init/',
      ...Array(parts).fill('/video/part/upload/'),
      '/video/part/complete/',
      '/video/create/',
    ]);
    expect(ctx.heartbeats).toBeGreaterThanOrEqual(parts);
    const pubs = await simPublications(env.sim.url);
    expect(pubs).toHaveLength(1);
    expect(pubs[0]).toMatchObject({ id: result.externalId, extra: { bytes: file.sizeBytes, duration: file.durationSec } });
  });

  it('resumes a part upload from the checkpoint after a failed part', async () => {
    const adapter = createDouyinAdapter(chunked);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    const file = await env.media.renditions.get(env.media.video.mediaId, 'douyin.video_720');
    const parts = Math.ceil(file.sizeBytes / (32 * KiB));
    env.sim.state.addFault({ match: '/video/part/upload/', kind: 'http_error', status: 503, skip: 2, count: 1 });

    const first = context();
    const err = await failureOf(adapter.transmit(payload, first));
    expect(err).toMatchObject({ errorClass: 'retryable', platformCode: 503 });
    expect(first.saved()).toMatchObject({ uploadId: expect.any(String), partsDone: [1, 2] });

    const second = first.nextAttempt();
    const result = await adapter.transmit(payload, second);
    const uploads = paths().filter((p) => p === '/video/part/upload/').length;
    expect(uploads).toBe(parts + 1); // every part once, plus the one that failed
    expect(paths().filter((p) => p === '/video/part/init/')).toHaveLength(1);
    expect(paths().filter((p) => p === '/oauth/refresh_token/')).toHaveLength(1); // the stored access token is reused
    const pubs = await simPublications(env.sim.url);
    expect(pubs).toHaveLength(1);
    expect(pubs[0]).toMatchObject({ id: result.externalId, extra: { bytes: file.sizeBytes } });
  });

  it('a lost video/create answer is unconfirmed; reconcile finds the one post instead of posting twice', async () => {
    const adapter = createDouyinAdapter(small);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    env.sim.state.addFault({ match: '/video/create/', kind: 'drop_response', count: 1 });
    const first = context();
    expect(await adapter.reconcile!(payload, first)).toBeNull(); // nothing was sent yet
    const err = await failureOf(adapter.transmit(payload, first));
    expect(err).toMatchObject({ errorClass: 'unconfirmed' });

    const second = first.nextAttempt();
    const found = await adapter.reconcile!(payload, second);
    const pubs = await simPublications(env.sim.url);
    expect(pubs).toHaveLength(1);
    expect(found).toMatchObject({ externalId: pubs[0]!.id }); // submitted, or live if review finished meanwhile
    expect(second.saved().itemId).toBe(pubs[0]!.id);
    // A transmit after reconcile answers from the checkpoint without posting again.
    expect(await adapter.transmit(payload, second.nextAttempt())).toEqual({ state: 'submitted', externalId: pubs[0]!.id });
    expect(await simPublications(env.sim.url)).toHaveLength(1);
    // A blind retry of video/create with the spent video id is refused and explained, not reposted.
    const blind = await failureOf(adapter.transmit(payload, first.nextAttempt()));
    expect(blind).toMatchObject({ errorClass: 'rejected', platformCode: 2190007 });
    expect(await simPublications(env.sim.url)).toHaveLength(1);
  });

  it('a checkpointed video id the platform no longer takes (never used for a post) is uploaded again', async () => {
    const adapter = createDouyinAdapter(small);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    const file = await env.media.renditions.get(env.media.video.mediaId, 'douyin.video_720');
    const ctx = videoContext<DouyinCheckpoint>({
      channel,
      account,
      baseUrl: env.sim.url,
      credentials: { clientKey: CLIENT_KEY, clientSecret: SECRET, refreshToken: REFRESH },
      renditions: env.media.renditions,
      checkpointed: { videoSha256: file.sha256, videoId: 'v0200fexpired' },
    });
    const result = await adapter.transmit(payload, ctx);
    expect(paths()).toEqual(['/oauth/refresh_token/', '/video/create/', '/video/upload/', '/video/create/']);
    expect((await simPublications(env.sim.url)).map((p) => p.id)).toEqual([result.externalId]);
  });

  it('refreshes an expired access token and keeps the renewed refresh token', async () => {
    const adapter = createDouyinAdapter(small);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    const tokens = memoryTokenStore();
    const ctx = videoContext<DouyinCheckpoint>({
      channel,
      account,
      baseUrl: env.sim.url,
      credentials: { clientKey: CLIENT_KEY, clientSecret: SECRET, refreshToken: REFRESH },
      tokens,
      renditions: env.media.renditions,
    });
    const { externalId } = await adapter.transmit(payload, ctx);
    expect(tokens.entries().has('refresh_token')).toBe(false); // Douyin's refresh keeps the refresh token
    const firstAccess = tokens.entries().get('access_token')!.value;

    // 26 days on: the access token (15 days) has expired and the refresh token has 4 days left.
    await advanceSimClock(env.sim.url, 26 * 86400);
    expect(await confirmUntilFinal(() => adapter.confirm!(externalId, ctx))).toMatchObject({ state: 'live' });
    const renewed = tokens.entries().get('refresh_token')!.value;
    expect(renewed).toMatch(/^rft\./);
    expect(renewed).not.toBe(REFRESH);
    expect(tokens.entries().get('access_token')!.value).not.toBe(firstAccess);
    expect(paths().slice(-4)).toEqual(['/video/data/', '/oauth/refresh_token/', '/oauth/renew_refresh_token/', '/video/data/']);

    // The configured token is spent; the renewed one is used from now on.
    await tokens.delete('access_token');
    expect(await adapter.confirm!(externalId, ctx)).toMatchObject({ state: 'live' });
    const refreshes = env.sim.state.requests().filter((r) => r.path === '/oauth/refresh_token/');
    expect(refreshes.at(-1)!.status).toBe(200);
  });

  it('an expired refresh token needs a reconnect, named without the token', async () => {
    const adapter = createDouyinAdapter(small);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    await advanceSimClock(env.sim.url, 31 * 86400);
    const err = await failureOf(adapter.transmit(payload, context()));
    expect(err).toMatchObject({ errorClass: 'needs_reconnect', platformCode: 10010 });
    expect(err.message).toBe(
      'Douyin (抖音) refused the refresh token of the account "碑林发布" (blfb-dy) (10010): the authorization has expired or was revoked. Re-authorize the account in the Douyin open platform and put the new refresh token into its credentials (secret DOUYIN_BLFB_DY_REFRESH_TOKEN).',
    );
    expect(err.message).not.toContain(REFRESH);
    expect(JSON.stringify(err)).not.toContain(REFRESH);
    expect(paths()).toEqual(['/oauth/refresh_token/']); // nothing uploaded
  });

  it('maps quota, busy and content errors to their classes', async () => {
    const adapter = createDouyinAdapter({ ...small, rateLimitWaitMs: 7000 });
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    const ctx = context();
    env.sim.state.addFault({ match: '/video/create/', kind: 'rate_limit', count: 1 });
    expect(await failureOf(adapter.transmit(payload, ctx))).toMatchObject({ errorClass: 'rate_limited', retryAfterMs: 7000, platformCode: 2190001 });
    env.sim.state.addFault({ match: '/video/create/', kind: 'busy', count: 1 });
    expect(await failureOf(adapter.transmit(payload, ctx.nextAttempt()))).toMatchObject({ errorClass: 'retryable', platformCode: 2100004 });
    // Refused requests did nothing: the same uploaded video is used for the one post.
    await adapter.transmit(payload, ctx.nextAttempt().nextAttempt());
    expect(paths().filter((p) => p === '/video/upload/')).toHaveLength(1);
    expect(await simPublications(env.sim.url)).toHaveLength(1);

    // A text over the platform's limit is refused as content.
    const tooLong: DouyinPayload = { ...payload, text: '长'.repeat(1001) };
    const refused = await failureOf(adapter.transmit(tooLong, context()));
    expect(refused).toMatchObject({ errorClass: 'rejected', platformCode: 2100005 });
  });

  it('checks the duration before anything is sent', async () => {
    const adapter = createDouyinAdapter({ ...small, maxDurationSec: 1 });
    const payload = createDouyinAdapter(small).format(videoUnit(env.media.video), channel).payload;
    const err = await failureOf(adapter.transmit(payload, context()));
    expect(err).toMatchObject({ errorClass: 'rejected' });
    expect(err.message).toMatch(/the video is 2 s long, over Douyin's 1 s limit/);
    expect(paths()).toEqual([]);
  });

  it('a video refused in review is reported as rejected by confirm', async () => {
    const adapter = createDouyinAdapter(small);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    env.sim.state.addFault({ match: '/video/create/', kind: 'async_fail', count: 1 });
    const ctx = context();
    const { externalId } = await adapter.transmit(payload, ctx);
    const final = await confirmUntilFinal(() => adapter.confirm!(externalId, ctx));
    expect(final).toEqual({
      state: 'rejected',
      message: expect.stringContaining('not suitable for the public (video_status 2)'),
      platformCode: 'video_status_2',
    });
    expect(failureZh(final)).toBe(REFUSED_ZH);
  });

  it('a video refused in review is posted anew on retry (new upload, new item); a retry while a video is in review or unanswered posts nothing', async () => {
    const adapter = createDouyinAdapter(small);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    env.sim.state.addFault({ match: '/video/create/', kind: 'async_fail', count: 1 });
    // Each activity (transmit, status query, retry) gets a context reading the checkpoint as saved.
    let ctx = context();
    const next = () => (ctx = ctx.nextAttempt());
    const first = await adapter.transmit(payload, ctx);
    // In review, a retry (after any failure) finds the video and posts nothing.
    expect(await adapter.reconcile!(payload, next())).toEqual({ state: 'submitted', externalId: first.externalId });
    const refused = await confirmUntilFinal(() => adapter.confirm!(first.externalId, next()));
    expect(refused).toEqual({
      state: 'rejected',
      message: expect.stringContaining('A retry uploads the video again and posts it anew for review.'),
      platformCode: 'video_status_2',
    });
    expect(ctx.saved()).toMatchObject({ itemId: null, videoId: null, createRequestedAt: null, refusedPostIds: [first.externalId] });
    // Asked again before any retry, the refusal stands.
    expect(await adapter.confirm!(first.externalId, next())).toMatchObject({ state: 'rejected' });
    expect(ctx.saved().refusedPostIds).toEqual([first.externalId]);

    // The retry: nothing to reconcile with, so the video is uploaded again (a video id is single use) and posted.
    const retry = next();
    expect(await adapter.reconcile!(payload, retry)).toBeNull();
    env.sim.state.addFault({ match: '/video/create/', kind: 'drop_response', count: 1 });
    expect(await failureOf(adapter.transmit(payload, retry))).toMatchObject({ errorClass: 'unconfirmed' });
    const pubs = await simPublications(env.sim.url);
    expect(pubs).toHaveLength(2);
    const second = pubs.find((p) => p.id !== first.externalId)!;
    expect(pubs.find((p) => p.id === first.externalId)).toMatchObject({ state: 'failed' });
    expect(paths().filter((p) => p === '/video/upload/')).toHaveLength(2);

    // The retry's answer was lost: reconcile finds its video among the account's, never the refused one with the same text.
    expect(await adapter.reconcile!(payload, next())).toMatchObject({ externalId: second.id });
    expect(await adapter.transmit(payload, next())).toEqual({ state: 'submitted', externalId: second.id });
    expect(await confirmUntilFinal(() => adapter.confirm!(second.id, next()))).toMatchObject({ state: 'live', externalId: second.id });
    expect(await simPublications(env.sim.url)).toHaveLength(2);
    expect(ctx.saved().refusedPostIds).toEqual([first.externalId]);
  });

  it('a checkpoint still naming a video review refused (no confirm forgot it): the first retry sees the refusal and posts anew', async () => {
    const adapter = createDouyinAdapter(small);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    env.sim.state.addFault({ match: '/video/create/', kind: 'async_fail', count: 1 });
    let ctx = context();
    const next = () => (ctx = ctx.nextAttempt());
    const first = await adapter.transmit(payload, ctx);
    // Review refuses it while no confirm asks (refused before confirm forgot refusals, or the delivery was failed or cancelled meanwhile).
    await expect.poll(async () => (await simPublications(env.sim.url)).find((p) => p.id === first.externalId)?.state).toBe('failed');
    expect(ctx.saved()).toMatchObject({ itemId: first.externalId });
    expect(ctx.saved().refusedPostIds).toBeUndefined();

    // Douyin cannot answer now: the video is relied on as before (the confirm that follows asks again), nothing is forgotten.
    env.sim.state.addFault({ match: '/video/data/', kind: 'busy', count: 1 });
    expect(await adapter.reconcile!(payload, next())).toEqual({ state: 'submitted', externalId: first.externalId });
    expect(ctx.saved()).toMatchObject({ itemId: first.externalId });
    expect(ctx.refusalsFound).toEqual([]);

    // The operator's retry: reconcile asks about the checkpointed video, forgets the refused one, and the same attempt posts anew.
    const retry = next();
    expect(await adapter.reconcile!(payload, retry)).toBeNull();
    expect(retry.saved()).toMatchObject({ itemId: null, videoId: null, createRequestedAt: null, refusedPostIds: [first.externalId] });
    // The refusal is reported for the trail, while the checkpoint still named the video: a crash before it was forgotten reports it again.
    expect(retry.refusalsFound).toEqual([
      {
        postId: first.externalId,
        platformCode: 'video_status_2',
        message: expect.stringContaining('not suitable for the public (video_status 2)'),
        savedThen: expect.objectContaining({ itemId: first.externalId }),
      },
    ]);
    env.sim.state.addFault({ match: '/video/create/', kind: 'never_confirm', count: 1 });
    const second = await adapter.transmit(payload, retry);
    expect(second.state).toBe('submitted');
    expect(second.externalId).not.toBe(first.externalId);
    expect(paths().filter((p) => p === '/video/upload/')).toHaveLength(2);

    // In review: every later retry relies on it and posts nothing.
    expect(await adapter.reconcile!(payload, next())).toEqual({ state: 'submitted', externalId: second.externalId });
    expect(await adapter.transmit(payload, ctx)).toEqual({ state: 'submitted', externalId: second.externalId });
    expect((await simPublications(env.sim.url)).map((p) => p.id)).toEqual([first.externalId, second.externalId]);
    expect(ctx.saved().refusedPostIds).toEqual([first.externalId]);
  });

  it('a video deleted before it went public: confirm says a retry posts it again, and the retry does; a live video is never posted twice', async () => {
    const adapter = createDouyinAdapter(small);
    const { payload } = adapter.format(videoUnit(env.media.video), channel);
    env.sim.state.addFault({ match: '/video/create/', kind: 'never_confirm', count: 1 });
    let ctx = context();
    const next = () => (ctx = ctx.nextAttempt());
    const first = await adapter.transmit(payload, ctx);
    // Someone deletes it in the Douyin app while it is in review.
    await adapter.takeDown!(first.externalId, { ...next(), reason: 'deleted in the app' });

    // A checkpoint naming it, with no confirm that saw it go: reconcile relies on it (not listed may also be a post
    // made seconds ago that Douyin does not list yet), so nothing is posted twice; the confirm that follows decides.
    const stale = ctx.nextAttempt();
    expect(await adapter.reconcile!(payload, stale)).toEqual({ state: 'submitted', externalId: first.externalId });
    expect(stale.saved()).toMatchObject({ itemId: first.externalId });

    // Confirm sees it gone: the failure says so, in Chinese too, and the retry posts anew.
    const gone = await adapter.confirm!(first.externalId, next());
    expect(gone).toMatchObject({ state: 'rejected', platformCode: 'video_not_listed', message: expect.stringContaining('A retry uploads the video again') });
    expect(failureZh(gone)).toBe(GONE_ZH);
    expect(ctx.saved()).toMatchObject({ itemId: null, refusedPostIds: [first.externalId] });
    const retry = next();
    expect(await adapter.reconcile!(payload, retry)).toBeNull();
    const second = await adapter.transmit(payload, retry);
    expect(await confirmUntilFinal(() => adapter.confirm!(second.externalId, next()))).toMatchObject({ state: 'live', externalId: second.externalId });

    // Live: a retry (after any failure) takes it as it is and posts nothing.
    expect(await adapter.reconcile!(payload, next())).toEqual({
      state: 'live',
      externalId: second.externalId,
      publicUrl: expect.stringContaining('/share/video/'),
    });
    expect(await adapter.transmit(payload, ctx)).toEqual({ state: 'submitted', externalId: second.externalId });
    const pubs = await simPublications(env.sim.url);
    expect(pubs.map((p) => [p.id, p.state])).toEqual([
      [first.externalId, 'deleted'],
      [second.externalId, 'published'],
    ]);
  });
});
