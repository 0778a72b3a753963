/**
 * The account's own posts, newest first: `statuses/user_timeline` (page 1, `count` ≤ 100). Weibo's
 * `created_at` reads like `Tue May 31 17:46:55 +0800 2011`, which Date.parse understands.
 */
import type { PlatformPost, PostListContext } from '../types.js';
import { WeiboClient, type WeiboStatus } from './client.js';

export async function latestWeiboPosts(ctx: PostListContext, limit: number): Promise<PlatformPost[]> {
  const api = new WeiboClient(ctx, { timeoutMs: 30_000, now: Date.now });
  const what = 'Listing the Weibo timeline';
  const { data } = await api.call('GET', '/2/statuses/user_timeline.json', { count: String(Math.min(Math.max(limit, 1), 100)), page: '1' }, what, false);
  if (data.error_code) throw api.error(data, what, false);
  const statuses = Array.isArray(data.statuses) ? (data.statuses as (WeiboStatus & { created_at?: string })[]) : [];
  return statuses.flatMap((s) => {
    const at = Date.parse(String(s.created_at ?? ''));
    const id = s.idstr ?? (s.id !== undefined ? String(s.id) : '');
    if (!id || !Number.isFinite(at)) return [];
    return [{ id, at: new Date(at).toISOString(), title: typeof s.text === 'string' ? s.text.slice(0, 80) : null }];
  });
}
