// Douyin's open platform as the simulator holds it: options, limits, error descriptions and the two envelopes, uploaded videos, part uploads and items, and an item's video_status.
import { MB, randomId, type CommonSimulatorOptions, type PublicationRecord, type SimContext } from '../common.js';
import type { VideoAccounts, VideoOAuthOptions } from '../common/video-oauth.js';

/** Refresh tokens may also be configured (`refreshTokens`); they last until renewed (`/oauth/renew_refresh_token/`). */
export interface DouyinOptions extends CommonSimulatorOptions, VideoOAuthOptions<{ clientKey: string }> {
  /** client_token lifetime (default 7200 s). */
  clientTokenTtlSeconds?: number;
  /** Limits, overridable so tests need not send 128 MB. */
  limits?: Partial<typeof DOUYIN_LIMITS>;
  /** How many times a refresh token chain may be renewed (default 5, as documented; then 10020). */
  maxRefreshRenewals?: number;
}

export const DOUYIN_LIMITS = {
  /** Largest file accepted by /video/upload/ (128 MB); larger files must be uploaded in parts. */
  singleUploadBytes: 128 * MB,
  /** Parts other than the last must be at least 5 MB. */
  minPartBytes: 5 * MB,
  /** Largest single part accepted (simulator bound; 20 MB recommended by the docs). */
  maxPartBytes: 128 * MB,
  /** Total size of a video (4 GB). */
  totalBytes: 4 * 1024 * MB,
  /** Longest video (15 minutes), from the duration the client declares. */
  maxSeconds: 15 * 60,
  /** upload_id validity (2 hours). */
  uploadIdSeconds: 7200,
  /** Longest `text` of video/create (simulator default; see README). */
  textChars: 1000,
} as const;

const DESCRIPTIONS: Record<number, string> = {
  0: '',
  10002: '参数错误',
  10003: 'client_key 错误',
  10005: '缺少参数',
  10007: '授权码过期',
  10004: '权限不足',
  10010: 'refresh_token 过期',
  10013: 'client_key 或者 client_secret 报错',
  10020: '超过刷新次数限制',
  2100004: '系统繁忙,此时请开发者稍候再试',
  2100005: '参数不合法',
  2100007: '无权限操作',
  2190001: 'quota已用完',
  2190002: 'access_token无效',
  2190004: '应用未获得该能力',
  2190005: '视频文件太大了',
  2190006: '视频时长不能超过15分钟',
  2190007: '无效的视频文件ID',
  2190008: 'access_token过期,请刷新或重新授权',
  2190015: '请求参数access_token openid不匹配',
};

/** The `{data: {..., error_code, description}, extra}` envelope of the open API. */
export function envelope(code: number, data: Record<string, unknown> = {}, description?: string) {
  const desc = description ?? DESCRIPTIONS[code] ?? 'error';
  return {
    data: { ...data, error_code: code, description: code === 0 ? '' : desc },
    extra: {
      error_code: code,
      description: code === 0 ? '' : desc,
      sub_error_code: 0,
      sub_description: '',
      logid: `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}${randomId(18, '0123456789ABCDEF')}`,
      now: Date.now(),
    },
  };
}

/** The envelope of the OAuth endpoints (`message`: success / error). */
export function oauthEnvelope(code: number, data: Record<string, unknown> = {}, description?: string) {
  return {
    data: { ...data, error_code: code, description: code === 0 ? '' : (description ?? DESCRIPTIONS[code] ?? 'error') },
    message: code === 0 ? 'success' : 'error',
  };
}

export interface UploadedVideo {
  videoId: string;
  openId: string;
  bytes: number;
  width: number;
  height: number;
  duration?: number;
  format: string;
  sha256: string;
  used: boolean;
}

export interface PartUpload {
  uploadId: string;
  openId: string;
  createdAt: number;
  parts: Map<number, { bytes: number; head: Buffer; sha256: string }>;
}

export interface DouyinItem {
  itemId: string;
  openId: string;
  videoId: string;
  text: string;
  createTime: number;
  coverTsp?: number;
  shareKey: string;
}

export interface DouyinState extends VideoAccounts {
  videos: Map<string, UploadedVideo>;
  uploads: Map<string, PartUpload>;
  items: Map<string, DouyinItem>;
  shares: Map<string, string>;
}

export const ITEM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Douyin video_status: 1 published, 2 not suitable for the public (review failed), 4 in review. */
export function videoStatus(rec: PublicationRecord, ctx: SimContext): number {
  const settled = ctx.publications.settled(rec);
  if (settled === 'processing') return 4;
  if (settled === 'failed') return typeof (rec.outcome as { code?: unknown }).code === 'number' ? (rec.outcome as { code: number }).code : 2;
  return 1;
}
