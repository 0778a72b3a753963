// The WeChat Official Account simulator's limits, stored objects (material, drafts, publish jobs) and the publish status they show.
import { KB, MB, type PublicationRecord, type SimContext } from '../common.js';

export const WECHAT_LIMITS = {
  titleChars: 32,
  authorChars: 16,
  digestChars: 128,
  digestDefaultChars: 54,
  contentChars: 20_000,
  contentBytes: MB,
  articlesPerDraft: 8,
  uploadImgBytes: MB, // strictly less than
  imageBytes: 10 * MB,
  thumbBytes: 64 * KB,
  voiceBytes: 2 * MB,
  voiceSeconds: 60,
  videoBytes: 10 * MB,
  forceRefreshPerDay: 20,
  forceRefreshIntervalSeconds: 30,
  stableRenewBeforeSeconds: 300,
} as const;

export interface Material {
  mediaId: string;
  appid: string;
  type: 'image' | 'thumb' | 'voice' | 'video';
  url?: string;
  filename: string;
  bytes: number;
  title?: string;
  introduction?: string;
  createdAt: number;
}

export interface StoredImage {
  data: Buffer;
  mime: string;
}

export interface DraftArticle {
  article_type: 'news';
  title: string;
  author: string;
  digest: string;
  content: string;
  content_source_url: string;
  thumb_media_id: string;
  show_cover_pic: number;
  need_open_comment: number;
  only_fans_can_comment: number;
  pic_crop_235_1: string;
  pic_crop_1_1: string;
  /** Images removed because they were not on the platform's image host. */
  strippedImages: string[];
  /** Links (hrefs) removed, their text kept, because they led elsewhere than to WeChat articles. */
  strippedLinks: string[];
}

export interface Draft {
  mediaId: string;
  appid: string;
  articles: DraftArticle[];
  updateTime: number;
}

export interface PublishJob {
  publishId: number;
  msgDataId: string;
  appid: string;
  articleId: string;
  draft: Draft;
  /** Per-article short keys of the public URLs. */
  sns: string[];
}

export interface WechatState {
  materials: Map<string, Material>;
  images: Map<string, StoredImage>;
  drafts: Map<string, Draft>;
  jobs: Map<number, PublishJob>;
  jobsByArticle: Map<string, PublishJob>;
  pages: Map<string, { job: PublishJob; index: number }>;
  quota: Map<string, { day: string; count: number }>;
  forceRefresh: Map<string, { day: string; count: number; last: number }>;
  /** PUBLISHJOBFINISH events pushed to accounts' server URLs (status: the answer's HTTP status, 0 unreachable, null not answered yet). */
  eventPushes: EventPush[];
}

export interface EventPush {
  publishId: string;
  appid: string;
  url: string;
  /** When it was sent (the simulator's clock, ISO 8601). */
  at: string;
  status: number | null;
}

export const MIME: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', bmp: 'image/bmp' };

/** offset / count / no_content of a batchget body, or undefined when out of range. */
export function pageArgs(body: Record<string, unknown>): { offset: number; count: number; noContent: boolean } | undefined {
  const offset = Number(body.offset ?? 0);
  const count = Number(body.count);
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(count) || count < 1 || count > 20) return undefined;
  return { offset, count, noContent: Number(body.no_content ?? 0) === 1 };
}

/** WeChat publish_status of a publication: 0 ok, 1 publishing, 2-4 failed, 5 deleted. */
export function publishStatusOf(rec: PublicationRecord, ctx: SimContext): number {
  const settled = ctx.publications.settled(rec);
  if (settled === 'processing') return 1;
  if (settled === 'failed') {
    const code = rec.outcome.type === 'fail' && typeof rec.outcome.code === 'number' ? rec.outcome.code : 3;
    return [2, 3, 4, 6].includes(code) ? code : 3;
  }
  return rec.deleted ? 5 : 0;
}

/** An article's fields as draft/get and freepublish/getarticle show them (before `url`). */
export function articleFields(a: DraftArticle, state: WechatState) {
  return {
    title: a.title,
    author: a.author,
    digest: a.digest,
    content: a.content,
    content_source_url: a.content_source_url,
    thumb_media_id: a.thumb_media_id,
    thumb_url: state.materials.get(a.thumb_media_id)?.url ?? '',
    show_cover_pic: a.show_cover_pic,
    need_open_comment: a.need_open_comment,
    only_fans_can_comment: a.only_fans_can_comment,
  };
}
