/** The account's videos, newest first: `video/list` (cursor 0, count ≤ 20); `create_time` in Unix seconds. */
import type { PlatformPost, PostListContext } from '../types.js';
import { toMs } from '../video-platform/client.js';
import { DouyinClient } from './client.js';
import { douyinOptions } from './format.js';

export async function latestDouyinPosts(ctx: PostListContext, limit: number): Promise<PlatformPost[]> {
  const api = new DouyinClient(ctx, douyinOptions({}));
  const data = await api.call('video/list', false, (auth) => ({
    method: 'GET',
    url: '/video/list/',
    params: { open_id: auth.openId, cursor: 0, count: Math.min(Math.max(limit, 1), 20) },
  }));
  const list = Array.isArray(data.list) ? (data.list as Record<string, unknown>[]) : [];
  return list.flatMap((item) => {
    const at = toMs(item.create_time);
    if (at === undefined || !item.item_id) return [];
    return [{ id: String(item.item_id), at: new Date(at).toISOString(), title: typeof item.title === 'string' ? item.title.slice(0, 80) : null }];
  });
}
