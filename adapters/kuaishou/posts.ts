/** The account's works, newest first: `photo/list` (count ≤ 50); `create_time` in milliseconds (seconds read too). */
import type { PlatformPost, PostListContext } from '../types.js';
import { toMs } from '../video-platform/client.js';
import { KuaishouClient } from './client.js';
import { kuaishouOptions } from './format.js';

export async function latestKuaishouPosts(ctx: PostListContext, limit: number): Promise<PlatformPost[]> {
  const api = new KuaishouClient(ctx, kuaishouOptions({}));
  const body = await api.openapi('photo/list', false, () => ({
    method: 'GET',
    url: '/openapi/photo/list',
    params: { count: Math.min(Math.max(limit, 1), 50) },
  }));
  const list = Array.isArray(body.video_list) ? (body.video_list as Record<string, unknown>[]) : [];
  return list.flatMap((p) => {
    const at = toMs(p.create_time);
    if (at === undefined || !p.photo_id) return [];
    return [{ id: String(p.photo_id), at: new Date(at).toISOString(), title: typeof p.caption === 'string' ? p.caption.slice(0, 80) : null }];
  });
}
