// Bilibili uploads: the partition list, pre-upload (video/init), part upload and merge, the single small-file upload, and covers.
import crypto from 'node:crypto';
import { declaredDuration, imageSize, isRecord, jsonBody, multipartBody, queryParams, randomId, rawBody, sniffMedia } from '../common.js';
import { BILIBILI_PARTITIONS, reply0, type Upload } from './platform.js';
import type { BilibiliApi } from './api.js';

export function registerUploadRoutes({ app, ctx, state, limits: L, auth, params, uploadOf }: BilibiliApi): void {
  // ---- partitions ------------------------------------------------------------------------
  app.get('/arcopen/fn/archive/type/list', async (req, reply) => {
    if (!auth(req, reply)) return reply;
    return reply0(
      0,
      BILIBILI_PARTITIONS.map((p) => ({
        id: p.id,
        parent: 0,
        name: p.name,
        description: '',
        children: p.children.map((c) => ({ id: c.id, parent: p.id, name: c.name, description: '' })),
      })),
    );
  });

  // ---- upload ----------------------------------------------------------------------------
  app.post('/arcopen/fn/archive/video/init', async (req, reply) => {
    const who = auth(req, reply);
    if (!who) return reply;
    const j = jsonBody(req);
    const body = j.ok && isRecord(j.value) ? j.value : {};
    const name = typeof body.name === 'string' ? body.name : '';
    if (!/\.(mp4|flv)$/i.test(name)) return reply0(-400, undefined, 'name 需为带扩展名的文件名(mp4/flv)');
    const utype = body.utype === undefined ? 0 : Number(body.utype);
    if (utype !== 0 && utype !== 1) return reply0(-400, undefined, 'utype 取值 0(多分片)或 1(单个小文件)');
    const token = randomId(32, '0123456789abcdef');
    state().uploads.set(token, {
      token,
      openId: who.openId,
      clientId: who.clientId,
      name,
      utype: utype as 0 | 1,
      parts: new Map(),
      complete: false,
      bytes: 0,
      used: false,
    });
    return reply0(0, { upload_token: token });
  });

  const finishUpload = (up: Upload, head: Buffer, bytes: number, duration: number | undefined): ReturnType<typeof reply0> | undefined => {
    const format = sniffMedia(head);
    const ext = up.name.toLowerCase().split('.').pop();
    if ((format !== 'mp4' && format !== 'flv') || format !== ext) return reply0(-400, undefined, `视频格式不支持或与文件名不符(${format}):仅支持 mp4/flv`);
    if (bytes > L.totalBytes) return reply0(-400, undefined, '视频文件不能超过4GB');
    if (duration !== undefined && duration >= L.maxSeconds) return reply0(-400, undefined, '视频时长需小于5小时');
    up.complete = true;
    up.bytes = bytes;
    up.duration = duration;
    up.format = format;
    return undefined;
  };

  // Part upload on the upload host (authorized by upload_token only).
  app.post('/video/v2/part/upload', async (req) => {
    const up = uploadOf(req);
    if (!up || up.complete) return reply0(-400, undefined, 'upload_token 无效');
    if (up.utype !== 0) return reply0(-400, undefined, '该 upload_token 为单文件上传(utype=1)');
    const n = Number(queryParams(req).part_number);
    if (!Number.isInteger(n) || n < 1 || n > 10000) return reply0(-400, undefined, 'part_number 从1开始');
    const data = rawBody(req);
    if (data.length === 0) return reply0(-400, undefined, '分片为空');
    if (data.length > L.maxPartBytes) return reply0(-400, undefined, '分片过大');
    up.parts.set(n, { bytes: data.length, head: Buffer.from(data.subarray(0, 64)) });
    return { code: 0, message: '0' };
  });

  app.post('/arcopen/fn/archive/video/complete', async (req, reply) => {
    const who = auth(req, reply);
    if (!who) return reply;
    const up = uploadOf(req);
    if (!up || up.openId !== who.openId || up.utype !== 0) return reply0(-400, undefined, 'upload_token 无效');
    if (up.complete) return reply0(0);
    const numbers = [...up.parts.keys()].sort((a, b) => a - b);
    if (numbers.length === 0 || numbers.some((x, i) => x !== i + 1)) return reply0(-400, undefined, `分片不完整:已上传 ${numbers.join(',') || '无'}`);
    const total = numbers.reduce((s, x) => s + up.parts.get(x)!.bytes, 0);
    const bad = finishUpload(up, up.parts.get(1)!.head, total, declaredDuration(req, params(req)));
    return bad ?? reply0(0);
  });

  // Single small file (utype=1), on the upload host.
  app.post('/video/v2/upload', async (req) => {
    const up = uploadOf(req);
    if (!up || up.complete) return reply0(-400, undefined, 'upload_token 无效');
    if (up.utype !== 1) return reply0(-400, undefined, '该 upload_token 为分片上传(utype=0)');
    const mp = multipartBody(req);
    const file = mp && mp !== 'malformed' ? mp.files.find((f) => f.field === 'file') : undefined;
    if (!file || file.data.length === 0) return reply0(-400, undefined, '缺少 file');
    if (file.data.length > L.singleUploadBytes) return reply0(-400, undefined, '文件超过100MB,请使用分片上传');
    const bad = finishUpload(up, file.data.subarray(0, 64), file.data.length, declaredDuration(req, mp && mp !== 'malformed' ? mp.fields : {}));
    return bad ?? reply0(0);
  });

  // ---- cover -----------------------------------------------------------------------------
  app.post('/arcopen/fn/archive/cover/upload', async (req, reply) => {
    const who = auth(req, reply);
    if (!who) return reply;
    const mp = multipartBody(req);
    const file = mp && mp !== 'malformed' ? mp.files.find((f) => f.field === 'file') : undefined;
    if (!file || file.data.length === 0) return reply0(-400, undefined, '缺少 file');
    const kind = sniffMedia(file.data);
    if (kind !== 'jpeg' && kind !== 'png') return reply0(-400, undefined, '封面格式仅支持 jpeg、png');
    if (file.data.length > L.coverBytes) return reply0(-400, undefined, '封面文件不能超过5MB');
    const size = imageSize(file.data);
    if (!size) return reply0(-400, undefined, '无法读取封面尺寸');
    if (size.width < L.coverMinWidth || size.height < L.coverMinHeight)
      return reply0(-400, undefined, `封面尺寸 ${size.width}x${size.height} 过小,最低 960x600`);
    const key = `${crypto.createHash('sha1').update(file.data).digest('hex')}.${kind === 'jpeg' ? 'jpg' : 'png'}`;
    state().covers.set(key, { data: file.data, mime: `image/${kind}`, openId: who.openId });
    return reply0(0, { url: `${ctx.baseUrl()}/bfs/archive/${key}` });
  });

  app.get('/bfs/archive/:key', async (req, reply) => {
    const c = state().covers.get((req.params as { key: string }).key);
    if (!c) return reply.code(404).send('not found');
    return reply.type(c.mime).send(c.data);
  });
}
