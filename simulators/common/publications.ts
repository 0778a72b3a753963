// What a simulator records of every accepted publication: the store, its states, and the view the control API shows.
import { SimClock } from './clock.js';
import type { FaultKind } from './faults.js';
import type { SimulatorKind } from './units.js';

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
