// Simulated platform credentials: the token store (issued, expired, revoked tokens) and the book of accepted app ids and secrets.
import crypto from 'node:crypto';
import { SimClock, randomId } from './clock.js';

export interface TokenRecord {
  token: string;
  /** Who the token belongs to (appid, open_id, ...). */
  subject: string;
  /** A namespace (e.g. WeChat "basic" vs "stable" tokens never affect each other). */
  space: string;
  issuedAt: number;
  expiresAt: number;
  /** Superseded by a newer token: still valid until this time (grace), then "revoked". */
  supersededUntil?: number;
  revoked: boolean;
  data: Record<string, string>;
}

export type TokenCheck = { ok: true; record: TokenRecord } | { ok: false; reason: 'missing' | 'unknown' | 'expired' | 'revoked'; record?: TokenRecord };

export class TokenStore {
  private byToken = new Map<string, TokenRecord>();
  constructor(private readonly clock: SimClock) {}

  issue(opts: { subject: string; space: string; ttlSeconds: number; prefix?: string; length?: number; data?: Record<string, string> }): TokenRecord {
    const now = this.clock.now();
    const rec: TokenRecord = {
      token: (opts.prefix ?? '') + randomId(opts.length ?? 48),
      subject: opts.subject,
      space: opts.space,
      issuedAt: now,
      expiresAt: now + opts.ttlSeconds * 1000,
      revoked: false,
      data: { ...(opts.data ?? {}) },
    };
    this.byToken.set(rec.token, rec);
    return rec;
  }

  /** Current valid tokens of a subject in a space, newest first. */
  current(subject: string, space: string): TokenRecord[] {
    const now = this.clock.now();
    return [...this.byToken.values()]
      .filter(
        (r) => r.subject === subject && r.space === space && !r.revoked && r.expiresAt > now && (r.supersededUntil === undefined || r.supersededUntil > now),
      )
      .sort((a, b) => b.issuedAt - a.issuedAt);
  }

  /** Mark every token of subject/space as superseded, usable for `graceSeconds` more. */
  supersede(subject: string, space: string, graceSeconds: number, except?: string): void {
    const until = this.clock.now() + graceSeconds * 1000;
    for (const r of this.byToken.values()) {
      if (r.subject !== subject || r.space !== space || r.token === except || r.revoked) continue;
      if (graceSeconds <= 0) r.revoked = true;
      else r.supersededUntil = Math.min(r.supersededUntil ?? Infinity, until);
    }
  }

  check(token: string | undefined | null, space?: string | string[]): TokenCheck {
    if (!token) return { ok: false, reason: 'missing' };
    const rec = this.byToken.get(token);
    const spaces = space === undefined ? undefined : Array.isArray(space) ? space : [space];
    if (!rec || (spaces && !spaces.includes(rec.space))) return { ok: false, reason: 'unknown' };
    const now = this.clock.now();
    if (rec.revoked) return { ok: false, reason: 'revoked', record: rec };
    if (rec.supersededUntil !== undefined && rec.supersededUntil <= now) return { ok: false, reason: 'revoked', record: rec };
    if (rec.expiresAt <= now) return { ok: false, reason: 'expired', record: rec };
    return { ok: true, record: rec };
  }

  /** Force expiry (token_expired fault): the token stops working now. */
  expire(token: string): void {
    const rec = this.byToken.get(token);
    if (rec) rec.expiresAt = Math.min(rec.expiresAt, this.clock.now());
  }

  revoke(token: string): void {
    const rec = this.byToken.get(token);
    if (rec) rec.revoked = true;
  }

  find(pred: (r: TokenRecord) => boolean): TokenRecord | undefined {
    for (const r of this.byToken.values()) if (pred(r)) return r;
    return undefined;
  }

  remainingSeconds(rec: TokenRecord): number {
    const until = Math.min(rec.expiresAt, rec.supersededUntil ?? Infinity);
    return Math.max(0, Math.floor((until - this.clock.now()) / 1000));
  }
}

// ---------------------------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------------------------

/**
 * App credentials. With a configured map, only those app ids with their exact secrets are
 * accepted; without one, any app id with any non-empty secret is (the first secret seen for an
 * app id is remembered, so signatures can be checked later). Secrets are never logged or
 * returned by the control API.
 */
export class CredentialBook {
  private learned = new Map<string, string>();
  constructor(private readonly configured?: Record<string, string>) {}

  check(appId: string | undefined, secret: string | undefined): 'ok' | 'missing_app' | 'missing_secret' | 'unknown_app' | 'bad_secret' {
    if (!appId) return 'missing_app';
    if (!secret) return 'missing_secret';
    if (this.configured) {
      if (!(appId in this.configured)) return 'unknown_app';
      return timingSafeEqualStr(this.configured[appId]!, secret) ? 'ok' : 'bad_secret';
    }
    const seen = this.learned.get(appId);
    if (seen !== undefined && !timingSafeEqualStr(seen, secret)) return 'bad_secret';
    this.learned.set(appId, secret);
    return 'ok';
  }

  knownApp(appId: string): boolean {
    return this.configured ? appId in this.configured : true;
  }

  secretOf(appId: string): string | undefined {
    return this.configured ? this.configured[appId] : this.learned.get(appId);
  }

  resetLearned(): void {
    this.learned.clear();
  }
}

export function timingSafeEqualStr(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

/** A refresh token from configuration (a deployment's one-time OAuth authorization), not issued by the token store. */
export interface PreissuedRefresh {
  /** The client (app) id the token was issued to, whatever the platform calls it. */
  clientId: string;
  openId: string;
  expiresAt: number;
  revoked: boolean;
}

/**
 * Refresh tokens a deployment held before the simulator started, each valid until `expiresAt`
 * and until it is used once; `clientIdOf` reads the platform's client id field (clientKey,
 * clientId, appId), `openIdOf` gives a token's user.
 */
export function preissuedRefreshTokens<P extends { openId?: string }>(
  tokens: Record<string, P> | undefined,
  clientIdOf: (p: P) => string,
  openIdOf: (p: P) => string,
  expiresAt: number,
): Map<string, PreissuedRefresh> {
  return new Map(
    Object.entries(tokens ?? {}).map(([token, p]) => [token, { clientId: clientIdOf(p), openId: p.openId ?? openIdOf(p), expiresAt, revoked: false }]),
  );
}
