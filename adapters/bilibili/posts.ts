/**
 * The account's published archives, newest first: `archive/viewlist` with `status=pubed` (first
 * page, `ps` ≤ 50), whoever submitted them (govpub or a person in the Bilibili app). `ptime`, when
 * it went public, in Unix seconds; `ctime` (submitted) where a platform leaves `ptime` at 0.
 */
import type { PlatformPost, PostListContext } from '../types.js';
import { BilibiliClient } from './client.js';
import type { BilibiliOptions } from './format.js';

export async function latestBilibiliPosts(ctx: PostListContext, o: BilibiliOptions, limit: number): Promise<PlatformPost[]> {
  const api = new BilibiliClient(ctx, o);
  const data = await api.call('archive/viewlist', false, () => ({
    method: 'GET',
    url: '/arcopen/fn/archive/viewlist',
    params: { pn: 1, ps: Math.min(Math.max(limit, 1), 50), status: 'pubed' },
    body: '',
  }));
  const list = Array.isArray(data.list) ? (data.list as Record<string, unknown>[]) : [];
  return list.flatMap((archive) => {
    const seconds = Number(archive.ptime) > 0 ? Number(archive.ptime) : Number(archive.ctime);
    if (!Number.isFinite(seconds) || seconds <= 0 || !archive.resource_id) return [];
    const title = typeof archive.title === 'string' ? archive.title.slice(0, 80) : null;
    return [{ id: String(archive.resource_id), at: new Date(seconds * 1000).toISOString(), title }];
  });
}
