// What a video platform's review refusal does to a delivery's checkpoint: the rule Douyin, Kuaishou and Bilibili share.

/** The posts of a delivery the platform's review refused, kept in its checkpoint. */
export interface RefusedPosts {
  /** Ids of posts review refused (oldest first): none is ever taken for a retry's post. */
  refusedPostIds: string[];
}

/**
 * The checkpoint change after review refused `refusedId`, or null when there is nothing to change
 * (the checkpoint holds another post, or the refusal was taken in already). A refused post
 * published nothing, so it is forgotten together with what made it (`spent`: its upload, which a
 * platform takes for one post only, and the request time reconcile looks from): the retry
 * uploads and posts anew instead of reading the refused post again. Any other failure keeps the
 * post, and the retry reconciles with it first.
 */
export function forgetRefusedPost<C extends RefusedPosts>(
  checkpoint: Partial<C>,
  postOf: (checkpoint: Partial<C>) => string | null | undefined,
  refusedId: string,
  spent: Partial<C>,
): Partial<C> | null {
  const earlier = refusedIds(checkpoint);
  if (postOf(checkpoint) !== refusedId || earlier.includes(refusedId)) return null;
  const refused: Partial<RefusedPosts> = { refusedPostIds: [...earlier, refusedId] };
  return { ...spent, ...refused };
}

/** Whether a post the platform lists is one its review refused for this delivery (reconcile skips those). */
export function wasRefused(checkpoint: Partial<RefusedPosts>, postId: unknown): boolean {
  return refusedIds(checkpoint).includes(String(postId));
}

function refusedIds(checkpoint: Partial<RefusedPosts>): string[] {
  const saved: unknown = checkpoint.refusedPostIds;
  return Array.isArray(saved) ? saved.map(String) : [];
}
