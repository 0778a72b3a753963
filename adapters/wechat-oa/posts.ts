/**
 * The account's published pushes (发布记录), newest first: `freepublish/batchget` (count 1–20,
 * `no_content: 1`). `update_time` is documented beside `content` but some accounts receive it inside
 * `content` (WeChat developer community, 2021): both places are read. Only pushes made through
 * free publishing (发布) are listed; mass sends (群发) have no list API, which the finding says.
 */
import type { PlatformPost, PostListContext } from '../types.js';
import { WechatClient } from './client.js';

interface PublishedItem {
  article_id?: string;
  update_time?: number;
  content?: { update_time?: number; create_time?: number; news_item?: { title?: string }[] };
}

export async function latestWechatPosts(ctx: PostListContext, limit: number): Promise<PlatformPost[]> {
  const api = new WechatClient(ctx, { timeoutMs: 30_000, now: Date.now });
  const answer = await api.call(
    '/cgi-bin/freepublish/batchget',
    { offset: 0, count: Math.min(Math.max(limit, 1), 20), no_content: 1 },
    {
      what: 'Listing the published WeChat articles',
      sideEffect: false,
    },
  );
  const items = Array.isArray(answer.item) ? (answer.item as PublishedItem[]) : [];
  return items.flatMap((it) => {
    const seconds = Number(it.update_time ?? it.content?.update_time ?? it.content?.create_time);
    if (!it.article_id || !Number.isFinite(seconds) || seconds <= 0) return [];
    return [{ id: it.article_id, at: new Date(seconds * 1000).toISOString(), title: it.content?.news_item?.[0]?.title ?? null }];
  });
}
