/**
 * Weibo (微博) adapter: one post through the share API (`statuses/share.json`) — the document's
 * title, a short summary, a mention of the interpretation and the link to the package's portal
 * page (the share API requires a link to the app's bound "safe" domain), with the cover picture.
 *
 *   format    pure: builds the text within 140 Weibo characters, shortening the summary first
 *   transmit  one share call; Weibo posts synchronously, so the answer is `live` with the post URL
 *   reconcile the account's own timeline (`statuses/user_timeline`): a post with this text
 *   takeDown  `statuses/destroy`; a post that is already gone (20101) is success
 *
 * The access token comes from the channel's credentials (`accessToken`, obtained once through
 * OAuth by operations) or, when present and valid, a newer one in the channel's token store
 * (`WEIBO_TOKEN_NAME`).
 */
import { readFile } from 'node:fs/promises';
import { DeliveryError, rejectedContent } from '../errors.js';
import type { ChannelAdapter, PostPresence, TransmitContext, TransmitResult } from '../types.js';
import { WeiboClient, accountLabel, normalized, publicUrlOf, type WeiboStatus } from './client.js';
import { formatWeibo, PLATFORM_NAME, WEIBO_LIMITS, type WeiboCheckpoint, type WeiboAdapterOptions, type WeiboPayload } from './format.js';
import { latestWeiboPosts } from './posts.js';

export { formatWeibo, weiboLength, WEIBO_LIMITS, WEIBO_TOKEN_NAME, type WeiboAdapterOptions, type WeiboCheckpoint, type WeiboPayload } from './format.js';

export function createWeiboAdapter(options: WeiboAdapterOptions = {}): ChannelAdapter<WeiboPayload, WeiboCheckpoint> {
  const opts: Required<WeiboAdapterOptions> = { timeoutMs: options.timeoutMs ?? 30_000, now: options.now ?? Date.now };
  type Ctx = TransmitContext<WeiboCheckpoint>;

  const record = async (ctx: Ctx, s: WeiboStatus): Promise<TransmitResult> => {
    const statusId = s.idstr ?? String(s.id);
    const publicUrl = publicUrlOf(s);
    try {
      await ctx.checkpoint({ statusId, publicUrl });
    } catch (error) {
      throw new DeliveryError(
        'unconfirmed',
        `The Weibo post was made but govpub could not save it (${(error as Error).message}); it is looked up before anything is sent again.`,
        { cause: error },
      );
    }
    return { state: 'live', externalId: statusId, publicUrl };
  };

  /** The account's live post carrying this text (links compared loosely: Weibo may shorten them). */
  const findPost = async (api: WeiboClient, payload: WeiboPayload): Promise<WeiboStatus | null> => {
    const want = normalized(payload.text);
    for (let page = 1; page <= 4; page++) {
      const { data } = await api.call(
        'GET',
        '/2/statuses/user_timeline.json',
        { count: '50', page: String(page) },
        'Looking for the post on the Weibo timeline',
        false,
      );
      if (data.error_code) throw api.error(data, 'Looking for the post on the Weibo timeline', false);
      const statuses = Array.isArray(data.statuses) ? (data.statuses as WeiboStatus[]) : [];
      const hit = statuses.find((s) => typeof s.text === 'string' && (s.text === payload.text || (normalized(s.text) === want && s.text.includes('http'))));
      if (hit) return hit;
      if (statuses.length < 50) break;
    }
    return null;
  };

  return {
    platform: 'weibo',
    // Compliance: the account's latest posts, whoever made them (posts.ts).
    latestPosts: latestWeiboPosts,
    capabilities: {
      publishing: 'api',
      canDelete: true,
      limits: { ...WEIBO_LIMITS },
    },

    format: formatWeibo,

    async transmit(payload, ctx): Promise<TransmitResult> {
      if (ctx.checkpointed.statusId) return { state: 'live', externalId: ctx.checkpointed.statusId, publicUrl: ctx.checkpointed.publicUrl ?? null };
      const api = new WeiboClient(ctx, opts);
      await api.candidates(); // no token: say so before preparing any picture
      const what = 'Posting to Weibo';
      let body: Record<string, string> | (() => FormData) = { status: payload.text };
      if (payload.picture) {
        const file = await ctx.renditions.get(payload.picture.mediaId, payload.picture.spec);
        if (file.sizeBytes > WEIBO_LIMITS.pictureBytes) {
          throw rejectedContent(PLATFORM_NAME, [
            {
              field: 'cover',
              message: `the prepared picture is ${file.sizeBytes.toLocaleString('en-US')} bytes, over Weibo's 5 MB.`,
              messageZh: `处理后的图片有 ${file.sizeBytes.toLocaleString('en-US')} 字节，超过微博 5 MB 的上限。请换一张较小的封面图片。`,
            },
          ]);
        }
        const data = await readFile(file.path);
        body = () => {
          const form = new FormData();
          form.append('status', payload.text);
          form.append(
            'pic',
            new Blob([new Uint8Array(data)], { type: file.mime }),
            `picture.${file.mime === 'image/png' ? 'png' : file.mime === 'image/gif' ? 'gif' : 'jpg'}`,
          );
          return form;
        };
      }
      const { data } = await api.call('POST', '/2/statuses/share.json', body, what, true);
      ctx.heartbeat();
      if (data.error_code === 20019) {
        // "Repeat content": most likely an earlier attempt posted it and its answer was lost.
        const found = await findPost(api, payload);
        if (found) return record(ctx, found);
        throw new DeliveryError(
          'rejected',
          `${what}: Weibo refuses the same text twice within a day (repeat content, 20019), and the earlier post is not on the account's timeline. Change the text or post again tomorrow.`,
          {
            platformCode: 20019,
          },
        );
      }
      if (data.error_code) throw api.error(data, what, true);
      const status = data as WeiboStatus;
      if (!status.idstr && status.id === undefined)
        throw new DeliveryError('unconfirmed', `${what}: Weibo answered without a post id; the timeline is checked before anything is sent again.`);
      return record(ctx, status);
    },

    async reconcile(payload, ctx): Promise<TransmitResult | null> {
      if (ctx.checkpointed.statusId) return { state: 'live', externalId: ctx.checkpointed.statusId, publicUrl: ctx.checkpointed.publicUrl ?? null };
      const found = await findPost(new WeiboClient(ctx, opts), payload);
      return found ? record(ctx, found) : null;
    },

    async takeDown(externalId, ctx): Promise<void> {
      const api = new WeiboClient(ctx, opts);
      const what = 'Deleting the Weibo post';
      const { data } = await api.call('POST', '/2/statuses/destroy.json', { id: externalId }, what, false);
      if (data.error_code === 20101) return; // already gone
      if (data.error_code === 20102) {
        throw new DeliveryError(
          'rejected',
          `${what}: Weibo says post ${externalId} belongs to another account than ${accountLabel(ctx)} (20102); it was not deleted.`,
          { platformCode: 20102 },
        );
      }
      if (data.error_code) throw api.error(data, what, false);
    },

    async postStillThere(externalId, ctx): Promise<PostPresence> {
      const api = new WeiboClient(ctx, opts);
      const what = 'Asking Weibo whether the post is still up';
      const { data } = await api.call('GET', '/2/statuses/show.json', { id: externalId }, what, false);
      if (data.error_code === 20101) return { there: false }; // no such post (deleted)
      if (data.error_code) throw api.error(data, what, false);
      return { there: true, what: `post ${externalId} is public`, whatZh: `微博 ${externalId} 仍公开可见` };
    },
  };
}
