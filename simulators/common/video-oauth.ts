// What the three video simulators (Douyin, Kuaishou, Bilibili) share: OAuth code exchange, user and refresh tokens (issued here or configured), and the record of a published video.
import type { FastifyRequest } from 'fastify';
import { preissuedRefreshTokens, type PreissuedRefresh, type TokenRecord } from './credentials.js';
import type { SimContext } from './launcher.js';
import { extractLinks } from './html.js';

/** Options every video simulator takes; `Client` names the platform's client id field. */
export interface VideoOAuthOptions<Client extends object> {
  /** User access token lifetime (platform default when not given). */
  accessTokenTtlSeconds?: number;
  /** Refresh token lifetime (platform default when not given). */
  refreshTokenTtlSeconds?: number;
  /** The user a code maps to when it names none (`user:<name>:...` codes choose one). */
  defaultUser?: string;
  /**
   * Refresh tokens issued before the simulator started, as a deployment holds one from a one-time
   * OAuth authorization (configuration): `{ "<refresh token>": { <client id field>, openId?, user? } }`.
   * Each is valid for `refreshTokenTtlSeconds` from the start (again after a reset) until it is
   * rotated or renewed like any other; `openId` defaults to the open_id of `user` (default
   * `defaultUser`) for that client, as a code would give.
   */
  refreshTokens?: Record<string, Client & { openId?: string; user?: string }>;
}

/** The accounts part of a video simulator's state. */
export interface VideoAccounts {
  preissued: Map<string, PreissuedRefresh>;
  usedCodes: Set<string>;
}

/** How one platform shapes its tokens and open_ids. */
export interface VideoOAuthSetup<Client extends object> {
  /** The name of the client id field (in configured refresh tokens and in token data). */
  clientField: keyof Client & string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  tokenLength: number;
  /** Token prefixes (Douyin: act. / rft.). */
  accessPrefix?: string;
  refreshPrefix?: string;
  /** The open_id of a user of a client. */
  openIdFor(clientId: string, user: string | undefined): string;
}

/** The user a code names (`user:<name>:...`), if any. */
export function userOfCode(code: string): string | undefined {
  return /^user:([^:]+):/.exec(code)?.[1];
}

/** Fresh accounts state (at start and after a reset). */
export function videoAccounts<Client extends object>(opts: VideoOAuthOptions<Client>, setup: VideoOAuthSetup<Client>, ctx: SimContext): VideoAccounts {
  return {
    preissued: preissuedRefreshTokens(
      opts.refreshTokens,
      (p) => String(p[setup.clientField]),
      (p) => setup.openIdFor(String(p[setup.clientField]), p.user),
      ctx.clock.now() + setup.refreshTtlSeconds * 1000,
    ),
    usedCodes: new Set(),
  };
}

/** The token operations of a video simulator's OAuth endpoints. */
export function videoOAuth<Client extends object>(ctx: SimContext, accounts: () => VideoAccounts, setup: VideoOAuthSetup<Client>) {
  const issue = (kind: 'access' | 'refresh', subject: string, clientId: string, data: Record<string, string> = {}): TokenRecord =>
    ctx.tokens.issue({
      subject,
      space: kind === 'access' ? 'user' : 'refresh',
      ttlSeconds: kind === 'access' ? setup.accessTtlSeconds : setup.refreshTtlSeconds,
      prefix: kind === 'access' ? setup.accessPrefix : setup.refreshPrefix,
      length: setup.tokenLength,
      data: { [setup.clientField]: clientId, ...data },
    });
  return {
    issue,
    /** The client id a token was issued to. */
    clientOf: (record: TokenRecord): string => record.data[setup.clientField]!,
    /** Redeems an authorization code once; the open_id it stands for, or undefined when already used. */
    redeemCode(clientId: string, code: string): string | undefined {
      if (accounts().usedCodes.has(code)) return undefined;
      accounts().usedCodes.add(code);
      return setup.openIdFor(clientId, userOfCode(code));
    },
    /** A usable configured refresh token, or undefined (unknown, used, expired). */
    preissued(token: string): PreissuedRefresh | undefined {
      const pre = accounts().preissued.get(token);
      return pre && !pre.revoked && ctx.clock.now() < pre.expiresAt ? pre : undefined;
    },
    /**
     * Uses a refresh token of `clientId` once (issued here or configured): it stops working and
     * the open_id it was issued for is returned; undefined when it is not a live token of that client.
     */
    rotateRefresh(token: string, clientId: string): string | undefined {
      const check = ctx.tokens.check(token, 'refresh');
      if (check.ok && check.record.data[setup.clientField] === clientId) {
        ctx.tokens.revoke(check.record.token);
        return check.record.subject;
      }
      const pre = check.ok ? undefined : this.preissued(token);
      if (!pre || pre.clientId !== clientId) return undefined;
      pre.revoked = true;
      return pre.openId;
    },
  };
}

/** Records a published video: one item, its text's links, the media it was made of. */
export function recordVideo(
  ctx: SimContext,
  req: FastifyRequest,
  video: {
    id: string;
    ids: Record<string, string>;
    account: string;
    title: string;
    body: string;
    url: string;
    media: string[];
    extra: Record<string, unknown>;
  },
): void {
  const links = extractLinks(video.body);
  ctx.publications.create({
    id: video.id,
    ids: video.ids,
    account: video.account,
    title: video.title,
    body: video.body,
    url: video.url,
    links,
    media: video.media,
    items: [{ index: 1, title: video.title, body: video.body, url: video.url, links: [...links], media: video.media }],
    outcome: ctx.outcomeFor(req),
    faults: ctx.faultKindsFor(req),
    extra: video.extra,
  });
}
