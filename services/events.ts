/**
 * Changes to deliveries, packages and channel pauses as a stream for the console's live views
 * (Server-Sent Events). One poller per process reads the rows changed since the last poll (updated_at, then
 * id) about every second, for however many listeners there are, and hands each change to every
 * listener. It runs only while someone listens.
 *
 * Rows are written with their updated_at a moment before their transaction commits, so a row can
 * appear a little behind one already seen: each poll also looks a few seconds back and sends what
 * it had not sent yet (the same row in the same state is sent once). A client that comes back
 * with the id of the last event it saw gets what changed since, from the database.
 *
 * Channels are few and have no change time: each poll reads their pauses (the paused ones, with
 * who paused them) and sends a `channel` event for each that was paused, resumed or paused again
 * since the last poll. A client that comes back gets every channel's pause as it is now.
 */
import type { Kysely } from 'kysely';
import { deliveriesChanged, latestChange, packagesChanged, type ChangeCursor, type ChangedDelivery, type ChangedPackage } from '../db/console-reads.js';
import { currentPauses, type ChannelPause } from '../db/channels.js';
import type { DB } from '../db/schema.js';
import { localizedDeliveryTexts } from '../adapters/error-codes.js';

export interface DeliveryEvent {
  id: string;
  packageId: string;
  channelId: string;
  platform: string | null;
  state: string;
  task: string | null;
  errorClass: string | null;
  errorMessage: string | null;
  /** The error in Chinese, as GET /api/deliveries/:id gives it (the console shows it; errorMessage stays English). */
  errorMessageZh: string | null;
  publicUrl: string | null;
  updatedAt: string;
}

export interface PackageEvent {
  id: string;
  status: string;
  currentStage: string | null;
  revision: number;
  /** A draft a reviewer sent back: the stage and time of the rejection (null: not returned). */
  returned: { stage: string; at: string } | null;
  updatedAt: string;
}

/** A channel paused or resumed (by an operator anywhere, or by govpub itself after refused credentials): its pause now. */
export interface ChannelEvent {
  /** The channel id, e.g. weibo:blfb-wb. */
  id: string;
  paused: boolean;
  pausedReason: string | null;
  pausedAt: string | null;
  /** A user's name, `system` (govpub itself), or null when not paused or the audit trail does not say. */
  pausedBy: string | null;
}

export type ChangeEvent =
  | { type: 'delivery'; id: string; data: DeliveryEvent }
  | { type: 'package'; id: string; data: PackageEvent }
  | { type: 'channel'; id: string; data: ChannelEvent };

export type ChangeListener = (events: ChangeEvent[]) => void;

export interface ChangeFeedOptions {
  intervalMs?: number;
  /** How far back each poll looks for rows that committed late. */
  lookbackMs?: number;
  /** Rows read per kind per query. */
  batch?: number;
}

const MICROS_PER_MS = 1000n;

function deliveryEvent(row: ChangedDelivery): ChangeEvent {
  return {
    type: 'delivery',
    id: row.micros,
    data: {
      id: row.id,
      packageId: row.package_id,
      channelId: row.channel_id,
      platform: row.platform,
      state: row.state,
      task: row.task,
      errorClass: row.error_class,
      errorMessage: row.error_message,
      errorMessageZh: localizedDeliveryTexts({ ...row, warnings: [] }).errorMessageZh,
      publicUrl: row.public_url,
      updatedAt: row.updated_at.toISOString(),
    },
  };
}

function packageEvent(row: ChangedPackage): ChangeEvent {
  return {
    type: 'package',
    id: row.micros,
    data: {
      id: row.id,
      status: row.status,
      currentStage: row.current_stage,
      revision: row.current_revision,
      returned: row.returned_stage && row.returned_at ? { stage: row.returned_stage, at: row.returned_at.toISOString() } : null,
      updatedAt: row.updated_at.toISOString(),
    },
  };
}

function channelEvent(position: string, channelId: string, pause: ChannelPause | undefined): ChangeEvent {
  return {
    type: 'channel',
    id: position,
    data: {
      id: channelId,
      paused: pause !== undefined,
      pausedReason: pause?.reason ?? null,
      pausedAt: pause?.at.toISOString() ?? null,
      pausedBy: pause?.by ?? null,
    },
  };
}

const later = (a: string, b: string) => (BigInt(a) < BigInt(b) ? b : a);

const minus = (micros: string, ms: number) => (BigInt(micros) - BigInt(ms) * MICROS_PER_MS).toString();
const byPosition = (a: ChangeEvent, b: ChangeEvent) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0);

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private readonly intervalMs: number;
  private readonly lookbackMs: number;
  private readonly batch: number;
  private cursors: { delivery: ChangeCursor; package: ChangeCursor } | null = null;
  /** What was last sent for each row (its position and state), to send a row again only when it changed. */
  private readonly sent = new Map<string, { micros: bigint; signature: string }>();
  /** Each paused channel's pause as last sent (a channel missing here is running); null before the first poll. */
  private pauses: Map<string, string> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly db: Kysely<DB>,
    options: ChangeFeedOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.lookbackMs = options.lookbackMs ?? 5000;
    this.batch = options.batch ?? 500;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Starts the shared poller with the first listener; returns the function that removes this one. */
  subscribe(listener: ChangeListener): () => void {
    if (this.closed) throw new Error('the change feed is closed');
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.schedule(0);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /**
   * What changed after the event `lastEventId` (with the same look back as the poller), oldest
   * first. `truncated`: more changed than `limit` per kind; the client should reload its lists.
   */
  async since(lastEventId: string, limit = 2000): Promise<{ events: ChangeEvent[]; truncated: boolean }> {
    const after: ChangeCursor = { micros: minus(lastEventId, this.lookbackMs), id: '' };
    const [deliveries, packages] = await Promise.all([deliveriesChanged(this.db, after, limit), packagesChanged(this.db, after, limit)]);
    const events = [...deliveries.map(deliveryEvent), ...packages.map(packageEvent)].sort(byPosition);
    // Pauses keep no history to replay: every channel as it is now, at the last position sent (the client keeps what it holds already).
    const position = events.at(-1)?.id ?? lastEventId;
    const [channels, pauses] = await Promise.all([this.db.selectFrom('channels').select('id').orderBy('id').execute(), currentPauses(this.db)]);
    events.push(...channels.map((c) => channelEvent(position, c.id, pauses.get(c.id))));
    return { events, truncated: deliveries.length >= limit || packages.length >= limit };
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.timer || this.listeners.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.poll()
        .catch(() => {
          // The database away for a moment: the next poll reads from the same cursor.
        })
        .finally(() => {
          this.running = null;
          this.schedule(this.intervalMs);
        });
    }, delayMs);
    this.timer.unref?.();
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.cursors = null;
    this.pauses = null;
    this.sent.clear();
  }

  /** Ends polling for good (the API is closing). */
  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    this.stop();
    await this.running;
  }

  private fresh(event: ChangeEvent): boolean {
    const key = `${event.type}:${event.data.id}`;
    const signature = JSON.stringify(event.data);
    if (this.sent.get(key)?.signature === signature) return false;
    this.sent.set(key, { micros: BigInt(event.id), signature });
    return true;
  }

  private async poll(): Promise<void> {
    if (!this.cursors) {
      const latest = await latestChange(this.db);
      this.cursors = { delivery: latest, package: latest };
    }
    const cursors = this.cursors;
    const events: ChangeEvent[] = [];
    // Late commits: rows within the look back at or before the cursors.
    const [lateDeliveries, latePackages] = await Promise.all([
      deliveriesChanged(this.db, { micros: minus(cursors.delivery.micros, this.lookbackMs), id: '' }, this.batch * 2, cursors.delivery),
      packagesChanged(this.db, { micros: minus(cursors.package.micros, this.lookbackMs), id: '' }, this.batch * 2, cursors.package),
    ]);
    events.push(...lateDeliveries.map(deliveryEvent), ...latePackages.map(packageEvent));
    // New rows, a batch at a time, until caught up (a large release can change thousands at once).
    for (let round = 0; round < 20; round++) {
      const [deliveries, packages] = await Promise.all([
        deliveriesChanged(this.db, cursors.delivery, this.batch),
        packagesChanged(this.db, cursors.package, this.batch),
      ]);
      if (deliveries.length) cursors.delivery = { micros: deliveries.at(-1)!.micros, id: deliveries.at(-1)!.id };
      if (packages.length) cursors.package = { micros: packages.at(-1)!.micros, id: packages.at(-1)!.id };
      events.push(...deliveries.map(deliveryEvent), ...packages.map(packageEvent));
      if (deliveries.length < this.batch && packages.length < this.batch) break;
    }
    const news = events.sort(byPosition).filter((e) => this.fresh(e));
    news.push(...(await this.pauseChanges(later(cursors.delivery.micros, cursors.package.micros))));
    this.forget();
    if (news.length === 0 || this.closed || this.cursors !== cursors) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(news);
      } catch {
        // One listener's broken connection is its own affair.
      }
    }
  }

  /**
   * The channels paused, resumed or paused again since the last poll (none at the first: it
   * learns where they stand), at `position`: no further than the rows already read, so a client
   * that resumes from it misses no delivery or package.
   */
  private async pauseChanges(position: string): Promise<ChangeEvent[]> {
    // Unread now (the database away for a moment), the changes are found at the next poll, and this poll's rows still go out.
    const pauses = await currentPauses(this.db).catch(() => null);
    if (!pauses) return [];
    const now = new Map([...pauses].map(([id, pause]) => [id, JSON.stringify(pause)] as const));
    const before = this.pauses;
    this.pauses = now;
    if (!before) return [];
    return [...new Set([...before.keys(), ...now.keys()])]
      .filter((id) => before.get(id) !== now.get(id))
      .sort()
      .map((id) => channelEvent(position, id, pauses.get(id)));
  }

  /** Drops what was sent before the look back of both cursors: those rows are not read again unless they change. */
  private forget(): void {
    if (!this.cursors) return;
    const oldest = BigInt(
      minus(
        BigInt(this.cursors.delivery.micros) < BigInt(this.cursors.package.micros) ? this.cursors.delivery.micros : this.cursors.package.micros,
        this.lookbackMs + 1000,
      ),
    );
    for (const [key, value] of this.sent) if (value.micros < oldest) this.sent.delete(key);
  }
}

/** One event as Server-Sent Events text (data on one line: JSON has no raw line breaks). */
export function sseText(event: ChangeEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}
