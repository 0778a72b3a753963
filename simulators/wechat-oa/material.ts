// WeChat images and permanent material: in-article images (uploadimg), add/del material, the material count, and the image host serving them.
import { declaredDuration, isRecord, multipartBody, queryParams, randomId, sniffMedia } from '../common.js';
import { err } from './errors.js';
import { MIME, WECHAT_LIMITS, type Material } from './state.js';
import type { WechatApi } from './api.js';

export function registerMaterialRoutes({ app, ctx, state, auth, postJson }: WechatApi): void {
  const storeImage = (data: Buffer, kind: string): string => {
    const key = `${randomId(40)}.${kind === 'jpeg' ? 'jpg' : kind}`;
    state().images.set(key, { data, mime: MIME[kind] ?? 'application/octet-stream' });
    return `${ctx.baseUrl()}/mmbiz/${key}`;
  };

  app.get('/mmbiz/:key', async (req, reply) => {
    const img = state().images.get((req.params as { key: string }).key);
    if (!img) return reply.code(404).type('text/plain').send('not found');
    return reply.type(img.mime).send(img.data);
  });

  app.post('/cgi-bin/media/uploadimg', async (req, reply) => {
    if (!auth(req, reply)) return reply;
    const mp = multipartBody(req);
    if (mp === null || mp === 'malformed') return err(41005);
    const file = mp.files.find((f) => f.field === 'media');
    if (!file || file.data.length === 0) return err(41005);
    const kind = sniffMedia(file.data);
    if (kind !== 'jpeg' && kind !== 'png') return err(40005, 'uploadimg accepts jpg/png only');
    if (file.data.length >= WECHAT_LIMITS.uploadImgBytes) return err(40009, 'image must be under 1MB');
    return { url: storeImage(file.data, kind) };
  });

  app.post('/cgi-bin/material/add_material', async (req, reply) => {
    const appid = auth(req, reply);
    if (!appid) return reply;
    const type = queryParams(req).type;
    if (type !== 'image' && type !== 'thumb' && type !== 'voice' && type !== 'video') return err(40004);
    const mp = multipartBody(req);
    if (mp === null || mp === 'malformed') return err(41005);
    const file = mp.files.find((f) => f.field === 'media');
    if (!file || file.data.length === 0) return err(41005);
    const kind = sniffMedia(file.data);
    const size = file.data.length;
    let title: string | undefined;
    let introduction: string | undefined;
    switch (type) {
      case 'image':
        if (!['jpeg', 'png', 'gif', 'bmp'].includes(kind)) return err(40005, 'image: bmp/png/jpeg/jpg/gif');
        if (size > WECHAT_LIMITS.imageBytes) return err(40009, 'image: 10MB max');
        break;
      case 'thumb':
        if (kind !== 'jpeg') return err(40005, 'thumb: JPG only');
        if (size > WECHAT_LIMITS.thumbBytes) return err(40012, 'thumb: 64KB max');
        break;
      case 'voice': {
        if (!['mp3', 'wma', 'wav', 'amr'].includes(kind)) return err(40005, 'voice: mp3/wma/wav/amr');
        if (size > WECHAT_LIMITS.voiceBytes) return err(40010, 'voice: 2MB max');
        const seconds = declaredDuration(req, mp.fields);
        if (seconds !== undefined && seconds > WECHAT_LIMITS.voiceSeconds) return err(40010, 'voice: 60s max');
        break;
      }
      case 'video': {
        if (kind !== 'mp4') return err(40005, 'video: MP4 only');
        if (size > WECHAT_LIMITS.videoBytes) return err(40011, 'video: 10MB max');
        let desc: unknown;
        try {
          desc = JSON.parse(mp.fields.description ?? '');
        } catch {
          return err(40097, 'video needs a description form field {"title","introduction"}');
        }
        if (!isRecord(desc) || typeof desc.title !== 'string' || desc.title === '') {
          return err(40097, 'video needs a description form field {"title","introduction"}');
        }
        title = desc.title;
        introduction = typeof desc.introduction === 'string' ? desc.introduction : '';
        break;
      }
    }
    const mediaId = randomId(64, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
    const url = type === 'image' || type === 'thumb' ? storeImage(file.data, kind) : undefined;
    state().materials.set(mediaId, { mediaId, appid, type, url, filename: file.filename, bytes: size, title, introduction, createdAt: ctx.clock.now() });
    return url ? { media_id: mediaId, url, item: [] } : { media_id: mediaId, item: [] };
  });

  postJson('/cgi-bin/material/del_material', (appid, body) => {
    const m = typeof body.media_id === 'string' ? state().materials.get(body.media_id) : undefined;
    if (!m || m.appid !== appid) return err(40007);
    state().materials.delete(m.mediaId);
    return { errcode: 0, errmsg: 'ok' };
  });

  app.get('/cgi-bin/material/get_materialcount', async (req, reply) => {
    const appid = auth(req, reply);
    if (!appid) return reply;
    const mine = [...state().materials.values()].filter((m) => m.appid === appid);
    const count = (t: Material['type']) => mine.filter((m) => m.type === t).length;
    return { voice_count: count('voice'), video_count: count('video'), image_count: count('image') + count('thumb'), news_count: 0 };
  });
}
