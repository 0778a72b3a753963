// What a video platform's review refusal, or a post it no longer has, does to a delivery's checkpoint: the rule Douyin, Kuaishou and Bilibili share.
import { isDeliveryError } from '../errors.js';
import type { ConfirmResult, PostPresence, TransmitContext, TransmitResult } from '../types.js';

/** The posts of a delivery the platform's review refused (or no longer has), kept in its checkpoint. */
export interface RefusedPosts {
  /** Ids of posts review refused or the platform no longer has (oldest first): none is ever taken for a retry's post. */
  refusedPostIds: string[];
}

/**
 * Where a post the platform accepted stands, as its status query says. `refused`: review refused
 * it; `gone`: the platform no longer has it (deleted or removed). Either way nothing of it is
 * public, and `platformCode` names the case for the failure's Chinese sentence (the platform's
 * error-code table, `named`).
 */
export type PostStanding =
  { kind: 'live'; publicUrl: string | null } | { kind: 'pending'; note: string } | { kind: 'refused' | 'gone'; message: string; platformCode: string };

/**
 * The checkpoint change after review refused `refusedId` (or the platform no longer has it), or
 * null when there is nothing to change (the checkpoint holds another post, or the refusal was
 * taken in already). A refused post published nothing, so it is forgotten together with what made
 * it (`spent`: its upload, which a platform takes for one post only, and the request time
 * reconcile looks from): the retry uploads and posts anew instead of reading the refused post
 * again. Any other failure keeps the post, and the retry reconciles with it first.
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

/** How an adapter reads one post's standing and forgets it (forgetRefusedPost with its checkpoint's fields). */
export interface CheckpointedPost<C extends RefusedPosts> {
  standing(postId: string, ctx: TransmitContext<C>): Promise<PostStanding>;
  postOf(checkpoint: Partial<C>): string | null | undefined;
  /** What a refused post spent: cleared with it. */
  spent: Partial<C>;
}

async function forget<C extends RefusedPosts>(post: CheckpointedPost<C>, postId: string, ctx: TransmitContext<C>): Promise<void> {
  const change = forgetRefusedPost(ctx.checkpointed, post.postOf, postId, post.spent);
  if (change) await ctx.checkpoint(change);
}

/** confirm's answer: a refused or gone post is forgotten first, so the operator's retry posts anew. */
export async function confirmPost<C extends RefusedPosts>(post: CheckpointedPost<C>, postId: string, ctx: TransmitContext<C>): Promise<ConfirmResult> {
  const standing = await post.standing(postId, ctx);
  switch (standing.kind) {
    case 'live':
      return { state: 'live', publicUrl: standing.publicUrl, externalId: postId };
    case 'pending':
      return { state: 'pending', note: standing.note };
    default:
      await forget(post, postId, ctx);
      return { state: 'rejected', message: standing.message, platformCode: standing.platformCode };
  }
}

/**
 * reconcile's answer for the post the checkpoint names, asked before a retry relies on it (one
 * status read). In review or live: that post, never a second. Refused by review: reported to the
 * delivery's audit trail (ctx.refusalFound), forgotten as confirm forgets it, and null, so this
 * retry posts anew; this also mends a checkpoint that still names a refused post (refused before
 * confirm forgot refusals, while the delivery was failed or cancelled and no confirm was asking, or
 * in the seconds a worker stopped between the create and its answer being recorded). When the
 * platform cannot answer now, the post is relied on as before: the confirm that follows asks
 * again, with its own waits.
 */
export async function reconcileCheckpointedPost<C extends RefusedPosts>(
  post: CheckpointedPost<C>,
  postId: string,
  ctx: TransmitContext<C>,
): Promise<TransmitResult | null> {
  let standing: PostStanding;
  try {
    standing = await post.standing(postId, ctx);
  } catch (err) {
    if (!isDeliveryError(err) || ctx.signal?.aborted) throw err;
    return { state: 'submitted', externalId: postId };
  }
  switch (standing.kind) {
    case 'live':
      return { state: 'live', externalId: postId, publicUrl: standing.publicUrl };
    case 'pending':
      return { state: 'submitted', externalId: postId };
    case 'gone':
      // Not found may also be a post made seconds ago that the platform does not list yet (a worker
      // stopped between the create and its answer being recorded): posting anew here could publish
      // twice. The confirm that follows decides, and forgets it, so the operator's retry posts anew.
      return { state: 'submitted', externalId: postId };
    case 'refused':
      // Reported before it is forgotten: a crash in between reports it again on the next retry
      // (kept once), where reporting after forgetting could lose it for good.
      await ctx.refusalFound?.({ postId, message: standing.message, platformCode: standing.platformCode });
      await forget(post, postId, ctx);
      return null;
  }
}

/**
 * Whether the post is still on the platform, as its status query says: live, or in review (it may
 * still go public). Refused or gone: nothing of it is public.
 */
export async function postStillThere<C extends RefusedPosts>(post: CheckpointedPost<C>, postId: string, ctx: TransmitContext<C>): Promise<PostPresence> {
  const standing = await post.standing(postId, ctx);
  const url = standing.kind === 'live' && standing.publicUrl ? ` (${standing.publicUrl})` : '';
  if (standing.kind === 'live') return { there: true, what: `post ${postId} is public${url}`, whatZh: `作品 ${postId} 仍公开可见${url}` };
  if (standing.kind === 'pending')
    return {
      there: true,
      what: `post ${postId} is in the platform's review (${standing.note}) and may still go public`,
      whatZh: `作品 ${postId} 仍在平台审核中，审核通过后会公开`,
    };
  return { there: false };
}

/** Whether a post the platform lists is one its review refused for this delivery (reconcile skips those). */
export function wasRefused(checkpoint: Partial<RefusedPosts>, postId: unknown): boolean {
  return refusedIds(checkpoint).includes(String(postId));
}

function refusedIds(checkpoint: Partial<RefusedPosts>): string[] {
  const saved: unknown = checkpoint.refusedPostIds;
  return Array.isArray(saved) ? saved.map(String) : [];
}
