// The media center's publishing contract as the simulator holds it: limits (the platform declaration's, plus the transport's), article kinds, the columns of each system, the stored article and the error body.
import { MEDIA_CENTER_CONTRACT_LIMITS } from '../../adapters/media-center/declaration.js';
import { MB, randomId, type CommonSimulatorOptions } from '../common.js';

export type MediaCenterKind = 'news_site' | 'media_app';

export interface MediaColumn {
  id: string;
  name: string;
}

export interface MediaCenterOptions extends CommonSimulatorOptions {
  /** Columns articles may be filed under (defaults: 16 for news_site, 11 for media_app). */
  columns?: MediaColumn[];
  /** Access token lifetime (default 3600 s). */
  tokenTtlSeconds?: number;
  /** Requests per client per minute before 429 (default 120). */
  rateLimitPerMinute?: number;
}

/** The contract's limits: the content limits are the declaration's (one place), the transport's are the simulator's. */
export const MEDIA_CENTER_LIMITS = { bodyBytes: 2 * MB, ...MEDIA_CENTER_CONTRACT_LIMITS, pageSizeMax: 100 } as const;

export const ARTICLE_KINDS = ['graphic', 'video', 'short_video', 'promo'] as const;
export type ArticleKind = (typeof ARTICLE_KINDS)[number];

/** 西安网碑林频道: 16 columns (placeholders; a deployment configures the real list). */
export const NEWS_SITE_COLUMNS: MediaColumn[] = [
  { id: 'bl-yaowen', name: '碑林要闻' },
  { id: 'bl-zwgk', name: '政务公开' },
  { id: 'bl-zcjd', name: '政策解读' },
  { id: 'bl-bmdt', name: '部门动态' },
  { id: 'bl-jddt', name: '街道动态' },
  { id: 'bl-tzgg', name: '通知公告' },
  { id: 'bl-msfw', name: '民生服务' },
  { id: 'bl-wenlv', name: '文化旅游' },
  { id: 'bl-yshj', name: '营商环境' },
  { id: 'bl-jywj', name: '教育卫健' },
  { id: 'bl-csjs', name: '城市建设' },
  { id: 'bl-sthb', name: '生态环保' },
  { id: 'bl-pabl', name: '平安碑林' },
  { id: 'bl-video', name: '视频碑林' },
  { id: 'bl-short', name: '短视频' },
  { id: 'bl-promo', name: '宣传片' },
];

/** 融媒客户端: 11 columns (placeholders; a deployment configures the real list). */
export const MEDIA_APP_COLUMNS: MediaColumn[] = [
  { id: 'app-home', name: '首页推荐' },
  { id: 'app-news', name: '碑林新闻' },
  { id: 'app-zwgk', name: '政务公开' },
  { id: 'app-zcjd', name: '政策解读' },
  { id: 'app-service', name: '便民服务' },
  { id: 'app-culture', name: '文旅碑林' },
  { id: 'app-video', name: '视频' },
  { id: 'app-short', name: '短视频' },
  { id: 'app-promo', name: '宣传片' },
  { id: 'app-topic', name: '专题' },
  { id: 'app-interact', name: '互动' },
];

export interface RelatedLink {
  title: string;
  url: string;
  relation: 'interpretation' | 'policy' | 'related';
}

export interface Article {
  id: string;
  clientId: string;
  idempotencyKey: string;
  fingerprint: string;
  externalRef: string | null;
  columnId: string;
  kind: ArticleKind;
  title: string;
  subtitle: string | null;
  summary: string | null;
  bodyHtml: string | null;
  coverUrl: string | null;
  videoUrl: string | null;
  author: string | null;
  source: string | null;
  relatedLinks: RelatedLink[];
  createdAt: number;
}

export interface MediaState {
  articles: Map<string, Article>;
  byKey: Map<string, string>; // `${clientId}\n${key}` → article id
  window: Map<string, { start: number; count: number }>;
}

export type ApiError = { status: number; code: string; message: string; details?: Record<string, unknown>; headers?: Record<string, string> };

export function errorBody(e: ApiError) {
  return { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}), requestId: randomId(16).toLowerCase() } };
}
