// Bilibili's request signature: the x-bili-* headers signed with HMAC-SHA256 by the app secret, checked (content MD5, clock skew, nonce reuse) and made (for clients and tests).
import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { contentType, rawBody, type SimContext } from '../common.js';
import { reply0 } from './platform.js';

/** A request header's (first) value. */
export function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Checks the signature headers; returns an error body or undefined. */
export function verifySignature(req: FastifyRequest, ctx: SimContext, nonces: Map<string, number>, skewSeconds: number): ReturnType<typeof reply0> | undefined {
  const keyId = header(req, 'x-bili-accesskeyid');
  const names = [
    'x-bili-accesskeyid',
    'x-bili-content-md5',
    'x-bili-signature-method',
    'x-bili-signature-nonce',
    'x-bili-signature-version',
    'x-bili-timestamp',
  ];
  for (const n of names) if (!header(req, n)) return reply0(-3, undefined, `缺少签名头 ${n}`);
  const auth = header(req, 'authorization');
  if (!auth) return reply0(-3, undefined, '缺少 Authorization 签名');
  if (header(req, 'x-bili-signature-method') !== 'HMAC-SHA256') return reply0(-3, undefined, 'x-bili-signature-method 应为 HMAC-SHA256');
  if (header(req, 'x-bili-signature-version') !== '2.0') return reply0(-3, undefined, 'x-bili-signature-version 应为 2.0');
  const ts = Number(header(req, 'x-bili-timestamp'));
  // Compared with real time: the shiftable simulator clock models token and review time, not the client's clock.
  if (!Number.isFinite(ts) || Math.abs(Date.now() / 1000 - ts) > skewSeconds) return reply0(-3, undefined, 'x-bili-timestamp 与服务器时间相差超过10分钟');
  const secret = ctx.credentials.secretOf(keyId!);
  if (!secret) return reply0(-3, undefined, 'x-bili-accesskeyid 未知(先用 client_id/client_secret 换取 access_token)');
  const raw = rawBody(req);
  const md5 = (b: Buffer | string) => crypto.createHash('md5').update(b).digest('hex');
  const given = header(req, 'x-bili-content-md5')!.toLowerCase();
  const isFileUpload = contentType(req).startsWith('multipart/');
  if (given !== md5(raw) && !(isFileUpload && given === md5(''))) return reply0(-3, undefined, 'x-bili-content-md5 与请求体不符');
  const canonical = names.map((n) => `${n}:${header(req, n)}`).join('\n');
  const expected = crypto.createHmac('sha256', secret).update(canonical).digest('hex');
  const a = Buffer.from(auth.toLowerCase());
  const b = Buffer.from(expected);
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return reply0(-3, undefined, '签名错误');
  const nonce = header(req, 'x-bili-signature-nonce')!;
  const seen = nonces.get(nonce);
  if (seen !== undefined && Date.now() - seen < skewSeconds * 1000) return reply0(-3, undefined, 'x-bili-signature-nonce 重复');
  nonces.set(nonce, Date.now());
  return undefined;
}

/** Signs a request the way the Bilibili open platform expects (helper for clients and tests). */
export function bilibiliSignHeaders(opts: {
  clientId: string;
  secret: string;
  body?: string | Buffer;
  accessToken?: string;
  timestamp?: number;
  nonce?: string;
}): Record<string, string> {
  const h: Record<string, string> = {
    'x-bili-accesskeyid': opts.clientId,
    'x-bili-content-md5': crypto
      .createHash('md5')
      .update(opts.body ?? '')
      .digest('hex'),
    'x-bili-signature-method': 'HMAC-SHA256',
    'x-bili-signature-nonce': opts.nonce ?? crypto.randomUUID(),
    'x-bili-signature-version': '2.0',
    'x-bili-timestamp': String(opts.timestamp ?? Math.floor(Date.now() / 1000)),
  };
  const canonical = Object.keys(h)
    .sort()
    .map((k) => `${k}:${h[k]}`)
    .join('\n');
  h.authorization = crypto.createHmac('sha256', opts.secret).update(canonical).digest('hex');
  h.accept = 'application/json';
  if (opts.accessToken) h['access-token'] = opts.accessToken;
  return h;
}
