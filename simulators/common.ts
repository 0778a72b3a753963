/**
 * Shared machinery of the platform simulators: an HTTP server per platform on loopback, a
 * recorder of every accepted publication, fault injection (seeded, reproducible), a shiftable
 * clock, token bookkeeping and small parsers (JSON, forms, multipart, media magic bytes).
 *
 * Every simulator also serves the control API under `/__sim/` (never subject to faults):
 *   GET  /__sim/health        GET  /__sim/publications   POST /__sim/reset
 *   GET  /__sim/faults        POST /__sim/faults         DELETE /__sim/faults
 *   GET  /__sim/clock         POST /__sim/clock          GET  /__sim/requests
 * See simulators/README.md for the formats.
 */
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { SIMULATED_PLATFORMS, type SimulatedPlatform } from '../adapters/declarations.js';

/** The platforms with a simulator, as their declarations say (adapters/declarations.ts), in port order. */
export const SIMULATOR_KINDS = SIMULATED_PLATFORMS;
export type SimulatorKind = SimulatedPlatform;

export const MB = 1024 * 1024;
export const KB = 1024;

// ---------------------------------------------------------------------------------------------
// Random numbers (seedable) and ids
// ---------------------------------------------------------------------------------------------

/** mulberry32: small, fast, good enough for reproducible fault decisions. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random id characters (not seeded: ids need not be reproducible, fault decisions must be). */
export function randomId(length: number, alphabet = ID_ALPHABET): string {
  const bytes = crypto.randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Clock
// ---------------------------------------------------------------------------------------------

/** Wall clock plus an offset that tests can advance (`POST /__sim/clock`). */
export class SimClock {
  private offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  reset(): void {
    this.offsetMs = 0;
  }
  get offset(): number {
    return this.offsetMs;
  }
}

// ---------------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------------

export const FAULT_KINDS = ['http_error', 'busy', 'rate_limit', 'token_expired', 'timeout', 'slow', 'drop_response', 'never_confirm', 'async_fail'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A fault rule as written by a test or an operator (JSON). */
export interface FaultRuleInput {
  /** Path pattern: exact path, a glob with `*`, or `re:<regex>`; `*` matches every path. */
  match: string;
  /** HTTP method to match (default: any). */
  method?: string;
  kind: FaultKind;
  /** Chance that a matching request is hit (default 1). Decided with the simulator's seeded RNG. */
  probability?: number;
  /** Hit only the next N matching requests, then the rule is removed (default: unlimited). */
  count?: number;
  /** Let the first K matching requests through before the rule starts to apply. */
  skip?: number;
  /** http_error: the HTTP status (default 503). */
  status?: number;
  /** timeout: how long to hang (default 60000); slow: the added delay (default 1000). */
  delayMs?: number;
  /** timeout: do the work (side effect) before hanging (true) or never do it (false, default). */
  process?: boolean;
  /** Override of the platform error code (rate_limit, token_expired, busy, async_fail). */
  code?: number | string;
  message?: string;
  /** rate_limit: Retry-After seconds where the platform sends one (media center). */
  retryAfterSeconds?: number;
  /** token_expired: also expire the presented token for good (default true). */
  invalidate?: boolean;
  /** Free text kept with the rule (shows up in GET /__sim/faults). */
  note?: string;
}

export interface FaultRule extends Required<Pick<FaultRuleInput, 'match' | 'kind'>> {
  id: string;
  method?: string;
  probability: number;
  remaining: number | null;
  skip: number;
  hits: number;
  seen: number;
  status?: number;
  delayMs?: number;
  process?: boolean;
  code?: number | string;
  message?: string;
  retryAfterSeconds?: number;
  invalidate?: boolean;
  note?: string;
}

export class FaultRuleError extends Error {}

function compilePattern(pattern: string): (path: string) => boolean {
  if (pattern === '*' || pattern === '**') return () => true;
  if (pattern.startsWith('re:')) {
    const re = new RegExp(pattern.slice(3));
    return (p) => re.test(p);
  }
  if (pattern.includes('*')) {
    const re = new RegExp(
      '^' +
        pattern
          .split('*')
          .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*') +
        '$',
    );
    return (p) => re.test(p);
  }
  const exact = pattern.replace(/\/+$/, '');
  return (p) => p.replace(/\/+$/, '') === exact;
}

export function validateFaultRule(input: unknown): FaultRuleInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FaultRuleError('a fault rule must be a JSON object');
  }
  const r = input as Record<string, unknown>;
  if (typeof r.match !== 'string' || r.match === '') throw new FaultRuleError('fault rule: "match" (path pattern) is required');
  if (typeof r.kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(r.kind)) {
    throw new FaultRuleError(`fault rule: "kind" must be one of ${FAULT_KINDS.join(', ')}`);
  }
  if (r.match.startsWith('re:')) {
    try {
      new RegExp(r.match.slice(3));
    } catch {
      throw new FaultRuleError(`fault rule: "match" ${r.match} is not a valid regular expression`);
    }
  }
  const num = (key: string, min: number, max: number) => {
    const v = r[key];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      throw new FaultRuleError(`fault rule: "${key}" must be a number between ${min} and ${max}`);
    }
  };
  num('probability', 0, 1);
  num('count', 1, Number.MAX_SAFE_INTEGER);
  num('skip', 0, Number.MAX_SAFE_INTEGER);
  num('status', 100, 599);
  num('delayMs', 0, 3_600_000);
  num('retryAfterSeconds', 0, 86_400);
  if (r.method !== undefined && typeof r.method !== 'string') throw new FaultRuleError('fault rule: "method" must be a string');
  if (r.process !== undefined && typeof r.process !== 'boolean') throw new FaultRuleError('fault rule: "process" must be true or false');
  if (r.invalidate !== undefined && typeof r.invalidate !== 'boolean') throw new FaultRuleError('fault rule: "invalidate" must be true or false');
  if (r.code !== undefined && typeof r.code !== 'number' && typeof r.code !== 'string')
    throw new FaultRuleError('fault rule: "code" must be a number or string');
  return r as unknown as FaultRuleInput;
}

/** Decides, per request, which fault (if any) applies. One fault at most per request. */
export class FaultEngine {
  private rules: FaultRule[] = [];
  private matchers = new Map<string, (p: string) => boolean>();
  private rng: () => number;
  private nextId = 1;
  private seedValue: number;

  constructor(seed: number) {
    this.seedValue = seed;
    this.rng = seededRandom(seed);
  }

  get seed(): number {
    return this.seedValue;
  }

  reseed(seed: number): void {
    this.seedValue = seed;
    this.rng = seededRandom(seed);
  }

  add(input: FaultRuleInput): FaultRule {
    const valid = validateFaultRule(input);
    const rule: FaultRule = {
      id: `f${this.nextId++}`,
      match: valid.match,
      kind: valid.kind,
      method: valid.method?.toUpperCase(),
      probability: valid.probability ?? 1,
      remaining: valid.count ?? null,
      skip: valid.skip ?? 0,
      hits: 0,
      seen: 0,
      status: valid.status,
      delayMs: valid.delayMs,
      process: valid.process,
      code: valid.code,
      message: valid.message,
      retryAfterSeconds: valid.retryAfterSeconds,
      invalidate: valid.invalidate,
      note: valid.note,
    };
    this.matchers.set(rule.id, compilePattern(rule.match));
    this.rules.push(rule);
    return rule;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  clear(): void {
    this.rules = [];
    this.matchers.clear();
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    this.matchers.delete(id);
    return this.rules.length !== before;
  }

  /** Returns the fault to apply to this request, consuming counts. */
  select(method: string, path: string): FaultRule | undefined {
    for (const rule of this.rules) {
      if (rule.method && rule.method !== method.toUpperCase()) continue;
      if (!this.matchers.get(rule.id)?.(path)) continue;
      rule.seen++;
      if (rule.skip > 0) {
        rule.skip--;
        continue;
      }
      if (rule.probability < 1 && this.rng() >= rule.probability) continue;
      rule.hits++;
      const applied = { ...rule };
      if (rule.remaining !== null) {
        rule.remaining--;
        if (rule.remaining <= 0) this.remove(rule.id);
      }
      return applied;
    }
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Publications (what tests inspect to prove exactly-once delivery)
// ---------------------------------------------------------------------------------------------

export type PublicationState = 'processing' | 'published' | 'failed' | 'deleted';

export interface PublicationItem {
  index: number;
  title?: string;
  body?: string;
  url?: string;
  links: string[];
  media: string[];
  deleted: boolean;
  extra?: Record<string, unknown>;
}

export interface PublicationView {
  platform: SimulatorKind;
  /** The platform's primary id of the published thing (article_id, weibo id, item_id, bvid, ...). */
  id: string;
  /** Every id the platform handed out for it (publish_id, media_id, upload ids, ...). */
  ids: Record<string, string>;
  account?: string;
  state: PublicationState;
  /** The platform's own status value (e.g. WeChat publish_status, Bilibili state). */
  platformStatus?: number | string;
  title?: string;
  body?: string;
  url?: string;
  links: string[];
  media: string[];
  items: PublicationItem[];
  idempotencyKey?: string;
  deleted: boolean;
  /** Faults that touched the request creating it (e.g. "drop_response"). */
  faults: FaultKind[];
  createdAt: string;
  updatedAt: string;
  publishedAt?: string;
  deletedAt?: string;
  extra: Record<string, unknown>;
}

export interface PublicationInput {
  id: string;
  ids?: Record<string, string>;
  account?: string;
  title?: string;
  body?: string;
  url?: string;
  links?: string[];
  media?: string[];
  items?: Omit<PublicationItem, 'deleted'>[];
  idempotencyKey?: string;
  extra?: Record<string, unknown>;
  /** When the asynchronous processing finishes (epoch ms); default: now + publishDelayMs. */
  readyAt?: number;
  outcome?: PublicationOutcome;
  faults?: FaultKind[];
}

export type PublicationOutcome = { type: 'success' } | { type: 'never' } | { type: 'fail'; code?: number | string; message?: string };

export interface PublicationRecord extends Omit<PublicationView, 'state' | 'publishedAt' | 'updatedAt' | 'items'> {
  items: PublicationItem[];
  readyAt: number;
  outcome: PublicationOutcome;
  createdMs: number;
  updatedMs: number;
  deletedMs?: number;
}

export class PublicationStore {
  private records = new Map<string, PublicationRecord>();
  private order: string[] = [];
  constructor(
    private readonly kind: SimulatorKind,
    private readonly clock: SimClock,
    private readonly defaultDelayMs: () => number,
  ) {}

  create(input: PublicationInput): PublicationRecord {
    const now = this.clock.now();
    const items: PublicationItem[] = (input.items ?? []).map((i) => ({ ...i, deleted: false }));
    const rec: PublicationRecord = {
      platform: this.kind,
      id: input.id,
      ids: { ...(input.ids ?? {}) },
      account: input.account,
      title: input.title ?? items[0]?.title,
      body: input.body ?? items[0]?.body,
      url: input.url,
      links: input.links ?? items.flatMap((i) => i.links),
      media: input.media ?? items.flatMap((i) => i.media),
      items,
      idempotencyKey: input.idempotencyKey,
      deleted: false,
      faults: input.faults ?? [],
      createdAt: new Date(now).toISOString(),
      createdMs: now,
      updatedMs: now,
      extra: { ...(input.extra ?? {}) },
      readyAt: input.readyAt ?? now + this.defaultDelayMs(),
      outcome: input.outcome ?? { type: 'success' },
    };
    this.records.set(rec.id, rec);
    this.order.push(rec.id);
    return rec;
  }

  get(id: string): PublicationRecord | undefined {
    return this.records.get(id);
  }

  /** Re-key a record (e.g. WeChat: publish_id known first, article_id once published). */
  rekey(oldId: string, newId: string): void {
    const rec = this.records.get(oldId);
    if (!rec || oldId === newId) return;
    this.records.delete(oldId);
    rec.id = newId;
    this.records.set(newId, rec);
    this.order = this.order.map((id) => (id === oldId ? newId : id));
  }

  all(): PublicationRecord[] {
    return this.order.map((id) => this.records.get(id)!).filter(Boolean);
  }

  find(pred: (r: PublicationRecord) => boolean): PublicationRecord | undefined {
    return this.all().find(pred);
  }

  touch(rec: PublicationRecord): void {
    rec.updatedMs = this.clock.now();
  }

  markDeleted(rec: PublicationRecord): void {
    if (rec.deleted) return;
    const now = this.clock.now();
    rec.deleted = true;
    rec.deletedMs = now;
    rec.deletedAt = new Date(now).toISOString();
    for (const item of rec.items) item.deleted = true;
    rec.updatedMs = now;
  }

  /** The asynchronous state, computed from the clock (no timers). */
  stateOf(rec: PublicationRecord): PublicationState {
    if (rec.deleted) return 'deleted';
    if (rec.outcome.type === 'never') return 'processing';
    if (this.clock.now() < rec.readyAt) return 'processing';
    return rec.outcome.type === 'fail' ? 'failed' : 'published';
  }

  /** Whether processing finished (successfully or not), regardless of deletion. */
  settled(rec: PublicationRecord): 'processing' | 'published' | 'failed' {
    if (rec.outcome.type === 'never' || this.clock.now() < rec.readyAt) return 'processing';
    return rec.outcome.type === 'fail' ? 'failed' : 'published';
  }

  view(rec: PublicationRecord, platformStatus?: number | string): PublicationView {
    const settled = this.settled(rec);
    const { readyAt: _r, outcome: _o, createdMs: _c, updatedMs, deletedMs: _d, ...rest } = rec;
    return {
      ...rest,
      items: rec.items.map((i) => ({ ...i, links: [...i.links], media: [...i.media] })),
      state: this.stateOf(rec),
      platformStatus,
      updatedAt: new Date(Math.max(updatedMs, settled === 'processing' ? 0 : rec.readyAt)).toISOString(),
      publishedAt: settled === 'published' ? new Date(rec.readyAt).toISOString() : undefined,
    };
  }

  clear(): void {
    this.records.clear();
    this.order = [];
  }
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Request log (paths only: query strings carry tokens and are never stored)
// ---------------------------------------------------------------------------------------------

export interface RequestLogEntry {
  at: string;
  method: string;
  path: string;
  status?: number;
  fault?: FaultKind;
  dropped?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Body parsing helpers
// ---------------------------------------------------------------------------------------------

export function rawBody(req: FastifyRequest): Buffer {
  const b = req.body;
  return Buffer.isBuffer(b) ? b : Buffer.alloc(0);
}

export function contentType(req: FastifyRequest): string {
  return String(req.headers['content-type'] ?? '').toLowerCase();
}

/** Parses the body as JSON whatever the declared content type (platforms are lenient there). */
export function jsonBody(req: FastifyRequest): { ok: true; value: unknown } | { ok: false; empty: boolean } {
  const buf = rawBody(req);
  const text = buf.toString('utf8').trim();
  if (text === '') return { ok: false, empty: true };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, empty: false };
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function formBody(req: FastifyRequest): Record<string, string> {
  if (!contentType(req).startsWith('application/x-www-form-urlencoded')) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawBody(req).toString('utf8'))) out[k] = v;
  return out;
}

/** The token Douyin and Bilibili read from the `access-token` header, or `?access_token=`. */
export function accessTokenHeaderOrQuery(req: FastifyRequest): string | undefined {
  const h = req.headers['access-token'];
  return (Array.isArray(h) ? h[0] : h) ?? queryParams(req).access_token;
}

export function queryParams(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  const q = req.query as Record<string, unknown> | undefined;
  if (!q) return out;
  for (const [k, v] of Object.entries(q)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && typeof v[0] === 'string') out[k] = v[0];
  }
  return out;
}

export interface MultipartFile {
  field: string;
  filename: string;
  mimetype: string;
  data: Buffer;
}

export interface MultipartBody {
  fields: Record<string, string>;
  files: MultipartFile[];
}

/**
 * A small multipart/form-data parser over the buffered body. Returns null when the request is
 * not multipart, 'malformed' when the body cannot be parsed.
 */
export function multipartBody(req: FastifyRequest): MultipartBody | null | 'malformed' {
  const ct = String(req.headers['content-type'] ?? '');
  if (!/^multipart\/form-data/i.test(ct)) return null;
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(ct);
  const boundary = m?.[1] ?? m?.[2]?.trim();
  if (!boundary) return 'malformed';
  const body = rawBody(req);
  const delim = Buffer.from(`--${boundary}`);
  const out: MultipartBody = { fields: {}, files: [] };
  let pos = body.indexOf(delim);
  if (pos < 0) return 'malformed';
  for (;;) {
    pos += delim.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // closing "--"
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) return 'malformed';
    const headerText = body.subarray(pos, headerEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), headerEnd + 4);
    if (next < 0) return 'malformed';
    const data = body.subarray(headerEnd + 4, next);
    const headers: Record<string, string> = {};
    for (const line of headerText.split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const disp = headers['content-disposition'] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disp)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disp)?.[1];
    if (name !== undefined) {
      if (filename !== undefined) {
        out.files.push({ field: name, filename, mimetype: headers['content-type'] ?? 'application/octet-stream', data: Buffer.from(data) });
      } else {
        out.fields[name] = data.toString('utf8');
      }
    }
    pos = next + 2;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Media sniffing (magic bytes, image dimensions) — no decoding libraries
// ---------------------------------------------------------------------------------------------

export type MediaType = 'jpeg' | 'png' | 'gif' | 'bmp' | 'webp' | 'mp4' | 'webm' | 'flv' | 'mp3' | 'wav' | 'amr' | 'wma' | 'unknown';

export function sniffMedia(data: Buffer): MediaType {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpeg';
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (data.length >= 6 && (data.subarray(0, 6).toString('latin1') === 'GIF87a' || data.subarray(0, 6).toString('latin1') === 'GIF89a')) return 'gif';
  if (data.length >= 2 && data[0] === 0x42 && data[1] === 0x4d) return 'bmp';
  if (data.length >= 12 && data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  if (data.length >= 12 && data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WAVE') return 'wav';
  if (data.length >= 8 && data.subarray(4, 8).toString('latin1') === 'ftyp') return 'mp4';
  if (data.length >= 4 && data[0] === 0x1a && data[1] === 0x45 && data[2] === 0xdf && data[3] === 0xa3) return 'webm';
  if (data.length >= 3 && data.subarray(0, 3).toString('latin1') === 'FLV') return 'flv';
  if (data.length >= 3 && data.subarray(0, 3).toString('latin1') === 'ID3') return 'mp3';
  if (data.length >= 2 && data[0] === 0xff && (data[1]! & 0xe0) === 0xe0) return 'mp3';
  if (data.length >= 5 && data.subarray(0, 5).toString('latin1') === '#!AMR') return 'amr';
  if (data.length >= 4 && data[0] === 0x30 && data[1] === 0x26 && data[2] === 0xb2 && data[3] === 0x75) return 'wma';
  return 'unknown';
}

/** Width and height from a JPEG (SOFn segment), PNG (IHDR) or GIF header; undefined if unreadable. */
export function imageSize(data: Buffer): { width: number; height: number } | undefined {
  const type = sniffMedia(data);
  if (type === 'png') {
    if (data.length < 24 || data.subarray(12, 16).toString('latin1') !== 'IHDR') return undefined;
    return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  }
  if (type === 'gif') {
    if (data.length < 10) return undefined;
    return { width: data.readUInt16LE(6), height: data.readUInt16LE(8) };
  }
  if (type === 'jpeg') {
    let pos = 2;
    while (pos + 4 <= data.length) {
      if (data[pos] !== 0xff) return undefined;
      let marker = data[pos + 1]!;
      while (marker === 0xff && pos + 2 < data.length) {
        pos++;
        marker = data[pos + 1]!;
      }
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        pos += 2;
        continue;
      }
      if (marker === 0xd9 || marker === 0xda) return undefined;
      const len = data.readUInt16BE(pos + 2);
      const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isSof) {
        if (pos + 9 > data.length) return undefined;
        return { height: data.readUInt16BE(pos + 5), width: data.readUInt16BE(pos + 7) };
      }
      pos += 2 + len;
    }
  }
  return undefined;
}

/** Length in characters (code points), the way the platforms count titles. */
export function charLength(s: string): number {
  return [...s].length;
}

/** Seconds a client declared for a media file (simulator extension; see README). */
export function declaredDuration(req: FastifyRequest, fields: Record<string, string> = {}): number | undefined {
  const raw = req.headers['x-media-duration'] ?? fields['duration'];
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

// ---------------------------------------------------------------------------------------------
// The simulator server
// ---------------------------------------------------------------------------------------------

/** Generic conditions each platform renders in its own error format. */
export type GenericCondition = 'rate_limit' | 'token_expired' | 'busy' | 'server_error' | 'too_large' | 'bad_request' | 'not_found' | 'unsupported_media';

export interface RenderedError {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface CommonSimulatorOptions {
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 0 = ephemeral). */
  port?: number;
  /** Accepted app credentials { appId: secret }; default: any app id with a non-empty secret. */
  credentials?: Record<string, string>;
  /** Fault rules active from the start. */
  faults?: FaultRuleInput[];
  /** Seed of the fault RNG (default 1). */
  seed?: number;
  /** How long asynchronous publishing/review takes (default 300 ms). */
  publishDelayMs?: number;
  /** Base URL used in links the simulator hands out (default: its own http://host:port). */
  publicUrl?: string;
  /** Called once per request with method, path (no query string), status and fault. */
  onRequest?: (entry: RequestLogEntry) => void;
}

export interface SimContext {
  readonly kind: SimulatorKind;
  readonly clock: SimClock;
  readonly faults: FaultEngine;
  readonly publications: PublicationStore;
  readonly tokens: TokenStore;
  readonly credentials: CredentialBook;
  readonly options: CommonSimulatorOptions;
  /** Base URL (available once listening). */
  baseUrl(): string;
  /** host:port (available once listening). */
  hostPort(): string;
  publishDelayMs(): number;
  /** The fault applied to this request, if any. */
  faultOf(req: FastifyRequest): FaultRule | undefined;
  /** The asynchronous outcome a publish request must get (never_confirm / async_fail faults). */
  outcomeFor(req: FastifyRequest): PublicationOutcome;
  /** Fault kinds to record with a publication created by this request. */
  faultKindsFor(req: FastifyRequest): FaultKind[];
  /** Next value of a per-simulator counter. */
  counter(name: string, start?: number): number;
  sleep(ms: number): Promise<void>;
}

export interface PlatformDefinition<P> {
  kind: SimulatorKind;
  /** Creates (or recreates, on reset) the platform's own state. */
  createState(ctx: SimContext): P;
  routes(app: FastifyInstance, ctx: SimContext, state: () => P): void;
  /** Renders a generic condition in the platform's error format. */
  render(
    cond: GenericCondition,
    req: FastifyRequest,
    ctx: SimContext,
    extra?: { code?: number | string; message?: string; retryAfterSeconds?: number },
  ): RenderedError;
  /** Extract the credential presented by a request (for the token_expired fault). */
  presentedToken?(req: FastifyRequest): string | undefined;
  /** The platform's view of a publication (platform status), for /__sim/publications. */
  platformStatus?(rec: PublicationRecord, ctx: SimContext, state: P): number | string | undefined;
  /** Largest request body accepted at all (default 64 MB); finer limits are checked by routes. */
  bodyLimit?: number;
}

export interface SimulatorHandle<P = unknown> {
  kind: SimulatorKind;
  url: string;
  port: number;
  close(): Promise<void>;
  state: SimulatorStateApi<P>;
}

export interface SimulatorStateApi<P> {
  /** Every accepted publication, with its current asynchronous state. */
  publications(): PublicationView[];
  reset(opts?: { keepFaults?: boolean }): void;
  addFault(rule: FaultRuleInput): FaultRule;
  faults(): FaultRule[];
  clearFaults(): void;
  advanceClock(ms: number): void;
  requests(): RequestLogEntry[];
  /** Platform internals, for white-box assertions. */
  platform(): P;
  context: SimContext;
}

declare module 'fastify' {
  interface FastifyRequest {
    simFault?: FaultRule;
  }
}

const REQUEST_LOG_LIMIT = 2000;

export async function launchSimulator<P>(def: PlatformDefinition<P>, options: CommonSimulatorOptions = {}): Promise<SimulatorHandle<P>> {
  const clock = new SimClock();
  const faults = new FaultEngine(options.seed ?? 1);
  const counters = new Map<string, number>();
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let closing = false;
  let base = '';
  let hostPortValue = '';
  let requestLog: RequestLogEntry[] = [];
  const delayMs = () => options.publishDelayMs ?? 300;

  const ctx: SimContext = {
    kind: def.kind,
    clock,
    faults,
    publications: new PublicationStore(def.kind, clock, delayMs),
    tokens: new TokenStore(clock),
    credentials: new CredentialBook(options.credentials),
    options,
    baseUrl: () => options.publicUrl?.replace(/\/+$/, '') ?? base,
    hostPort: () => hostPortValue,
    publishDelayMs: delayMs,
    faultOf: (req) => req.simFault,
    outcomeFor: (req) => {
      const f = req.simFault;
      if (f?.kind === 'never_confirm') return { type: 'never' };
      if (f?.kind === 'async_fail') return { type: 'fail', code: f.code, message: f.message };
      return { type: 'success' };
    },
    faultKindsFor: (req) => (req.simFault ? [req.simFault.kind] : []),
    counter: (name, start = 1) => {
      const v = counters.get(name) ?? start;
      counters.set(name, v + 1);
      return v;
    },
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        if (closing || ms <= 0) return resolve();
        const entry = {
          resolve: () => {
            timers.delete(entry);
            resolve();
          },
          timer: setTimeout(() => entry.resolve(), ms),
        };
        timers.add(entry);
      }),
  };

  for (const rule of options.faults ?? []) faults.add(rule);

  let platformState = def.createState(ctx);
  const getState = () => platformState;

  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: def.bodyLimit ?? 64 * MB, routerOptions: { maxParamLength: 500 } });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const log = (entry: RequestLogEntry) => {
    requestLog.push(entry);
    if (requestLog.length > REQUEST_LOG_LIMIT) requestLog = requestLog.slice(-REQUEST_LOG_LIMIT);
    try {
      options.onRequest?.(entry);
    } catch {
      /* a logging callback must never break the simulator */
    }
  };

  const pathOf = (req: FastifyRequest) => req.url.split('?')[0] ?? req.url;

  app.addHook('onRequest', async (req) => {
    // Platforms accept bodies without a content type (e.g. JSON posted as text).
    if (req.method !== 'GET' && req.method !== 'HEAD' && !req.headers['content-type']) {
      req.headers['content-type'] = 'application/octet-stream';
    }
    const path = pathOf(req);
    if (path.startsWith('/__sim/')) return;
    req.simFault = faults.select(req.method, path);
  });

  app.addHook('preHandler', async (req, reply) => {
    const f = req.simFault;
    if (!f) return;
    switch (f.kind) {
      case 'slow':
        await ctx.sleep(f.delayMs ?? 1000);
        return;
      case 'timeout':
        if (f.process) return; // work happens now; the response is held back in onSend
        await ctx.sleep(f.delayMs ?? 60_000);
        reply.hijack();
        req.raw.socket?.destroy();
        log({ at: new Date(clock.now()).toISOString(), method: req.method, path: pathOf(req), fault: f.kind, dropped: true });
        return reply;
      case 'http_error': {
        const status = f.status ?? 503;
        const r = def.render(status >= 500 ? 'server_error' : 'bad_request', req, ctx, { code: f.code, message: f.message });
        return reply
          .code(status)
          .headers(r.headers ?? {})
          .send(r.body);
      }
      case 'busy':
      case 'rate_limit': {
        const r = def.render(f.kind, req, ctx, { code: f.code, message: f.message, retryAfterSeconds: f.retryAfterSeconds });
        return reply
          .code(r.status)
          .headers(r.headers ?? {})
          .send(r.body);
      }
      case 'token_expired': {
        const token = def.presentedToken?.(req);
        if (token && f.invalidate !== false) ctx.tokens.expire(token);
        const r = def.render('token_expired', req, ctx, { code: f.code, message: f.message });
        return reply
          .code(r.status)
          .headers(r.headers ?? {})
          .send(r.body);
      }
      default:
        return; // drop_response / never_confirm / async_fail act in the handler or onSend
    }
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const f = req.simFault;
    if (f?.kind === 'drop_response') {
      req.raw.socket?.destroy();
      log({ at: new Date(clock.now()).toISOString(), method: req.method, path: pathOf(req), status: reply.statusCode, fault: f.kind, dropped: true });
      return payload;
    }
    if (f?.kind === 'timeout' && f.process) {
      await ctx.sleep(f.delayMs ?? 60_000);
      req.raw.socket?.destroy();
      log({ at: new Date(clock.now()).toISOString(), method: req.method, path: pathOf(req), status: reply.statusCode, fault: f.kind, dropped: true });
      return payload;
    }
    return payload;
  });

  app.addHook('onResponse', async (req, reply) => {
    const path = pathOf(req);
    if (path.startsWith('/__sim/')) return;
    const f = req.simFault;
    if (f?.kind === 'drop_response' || (f?.kind === 'timeout' && f.process)) return; // logged in onSend
    log({ at: new Date(clock.now()).toISOString(), method: req.method, path, status: reply.statusCode, fault: f?.kind });
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = err.statusCode ?? 500;
    const cond: GenericCondition =
      status === 413 ? 'too_large' : status === 415 ? 'unsupported_media' : status === 404 ? 'not_found' : status >= 500 ? 'server_error' : 'bad_request';
    const r = def.render(cond, req, ctx, { message: err.message });
    reply
      .code(r.status)
      .headers(r.headers ?? {})
      .send(r.body);
  });

  app.setNotFoundHandler((req, reply) => {
    const r = def.render('not_found', req, ctx, { message: `no such endpoint: ${req.method} ${pathOf(req)}` });
    reply
      .code(r.status)
      .headers(r.headers ?? {})
      .send(r.body);
  });

  // ---- control API ------------------------------------------------------------------------
  const publicationsView = (): PublicationView[] =>
    ctx.publications.all().map((rec) => ctx.publications.view(rec, def.platformStatus?.(rec, ctx, platformState)));

  const reset = (opts: { keepFaults?: boolean } = {}) => {
    ctx.publications.clear();
    (ctx as { tokens: TokenStore }).tokens = new TokenStore(clock);
    ctx.credentials.resetLearned();
    counters.clear();
    requestLog = [];
    clock.reset();
    if (!opts.keepFaults) {
      faults.clear();
      faults.reseed(options.seed ?? 1);
    }
    platformState = def.createState(ctx);
  };

  app.get('/__sim/health', async () => ({
    ok: true,
    kind: def.kind,
    url: ctx.baseUrl(),
    publications: ctx.publications.all().length,
    faults: faults.list().length,
    clockOffsetMs: clock.offset,
  }));
  app.get('/__sim/publications', async (req) => {
    const q = queryParams(req);
    let list = publicationsView();
    if (q.state) list = list.filter((p) => p.state === q.state);
    if (q.includeDeleted === 'false') list = list.filter((p) => !p.deleted);
    return { kind: def.kind, count: list.length, publications: list };
  });
  app.post('/__sim/reset', async (req) => {
    const body = jsonBody(req);
    const keepFaults = body.ok && isRecord(body.value) && body.value.keepFaults === true;
    reset({ keepFaults });
    return { ok: true };
  });
  app.get('/__sim/faults', async () => ({ seed: faults.seed, rules: faults.list() }));
  app.post('/__sim/faults', async (req, reply) => {
    const body = jsonBody(req);
    if (!body.ok) return reply.code(400).send({ error: 'body must be JSON: a rule, an array of rules, or { rules, seed, replace }' });
    const v = body.value;
    let rules: unknown[];
    let seed: unknown;
    let replace = false;
    if (Array.isArray(v)) rules = v;
    else if (isRecord(v) && ('rules' in v || 'seed' in v || 'replace' in v)) {
      rules = Array.isArray(v.rules) ? v.rules : v.rules === undefined ? [] : [v.rules];
      seed = v.seed;
      replace = v.replace === true;
    } else rules = [v];
    try {
      const validated = rules.map(validateFaultRule);
      if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed))) throw new FaultRuleError('"seed" must be an integer');
      if (replace) faults.clear();
      if (typeof seed === 'number') faults.reseed(seed);
      const added = validated.map((r) => faults.add(r));
      return { ok: true, added, seed: faults.seed, rules: faults.list() };
    } catch (e) {
      return reply.code(400).send({ error: (e as Error).message });
    }
  });
  app.delete('/__sim/faults', async (req) => {
    const q = queryParams(req);
    if (q.id) return { ok: faults.remove(q.id), rules: faults.list() };
    faults.clear();
    return { ok: true, rules: [] };
  });
  app.get('/__sim/clock', async () => ({ now: new Date(clock.now()).toISOString(), offsetMs: clock.offset }));
  app.post('/__sim/clock', async (req, reply) => {
    const body = jsonBody(req);
    const v = body.ok && isRecord(body.value) ? body.value : {};
    const ms = typeof v.advanceMs === 'number' ? v.advanceMs : typeof v.advanceSeconds === 'number' ? v.advanceSeconds * 1000 : undefined;
    if (ms === undefined || !Number.isFinite(ms) || ms < 0)
      return reply.code(400).send({ error: 'give { "advanceSeconds": n } or { "advanceMs": n } (n >= 0)' });
    clock.advance(ms);
    return { now: new Date(clock.now()).toISOString(), offsetMs: clock.offset };
  });
  app.get('/__sim/requests', async () => ({ requests: requestLog }));

  def.routes(app, ctx, getState);

  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 0 });
  const addr = app.server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  base = `http://${urlHost}:${addr.port}`;
  hostPortValue = `${urlHost}:${addr.port}`;

  return {
    kind: def.kind,
    url: base,
    port: addr.port,
    close: async () => {
      closing = true;
      for (const t of [...timers]) {
        clearTimeout(t.timer);
        t.resolve();
      }
      await app.close();
    },
    state: {
      publications: publicationsView,
      reset,
      addFault: (rule) => faults.add(rule),
      faults: () => faults.list(),
      clearFaults: () => faults.clear(),
      advanceClock: (ms) => clock.advance(ms),
      requests: () => [...requestLog],
      platform: getState,
      context: ctx,
    },
  };
}

/** Sends a rendered error. */
export function sendError(reply: FastifyReply, r: RenderedError): FastifyReply {
  return reply
    .code(r.status)
    .headers(r.headers ?? {})
    .send(r.body);
}

/** Strips HTML tags and collapses whitespace (for digests and text lengths). */
export function htmlToText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/gi, '')
    .replace(/<style[\s\S]*?<\/style>/gi, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** All http(s) URLs in a text or HTML fragment (href/src attributes and bare links). */
export function extractLinks(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/https?:\/\/[^\s"'<>)\]]+/gi)) out.add(m[0]);
  return [...out];
}

/** A minimal HTML page for the public URLs simulators hand out (so link checks work locally). */
export function htmlPage(title: string, bodyHtml: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1>${bodyHtml}</body></html>`;
}
