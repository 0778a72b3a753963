import crypto from 'node:crypto';
// Bilibili's open platform as the simulator holds it: options, limits, partitions, messages and reply envelope, uploads and archives, and an archive's state.
import { MB, type CommonSimulatorOptions, type PublicationRecord, type SimContext } from '../common.js';
import type { VideoAccounts, VideoOAuthOptions } from '../common/video-oauth.js';

/** Configured refresh tokens (`refreshTokens`) are used once: a refresh rotates them like any other. */
export interface BilibiliOptions extends CommonSimulatorOptions, VideoOAuthOptions<{ clientId: string }> {
  /** Check the x-bili-* signature headers (default true). */
  requireSignature?: boolean;
  /** Submissions per day for a non-member account (default 5). */
  dailySubmitLimit?: number;
  /** open_ids of member accounts (not subject to the daily limit). */
  memberOpenIds?: string[];
  limits?: Partial<typeof BILIBILI_LIMITS>;
}

export const BILIBILI_LIMITS = {
  /** Files above this size must go through part upload; the single upload refuses them. */
  singleUploadBytes: 100 * MB,
  /** Largest part accepted (simulator bound; 8 MB parts recommended). */
  maxPartBytes: 100 * MB,
  totalBytes: 4 * 1024 * MB,
  /** Duration must be under 5 hours (from the duration the client declares). */
  maxSeconds: 5 * 3600,
  coverBytes: 5 * MB,
  coverMinWidth: 960,
  coverMinHeight: 600,
  titleChars: 80,
  descChars: 250,
  tagCount: 10,
  tagChars: 20,
  sourceChars: 200,
  signatureSkewSeconds: 600,
} as const;

/** Partitions (分区), written [id, name, children as [id, name]], one parent a line (kept so: a table). */
// prettier-ignore
const PARTITION_TABLE: [number, string, [number, string][]][] = [
  [202, '资讯', [[203, '热点'], [204, '环球'], [205, '社会'], [206, '综合']]],
  [36, '知识', [[201, '科学科普'], [124, '社科·法律·心理'], [228, '人文历史']]],
  [160, '生活', [[21, '日常'], [250, '出行']]],
];

/** Partitions (分区): a parent with the children one may submit to. */
export const BILIBILI_PARTITIONS = PARTITION_TABLE.map(([id, name, children]) => ({
  id,
  parent: 0,
  name,
  children: children.map(([childId, childName]) => ({ id: childId, name: childName })),
}));

export const MESSAGES: Record<number, string> = {
  0: '0',
  [-2]: 'Access Key错误',
  [-3]: 'API校验密匙错误',
  [-101]: '账号未登录',
  [-400]: '请求错误',
  [-404]: '啥都木有',
  [-500]: '服务器错误',
  [-503]: '调用速度过快',
  [-509]: '请求过于频繁,请稍后再试',
  [-658]: 'Token 过期',
  21070: '今日投稿数量已达上限',
};

/** The `{code, message, ttl, data}` envelope; code 0 is success. */
export function reply0(code: number, data?: unknown, message?: string) {
  return data === undefined
    ? { code, message: message ?? MESSAGES[code] ?? 'error', ttl: 1 }
    : { code, message: message ?? MESSAGES[code] ?? '0', ttl: 1, data };
}

export interface Upload {
  token: string;
  openId: string;
  clientId: string;
  name: string;
  utype: 0 | 1;
  parts: Map<number, { bytes: number; head: Buffer }>;
  complete: boolean;
  bytes: number;
  duration?: number;
  format?: string;
  used: boolean;
}

export interface Archive {
  resourceId: string;
  openId: string;
  uploadToken: string;
  title: string;
  cover: string;
  tid: number;
  noReprint: number;
  desc: string;
  tag: string;
  copyright: number;
  source: string;
  ctime: number;
  cid: number;
  filename: string;
  duration: number;
}

export interface BilibiliState extends VideoAccounts {
  uploads: Map<string, Upload>;
  covers: Map<string, { data: Buffer; mime: string; openId: string }>;
  archives: Map<string, Archive>;
  nonces: Map<string, number>;
}

export const BV_ALPHABET = 'fZodR9XQDSUm21yCkr6zBqiveYah8bt4xsWpHnJE7jL5VG3guMTKNPAwcF';

/** A new archive's BV id. */
export function newResourceId(): string {
  return `BV1${Array.from(crypto.randomBytes(9), (x) => BV_ALPHABET[x % BV_ALPHABET.length]).join('')}`;
}

export const STATE_DESC: Record<number, string> = { 0: '开放浏览', [-1]: '待审', [-2]: '被打回', [-4]: '锁定', [-100]: '用户删除' };

/** Bilibili archive state: 0 open, -1 pending review, -2 rejected (or -4 locked), -100 deleted. */
export function archiveState(rec: PublicationRecord, ctx: SimContext): number {
  if (rec.deleted) return -100;
  const settled = ctx.publications.settled(rec);
  if (settled === 'processing') return -1;
  if (settled === 'failed') return (rec.outcome as { code?: unknown }).code === -4 ? -4 : -2;
  return 0;
}
