/**
 * The newest post of each new-media account as the platform itself lists it, so an account kept
 * alive by posts made outside govpub (in the platform's own app) is not reported silent. Uses each
 * adapter's optional `latestPosts` (WeChat freepublish/batchget, Weibo statuses/user_timeline,
 * Douyin video/list, Kuaishou photo/list, Bilibili archive/viewlist) with the channel's credentials and token store, as a
 * delivery would. A few accounts at a time; one that cannot be listed (missing credential, refused
 * token, platform down) is left out of the answer and its reason kept in `unavailable`
 * ("list unavailable: …"), never a failed run.
 */
import type { Kysely } from 'kysely';
import type { ChannelAdapter, PostListContext } from '../../adapters/types.js';
import type { DB } from '../../db/schema.js';
import { channelToken, deleteChannelToken, saveChannelToken } from '../../db/tokens.js';
import type { Channel, NewMediaAccount } from '../../domain/registry.js';
import type { PlatformPostsSource } from './facts.js';

/** How the deliveries reach a channel (runtime/channel-access.ts builds it). */
export interface ChannelAccess {
  db: Kysely<DB>;
  adapterFor(channel: Channel): ChannelAdapter;
  credentialsFor(channel: Channel): Record<string, string>;
  baseUrlFor(channel: Channel): string;
  account(channel: Channel): NewMediaAccount | undefined;
}

export interface PlatformPostListsOptions {
  /** Accounts listed at once (default 4): platforms rate-limit per app. */
  concurrency?: number;
  /** Posts asked for per account; the newest is what counts (default 5). */
  perAccount?: number;
  /** Per account, including token refreshes (default 30 s). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** The answer: channel id → newest post; `unavailable`: channel id → why it could not be listed. */
export class PostListResult extends Map<string, { at: string; source: 'platform'; postId: string }> {
  readonly unavailable = new Map<string, string>();
}

export class PlatformPostLists implements PlatformPostsSource {
  constructor(
    private readonly access: ChannelAccess,
    private readonly options: PlatformPostListsOptions = {},
  ) {}

  /** Whether the platform of this channel can list posts at all (else the monitor relies on govpub's deliveries). */
  canList(channel: Channel): boolean {
    if (channel.kind !== 'new_media_account' || channel.publishing !== 'api') return false;
    try {
      return typeof this.access.adapterFor(channel).latestPosts === 'function';
    } catch {
      return false;
    }
  }

  async latestPosts(channels: Channel[]): Promise<PostListResult> {
    const result = new PostListResult();
    const queue = channels.filter((c) => this.canList(c));
    const workers = Array.from({ length: Math.min(this.options.concurrency ?? 4, queue.length) }, async () => {
      for (let channel = queue.shift(); channel; channel = queue.shift()) {
        try {
          const newest = await this.newestOf(channel);
          if (newest) result.set(channel.id, { at: newest.at, source: 'platform', postId: newest.id });
        } catch (error) {
          const reason = `list unavailable: ${(error as Error).message.split('\n')[0]!.slice(0, 300)}`;
          result.unavailable.set(channel.id, reason);
          this.options.log?.(`compliance: ${channel.id}: ${reason}`);
        }
      }
    });
    await Promise.all(workers);
    return result;
  }

  private async newestOf(channel: Channel) {
    const adapter = this.access.adapterFor(channel);
    const signal = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    const { db } = this.access;
    const ctx: PostListContext = {
      channel,
      account: this.access.account(channel),
      credentials: this.access.credentialsFor(channel),
      baseUrl: this.access.baseUrlFor(channel),
      tokens: {
        get: (name) => channelToken(db, channel.id, name),
        put: (name, value, expiresAt) => saveChannelToken(db, channel.id, name, value, expiresAt),
        delete: (name) => deleteChannelToken(db, channel.id, name),
      },
      signal,
    };
    const posts = await adapter.latestPosts!(ctx, this.options.perAccount ?? 5);
    // Newest first is what the platforms promise; sorting costs nothing and guards a platform that does not.
    return [...posts].sort((a, b) => Date.parse(b.at) - Date.parse(a.at))[0];
  }
}
