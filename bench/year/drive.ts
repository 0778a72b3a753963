/**
 * The bench's clients: each takes the next planned package and does what an editor and the
 * reviewers do through the documented HTTP API — upload its photo (POST /api/media) when it has one,
 * create (POST /api/packages), submit, and one approval per review stage of its class
 * (POST /api/packages/:id/decisions), each stage by its own reviewer.
 *
 * When the release happened is read from the database the system writes (packages.released_at,
 * deliveries.live_at / submitted_at: server-side timestamps, so no polling error enters a latency),
 * with ONE cheap aggregate query per second while waiting — instead of a GET per package, which
 * would put the bench's own load on the API it measures.
 */
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import pg from 'pg';
import type { PlannedPackage } from './generate.js';
import { packageBody } from './generate.js';

interface PackageView {
  status: string;
  approvals: { stage: string; revision: number }[];
}

export interface Tokens {
  editor: string;
  /** Reviewer token per stage id (first, second, final). */
  reviewers: Map<string, string>;
}

export interface PackageRun {
  plan: PlannedPackage;
  id?: string;
  /** ms since epoch: first request of this package. */
  startedAt: number;
  /** When the final approval request was sent and when it was answered. */
  approvalSentAt?: number;
  approvalDoneAt?: number;
  error?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body.slice(0, 300)}`);
  }
}

export class Api {
  constructor(readonly baseUrl: string) {}

  /** Requests whose connection broke before an answer (then checked and, if they did not take effect, sent again). */
  readonly networkErrors = new Map<string, number>();

  async request<T>(token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new ApiError(response.status, text, `${method} ${path}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /**
   * A request that may be sent again when the connection broke before its answer (a reset under
   * load): `tookEffect` asks the API whether the first one did, so nothing is done twice.
   */
  async resilient<T>(send: () => Promise<T>, tookEffect: () => Promise<boolean>, what: string): Promise<T | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        // The first request of an idempotency key still running: ask again a little later.
        const inProgress = error instanceof ApiError && error.status === 409 && error.body.includes('idempotency_request_in_progress');
        if ((error instanceof ApiError && !inProgress) || attempt >= 4) throw error;
        if (inProgress) {
          await new Promise((r) => setTimeout(r, 500 * attempt));
          continue;
        }
        const cause = ((error as Error).cause as { code?: string } | undefined)?.code ?? (error as Error).message;
        this.networkErrors.set(`${what}: ${cause}`, (this.networkErrors.get(`${what}: ${cause}`) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 500 * attempt));
        if (await tookEffect()) return null;
      }
    }
  }

  async uploadImage(token: string, bytes: Buffer, name: string): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), name);
    return (await this.request<{ id: string }>(token, 'POST', '/api/media', form)).id;
  }
}

/** A photo of its own for each package (960×540 JPEG, its number drawn on it): distinct bytes, distinct renditions. */
export async function photoFor(seq: number): Promise<Buffer> {
  const hue = (seq * 47) % 360;
  const svg = `<svg width="960" height="540" xmlns="http://www.w3.org/2000/svg"><rect width="960" height="540" fill="hsl(${hue},45%,55%)"/><circle cx="${200 + (seq % 560)}" cy="270" r="150" fill="hsl(${(hue + 180) % 360},60%,70%)"/><text x="40" y="500" font-size="64" font-family="sans-serif" fill="#fff">${seq}</text></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 80 }).toBuffer();
}

/** Stage ids per catalogue item, from GET /api/catalogue (what a client sees). */
export async function stagesByItem(api: Api, token: string): Promise<Map<string, string[]>> {
  const { items } = await api.request<{ items: { id: string; stages: string[] }[] }>(token, 'GET', '/api/catalogue');
  return new Map(items.map((i) => [i.id, i.stages]));
}

/** One package through the API: photo, create, submit, approvals (the final one timed). */
export async function drivePackage(
  api: Api,
  tokens: Tokens,
  stages: string[],
  plan: PlannedPackage,
  /** Runs just before the final approval is sent (the time a reviewer would take), not timed. */
  beforeFinalApproval?: () => Promise<void>,
): Promise<PackageRun> {
  const run: PackageRun = { plan, startedAt: Date.now() };
  try {
    const coverId = plan.cover ? await api.uploadImage(tokens.editor, await photoFor(plan.seq), `photo-${plan.seq}.jpg`) : null;
    // An idempotency key makes a create sent again after a broken connection answer with the first package.
    const key = { 'idempotency-key': `bench-year-${plan.seq}-${randomUUID()}` };
    const body = packageBody(plan, coverId);
    const created = (await api.resilient(
      () => api.request<{ id: string; revision: number }>(tokens.editor, 'POST', '/api/packages', body, key),
      async () => false,
      'create',
    ))!;
    run.id = created.id;
    const view = () => api.request<PackageView>(tokens.editor, 'GET', `/api/packages/${created.id}`);
    await api.resilient(
      () => api.request(tokens.editor, 'POST', `/api/packages/${created.id}/submit`, {}),
      async () => (await view()).status !== 'draft',
      'submit',
    );
    for (const [i, stage] of stages.entries()) {
      const final = i === stages.length - 1;
      if (final && beforeFinalApproval) await beforeFinalApproval();
      if (final) run.approvalSentAt = Date.now();
      await api.resilient(
        () =>
          api.request(tokens.reviewers.get(stage)!, 'POST', `/api/packages/${created.id}/decisions`, {
            decision: 'approve',
            revision: created.revision,
            comment: final ? '同意发布' : '同意',
          }),
        async () => (await view()).approvals.some((a) => a.stage === stage && a.revision === created.revision),
        'decide',
      );
      if (final) run.approvalDoneAt = Date.now();
    }
  } catch (error) {
    run.error = (error as Error).message;
  }
  return run;
}

/** `clients` concurrent clients over `plans` (in plan order: a client takes the next package when done). */
export async function driveAll(
  api: Api,
  tokens: Tokens,
  stages: Map<string, string[]>,
  plans: PlannedPackage[],
  clients: number,
  progress: (done: number) => void,
): Promise<PackageRun[]> {
  const runs: PackageRun[] = new Array(plans.length);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: Math.min(clients, plans.length) }, async () => {
      while (next < plans.length) {
        const i = next++;
        const plan = plans[i]!;
        runs[i] = await drivePackage(api, tokens, stages.get(plan.catalogueItem) ?? ['first', 'second', 'final'], plan);
        progress(++done);
      }
    }),
  );
  return runs;
}

export interface DeliveryFact {
  packageId: string;
  channelId: string;
  platform: string;
  state: string;
  liveAt: number | null;
  submittedAt: number | null;
  /** The platform's id of what went out (its article, post, …), once known. */
  externalId: string | null;
}

export interface ReleaseFacts {
  releasedAt: Map<string, number>;
  deliveries: DeliveryFact[];
}

/** States in which a delivery still waits for something (the contract's backlog). */
export const SETTLED_STATES = ['live', 'canceled', 'retracted', 'awaiting_manual', 'failed'];

/** A rate_limited delivery whose next attempt is at least this far away waits for an hourly or daily cap. */
export const QUOTA_HOLD_MINUTES = 5;

/** Deliveries a platform's posting limit holds, when nothing else is left to go. */
export interface QuotaHeld {
  platform: string;
  deliveries: number;
  packages: Set<string>;
  /** The latest next attempt among them (epoch ms). */
  until: number;
  /** The platform's answer, as recorded on one of them. */
  message: string;
}

export class Observer {
  readonly pool: pg.Pool;
  constructor(databaseUrl: string) {
    // Two connections: the bench's waits and its backlog sampler; nothing else.
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  }

  /** Released packages among `ids` (one aggregate query). */
  async releasedCount(ids: string[]): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('select count(*) as n from packages where id = any($1) and released_at is not null', [ids]);
    return Number(rows[0]!.n);
  }

  /** Deliveries not yet settled, per platform (the backlog). */
  async backlog(): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ platform: string; n: string }>(
      'select platform, count(*) as n from deliveries where not (state = any($1)) group by platform',
      [SETTLED_STATES],
    );
    return new Map(rows.map((r) => [r.platform, Number(r.n)]));
  }

  async facts(ids: string[]): Promise<ReleaseFacts> {
    const pkgs = await this.pool.query<{ id: string; released_at: Date | null }>('select id, released_at from packages where id = any($1)', [ids]);
    const dels = await this.pool.query<{
      package_id: string;
      channel_id: string;
      platform: string;
      state: string;
      live_at: Date | null;
      submitted_at: Date | null;
      external_id: string | null;
    }>('select package_id, channel_id, platform, state, live_at, submitted_at, external_id from deliveries where package_id = any($1)', [ids]);
    return {
      releasedAt: new Map(pkgs.rows.filter((r) => r.released_at).map((r) => [r.id, r.released_at!.getTime()])),
      deliveries: dels.rows.map((r) => ({
        packageId: r.package_id,
        channelId: r.channel_id,
        platform: r.platform,
        state: r.state,
        liveAt: r.live_at?.getTime() ?? null,
        submittedAt: r.submitted_at?.getTime() ?? null,
        externalId: r.external_id,
      })),
    };
  }

  /** The business keys (workflow ids' tails) of a package's deliveries to `channelIds`, in that order. */
  async businessKeys(packageId: string, channelIds: string[]): Promise<{ channelId: string; businessKey: string }[]> {
    const { rows } = await this.pool.query<{ channel_id: string; business_key: string }>(
      'select channel_id, business_key from deliveries where package_id = $1 and channel_id = any($2)',
      [packageId, channelIds],
    );
    return channelIds.flatMap((c) => rows.filter((r) => r.channel_id === c).map((r) => ({ channelId: c, businessKey: r.business_key })));
  }

  /** How many times each package was recorded as released in the audit trail (must be once). */
  async releasedRecords(ids: string[]): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ package_id: string; n: string }>(
      "select package_id, count(*) as n from audit_log where package_id = any($1) and action = 'released' group by package_id",
      [ids],
    );
    return new Map(rows.map((r) => [r.package_id, Number(r.n)]));
  }

  /**
   * Waits (one query a second) until every package of `ids` is released, or the deadline passes, or (with `stopAtQuotaHolds`)
   * every delivery still to go waits for a platform's posting limit to turn (rate_limited, next
   * attempt at least QUOTA_HOLD_MINUTES away: an hourly or daily cap, not a short back-off).
   */
  async waitReleased(
    ids: string[],
    deadline: number,
    progress: (released: number) => void,
    stopAtQuotaHolds = false,
  ): Promise<{ complete: boolean; quotaHeld: QuotaHeld[] }> {
    for (;;) {
      const released = await this.releasedCount(ids);
      progress(released);
      if (released === ids.length) return { complete: true, quotaHeld: [] };
      if (Date.now() > deadline) return { complete: false, quotaHeld: [] };
      if (stopAtQuotaHolds) {
        const held = await this.quotaHeld(ids);
        if (held) return { complete: false, quotaHeld: held };
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** Per platform, the deliveries of unreleased packages waiting for a long quota; null when anything else is still to go. */
  async quotaHeld(ids: string[]): Promise<QuotaHeld[] | null> {
    const { rows } = await this.pool.query<{ platform: string; package_id: string; state: string; next_attempt_at: Date | null; error_message: string | null }>(
      `select d.platform, d.package_id, d.state, d.next_attempt_at, d.error_message from deliveries d join packages p on p.id = d.package_id
        where p.id = any($1) and p.released_at is null and not (d.state = any($2))`,
      [ids, SETTLED_STATES],
    );
    const longWait = Date.now() + QUOTA_HOLD_MINUTES * 60_000;
    if (rows.length === 0 || rows.some((r) => r.state !== 'rate_limited' || !r.next_attempt_at || r.next_attempt_at.getTime() < longWait)) return null;
    const byPlatform = new Map<string, QuotaHeld>();
    for (const r of rows) {
      const entry = byPlatform.get(r.platform) ?? {
        platform: r.platform,
        deliveries: 0,
        packages: new Set<string>(),
        until: 0,
        message: r.error_message ?? '',
      };
      entry.deliveries += 1;
      entry.packages.add(r.package_id);
      entry.until = Math.max(entry.until, r.next_attempt_at!.getTime());
      byPlatform.set(r.platform, entry);
    }
    return [...byPlatform.values()];
  }

  close() {
    return this.pool.end();
  }
}

/** What a simulator published, as `GET /__sim/publications` lists it (the fields the bench reads). */
export interface SimPublication {
  id: string;
  ids?: Record<string, string>;
  account?: string;
  title?: string;
  createdAt: string;
  publishedAt?: string;
  extra?: { columnId?: string };
}

/** Every publication still up at each simulator of `kinds`. */
export async function simulatorPublications(simulators: Record<string, string>, kinds: string[]): Promise<{ kind: string; publications: SimPublication[] }[]> {
  const out = [];
  for (const kind of kinds) {
    const url = simulators[kind];
    if (!url) continue;
    const response = await fetch(`${url}/__sim/publications?includeDeleted=false`);
    const { publications } = (await response.json()) as { publications: SimPublication[] };
    out.push({ kind, publications });
  }
  return out;
}

/**
 * Posts accepted twice at a simulator: the same title at the same account/column (must be none).
 * Only posts made since `since` (the run's first request) count: a running topology's simulators
 * (`--topology FILE`) keep an earlier run's posts, and the same seed makes the same titles, so
 * a second run against it reported every post of the first as a duplicate.
 */
export function duplicatePosts(
  byKind: { kind: string; publications: SimPublication[] }[],
  since = 0,
): { kind: string; publications: number; duplicates: string[] }[] {
  return byKind.map(({ kind, publications: all }) => {
    const publications = all.filter((p) => !(Date.parse(p.createdAt) < since));
    const seen = new Map<string, number>();
    for (const p of publications) {
      const key = `${p.extra?.columnId ?? p.account ?? '?'}|${p.title ?? ''}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    return { kind, publications: publications.length, duplicates: [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`) };
  });
}

/**
 * How long each platform took over a publication on its own side (accepted → published: WeChat's
 * background publishing, the media center's review), by every id it handed out for it, so a
 * delivery's recorded external id finds it. Platforms that publish as they accept take 0.
 */
export function platformProcessingMs(byKind: { kind: string; publications: SimPublication[] }[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const { kind, publications } of byKind)
    for (const p of publications) {
      if (!p.publishedAt) continue;
      const ms = Math.max(0, Date.parse(p.publishedAt) - Date.parse(p.createdAt));
      for (const id of new Set([p.id, ...Object.values(p.ids ?? {})])) out.set(`${kind}|${id}`, ms);
    }
  return out;
}

/**
 * Final approval → released per package with each platform's own processing taken out: for each
 * live delivery, (live − final approval) − what its platform took on its side; a package counts
 * its slowest delivery, plus the time from its last live delivery to its `released` record. What
 * is left is govpub's part: the turn, the format, the transmit, the wait for the platform's push
 * or the sweep that notices, the recording. Released packages only.
 */
export function netOfPlatformProcessing(
  runs: PackageRun[],
  facts: ReleaseFacts,
  processingMs: Map<string, number>,
): { values: number[]; byPackage: Map<string, number>; processed: number; meanProcessingMs: number } {
  const approvedAt = new Map(runs.filter((r) => r.id && r.approvalSentAt).map((r) => [r.id!, r.approvalSentAt!]));
  const slowest = new Map<string, number>();
  const lastLive = new Map<string, number>();
  const processed: number[] = [];
  for (const d of facts.deliveries) {
    const approved = approvedAt.get(d.packageId);
    if (d.liveAt === null || approved === undefined || !facts.releasedAt.has(d.packageId)) continue;
    const platformMs = (d.externalId && processingMs.get(`${d.platform}|${d.externalId}`)) || 0;
    if (platformMs > 0) processed.push(platformMs);
    slowest.set(d.packageId, Math.max(slowest.get(d.packageId) ?? Number.NEGATIVE_INFINITY, d.liveAt - approved - platformMs));
    lastLive.set(d.packageId, Math.max(lastLive.get(d.packageId) ?? Number.NEGATIVE_INFINITY, d.liveAt));
  }
  const byPackage = new Map([...slowest].map(([id, own]) => [id, own + Math.max(0, facts.releasedAt.get(id)! - lastLive.get(id)!)]));
  return {
    values: [...byPackage.values()],
    byPackage,
    processed: processed.length,
    meanProcessingMs: processed.length ? processed.reduce((a, b) => a + b, 0) / processed.length : 0,
  };
}

/** Holds a simulator-backed platform down: every request answered 503 until released. */
export async function holdPlatform(simulatorUrl: string): Promise<() => Promise<void>> {
  const response = await fetch(`${simulatorUrl}/__sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ match: '*', kind: 'http_error', status: 503, note: 'year-replay bench: platform held down' }),
  });
  if (!response.ok) throw new Error(`could not hold ${simulatorUrl} down: HTTP ${response.status} ${await response.text()}`);
  const { added } = (await response.json()) as { added: { id: string }[] };
  const id = added[0]?.id;
  return async () => {
    const r = await fetch(`${simulatorUrl}/__sim/faults${id ? `?id=${encodeURIComponent(id)}` : ''}`, { method: 'DELETE' });
    if (!r.ok) throw new Error(`could not release ${simulatorUrl}: HTTP ${r.status}`);
  };
}
