// Douyin videos: video/create from an uploaded video_id, video/data, video/list, video/delete and the public share page.
import { charLength, htmlPage, isRecord, jsonBody, queryParams, randomId } from '../common.js';
import { recordVideo } from '../common/video-oauth.js';
import { ITEM_ALPHABET, envelope, videoStatus, type DouyinItem } from './platform.js';
import type { DouyinApi } from './api.js';

export function registerVideoRoutes({ app, ctx, state, limits: L, auth }: DouyinApi): void {
  // ---- create / query / delete -----------------------------------------------------------
  const videoJson = (item: DouyinItem) => {
    const rec = ctx.publications.get(item.itemId)!;
    const status = videoStatus(rec, ctx);
    return {
      item_id: item.itemId,
      title: item.text,
      cover: `${ctx.baseUrl()}/cover/${item.shareKey}.jpeg`,
      is_top: false,
      create_time: Math.floor(item.createTime / 1000),
      is_reviewed: status !== 4,
      video_status: status,
      share_url: `${ctx.baseUrl()}/share/video/${item.shareKey}/`,
      statistics: { comment_count: 0, digg_count: 0, download_count: 0, play_count: 0, share_count: 0, forward_count: 0 },
    };
  };

  app.post('/video/create/', async (req, reply) => {
    const openId = auth(req, reply);
    if (!openId) return reply;
    const j = jsonBody(req);
    if (!j.ok || !isRecord(j.value)) return envelope(2100005, {}, '请求体应为 JSON');
    const body = j.value;
    const videoId = typeof body.video_id === 'string' ? body.video_id : '';
    const video = state().videos.get(videoId);
    if (!video || video.openId !== openId || video.used) return envelope(2190007, {}, '无效的视频文件ID(每次创建都需要重新上传得到新的 video_id)');
    const text = body.text === undefined ? '' : body.text;
    if (typeof text !== 'string') return envelope(2100005, {}, 'text 应为字符串');
    if (charLength(text) > L.textChars) return envelope(2100005, {}, `text 过长:${charLength(text)} 字,最多 ${L.textChars} 字`);
    if (
      body.cover_tsp !== undefined &&
      (typeof body.cover_tsp !== 'number' || body.cover_tsp < 0 || (video.duration !== undefined && body.cover_tsp > video.duration))
    ) {
      return envelope(2100005, {}, 'cover_tsp 应为视频时长内的秒数');
    }
    video.used = true;
    const itemId = `@${randomId(88, ITEM_ALPHABET)}`;
    const shareKey = randomId(19, '0123456789');
    const item: DouyinItem = { itemId, openId, videoId, text, createTime: ctx.clock.now(), coverTsp: body.cover_tsp as number | undefined, shareKey };
    state().items.set(itemId, item);
    state().shares.set(shareKey, itemId);
    recordVideo(ctx, req, {
      id: itemId,
      ids: { item_id: itemId, video_id: videoId },
      account: openId,
      title: text,
      body: text,
      url: `${ctx.baseUrl()}/share/video/${shareKey}/`,
      media: [videoId],
      extra: { bytes: video.bytes, duration: video.duration, format: video.format, sha256: video.sha256 },
    });
    return envelope(0, { item_id: itemId });
  });

  const liveItem = (openId: string, id: unknown) => {
    const item = typeof id === 'string' ? state().items.get(id) : undefined;
    if (!item || item.openId !== openId) return undefined;
    return ctx.publications.get(item.itemId)?.deleted ? undefined : item;
  };

  app.post('/video/data/', async (req, reply) => {
    const openId = auth(req, reply);
    if (!openId) return reply;
    const j = jsonBody(req);
    const ids = j.ok && isRecord(j.value) ? j.value.item_ids : undefined;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > 20) return envelope(2100005, {}, 'item_ids 应为 1-20 个视频 id');
    const list = ids
      .map((id) => liveItem(openId, id))
      .filter((i): i is DouyinItem => !!i)
      .map(videoJson);
    return envelope(0, { list });
  });

  app.get('/video/list/', async (req, reply) => {
    const openId = auth(req, reply);
    if (!openId) return reply;
    const q = queryParams(req);
    const count = Number(q.count ?? 10);
    if (!Number.isInteger(count) || count < 1 || count > 20) return envelope(2100005, {}, 'count 应为 1-20');
    const cursor = Number(q.cursor ?? 0) || 0;
    const mine = [...state().items.values()].filter((i) => liveItem(openId, i.itemId)).sort((a, b) => b.createTime - a.createTime);
    const page = mine.slice(cursor, cursor + count);
    return envelope(0, { list: page.map(videoJson), cursor: cursor + page.length, has_more: cursor + page.length < mine.length });
  });

  app.post('/video/delete/', async (req, reply) => {
    const openId = auth(req, reply);
    if (!openId) return reply;
    const j = jsonBody(req);
    const id = j.ok && isRecord(j.value) ? j.value.item_id : undefined;
    const item = liveItem(openId, id);
    if (!item) return envelope(2100005, {}, 'item_id 不存在或已删除');
    ctx.publications.markDeleted(ctx.publications.get(item.itemId)!);
    return envelope(0);
  });

  app.get('/share/video/:key/', async (req, reply) => {
    const itemId = state().shares.get((req.params as { key: string }).key);
    const item = itemId ? state().items.get(itemId) : undefined;
    const rec = item ? ctx.publications.get(item.itemId) : undefined;
    if (!item || !rec || ctx.publications.stateOf(rec) !== 'published') {
      return reply.code(404).type('text/html; charset=utf-8').send(htmlPage('作品不存在', '<p>作品已删除或不可见</p>'));
    }
    return reply.type('text/html; charset=utf-8').send(htmlPage(item.text || '抖音作品', `<p>video ${item.videoId}</p>`));
  });
}
