// Douyin video upload: in one request (≤ 128 MB) or in parts (init → parts of at least 5 MB except the last → complete), giving a video_id.
import crypto from 'node:crypto';
import { declaredDuration, formBody, multipartBody, queryParams, randomId, sniffMedia } from '../common.js';
import { ITEM_ALPHABET, envelope, type PartUpload } from './platform.js';
import type { DouyinApi } from './api.js';

export function registerUploadRoutes({ app, ctx, state, limits: L, auth }: DouyinApi): void {
  const registerVideo = (openId: string, bytes: number, head: Buffer, sha256: string, fields: Record<string, string>, duration: number | undefined) => {
    const format = sniffMedia(head);
    const videoId = `v0${randomId(3, '0123456789')}f${randomId(28, '0123456789abcdefghijklmnopqrstuvwxyz')}`;
    const width = Number(fields.width) > 0 ? Number(fields.width) : 720;
    const height = Number(fields.height) > 0 ? Number(fields.height) : 1280;
    state().videos.set(videoId, { videoId, openId, bytes, width, height, duration, format, sha256, used: false });
    return { video_id: videoId, width, height };
  };

  const checkVideo = (head: Buffer, bytes: number, duration: number | undefined): number | [number, string] | undefined => {
    const format = sniffMedia(head);
    if (format !== 'mp4' && format !== 'webm') return [2100005, '视频格式不支持,请上传 mp4 或 webm'];
    if (bytes > L.totalBytes) return 2190005;
    if (duration !== undefined && duration > L.maxSeconds) return 2190006;
    return undefined;
  };

  const sendCheck = (r: number | [number, string]) => (Array.isArray(r) ? envelope(r[0], {}, r[1]) : envelope(r));

  app.post('/video/upload/', async (req, reply) => {
    const openId = auth(req, reply);
    if (!openId) return reply;
    const mp = multipartBody(req);
    if (mp === null || mp === 'malformed') return envelope(2100005, {}, '请以 multipart/form-data 上传 video 字段');
    const file = mp.files.find((f) => f.field === 'video');
    if (!file || file.data.length === 0) return envelope(2100005, {}, '缺少 video 文件');
    if (file.data.length > L.singleUploadBytes) return envelope(2190005, {}, '视频文件太大了:超过128MB的视频必须分片上传');
    const duration = declaredDuration(req, mp.fields);
    const bad = checkVideo(file.data.subarray(0, 64), file.data.length, duration);
    if (bad) return sendCheck(bad);
    const sha = crypto.createHash('sha256').update(file.data).digest('hex');
    return envelope(0, { video: registerVideo(openId, file.data.length, file.data.subarray(0, 64), sha, mp.fields, duration) });
  });

  app.post('/video/part/init/', async (req, reply) => {
    const openId = auth(req, reply);
    if (!openId) return reply;
    const uploadId = `@${randomId(64, ITEM_ALPHABET)}`;
    state().uploads.set(uploadId, { uploadId, openId, createdAt: ctx.clock.now(), parts: new Map() });
    return envelope(0, { upload_id: uploadId });
  });

  const liveUpload = (openId: string, uploadId: string | undefined): PartUpload | undefined => {
    const up = uploadId ? state().uploads.get(uploadId) : undefined;
    if (!up || up.openId !== openId) return undefined;
    if (ctx.clock.now() - up.createdAt > L.uploadIdSeconds * 1000) return undefined;
    return up;
  };

  app.post('/video/part/upload/', async (req, reply) => {
    const openId = auth(req, reply);
    if (!openId) return reply;
    const q = queryParams(req);
    const up = liveUpload(openId, q.upload_id);
    if (!up) return envelope(2100005, {}, 'upload_id 无效或已过期(有效期2小时)');
    const partNumber = Number(q.part_number);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) return envelope(2100005, {}, 'part_number 从1开始');
    const mp = multipartBody(req);
    if (mp === null || mp === 'malformed') return envelope(2100005, {}, '请以 multipart/form-data 上传 video 字段');
    const file = mp.files.find((f) => f.field === 'video');
    if (!file || file.data.length === 0) return envelope(2100005, {}, '缺少 video 分片');
    if (file.data.length > L.maxPartBytes) return envelope(2190005, {}, '分片过大');
    up.parts.set(partNumber, {
      bytes: file.data.length,
      head: Buffer.from(file.data.subarray(0, 64)),
      sha256: crypto.createHash('sha256').update(file.data).digest('hex'),
    });
    return envelope(0);
  });

  app.post('/video/part/complete/', async (req, reply) => {
    const openId = auth(req, reply);
    if (!openId) return reply;
    const q = queryParams(req);
    const up = liveUpload(openId, q.upload_id);
    if (!up) return envelope(2100005, {}, 'upload_id 无效或已过期(有效期2小时)');
    const numbers = [...up.parts.keys()].sort((a, b) => a - b);
    if (numbers.length === 0) return envelope(2100005, {}, '没有已上传的分片');
    if (numbers.some((n, i) => n !== i + 1)) return envelope(2100005, {}, `分片不连续:已上传 ${numbers.join(',')}`);
    for (const n of numbers.slice(0, -1)) {
      const bytes = up.parts.get(n)!.bytes;
      if (bytes < L.minPartBytes) return envelope(2100005, {}, `分片 ${n} 只有 ${bytes} 字节:除最后一个分片外,每个分片至少 5MB`);
    }
    const total = numbers.reduce((s, n) => s + up.parts.get(n)!.bytes, 0);
    const fields = { ...queryParams(req), ...formBody(req) };
    const duration = declaredDuration(req, fields);
    const head = up.parts.get(1)!.head;
    const bad = checkVideo(head, total, duration);
    if (bad) return sendCheck(bad);
    const sha = crypto
      .createHash('sha256')
      .update(numbers.map((n) => up.parts.get(n)!.sha256).join(''))
      .digest('hex');
    state().uploads.delete(up.uploadId);
    return envelope(0, { video: registerVideo(openId, total, head, sha, fields, duration) });
  });
}
