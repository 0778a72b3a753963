// One status sweep per media-center client: every delivery waiting for the site's review asks through it, and it asks the site about all their articles at once.
/*
 * Without it each waiting delivery polls its own articles (one request per article per poll), and
 * those polls share the site's 120 requests a minute per client with the pushes. With it, the
 * status queries of every delivery waiting in this process cost one batch read
 * (`GET /api/v1/articles?ids=`, up to 100 ids) per interval, however many there are, and each
 * query waits at the sweep until its articles are final (or its wait is over) instead of coming
 * back later to ask again. The sweep is per process: N worker processes make N reads per interval.
 */
import type { ApiArticle } from './contract.js';

/** What one query learns: each article by id, null where the site does not know the id (404). */
export type ArticleStates = ReadonlyMap<string, ApiArticle | null>;

/** How a sweep reads the site, through the client of one of the deliveries waiting at it. */
export interface StatusReader {
  /** The client's articles among `ids` (at most one page), by the batch read. */
  list(ids: string[]): Promise<ApiArticle[]>;
  /** One article; null when the site answers 404. */
  one(id: string): Promise<ApiArticle | null>;
}

export interface WatchOptions {
  /** The longest this query waits for `done` before it answers with what it last saw. */
  waitMs: number;
  /** True when these states are worth answering with now (every article final, or one refused). */
  done(states: ArticleStates): boolean;
  /** Stops waiting (the query fails with the signal's reason), e.g. when the worker stops. */
  signal?: AbortSignal;
}

interface Waiter {
  ids: readonly string[];
  reader: StatusReader;
  deadline: number;
  done(states: ArticleStates): boolean;
  resolve(states: ArticleStates): void;
  reject(error: unknown): void;
}

export class StatusSweep {
  private readonly waiting = new Set<Waiter>();
  private lastStartedAt = Number.NEGATIVE_INFINITY;
  private sweeping = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** At most one sweep starts per interval. */
    private readonly everyMs: number,
    /** Ids per batch read (the contract's page size). */
    private readonly pageSize = 100,
  ) {}

  /**
   * The states of `ids` as the next sweep reads them; while `done` is false, the sweeps after it,
   * until `waitMs` is over. A sweep that fails fails every query that waited for it.
   */
  watch(ids: readonly string[], reader: StatusReader, options: WatchOptions): Promise<ArticleStates> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<ArticleStates>((resolve, reject) => {
      const onAbort = () => {
        this.waiting.delete(waiter);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        ids,
        reader,
        deadline: Date.now() + options.waitMs,
        done: options.done,
        resolve: (states) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(states);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.add(waiter);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.sweeping || this.timer !== null || this.waiting.size === 0) return;
    const delay = Math.max(0, this.lastStartedAt + this.everyMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.sweep();
    }, delay);
  }

  private async sweep(): Promise<void> {
    if (this.waiting.size === 0) return; // every query stopped waiting before its sweep came
    this.sweeping = true;
    this.lastStartedAt = Date.now();
    // Queries that arrive during the sweep wait for the next one: their ids were not asked.
    const batch = [...this.waiting];
    try {
      const states = await this.read(
        [...new Set(batch.flatMap((w) => w.ids))],
        // The newest query's client: its token is as fresh as any.
        batch[batch.length - 1]!.reader,
      );
      const now = Date.now();
      for (const waiter of batch) {
        const mine = new Map(waiter.ids.map((id) => [id, states.get(id) ?? null]));
        if (waiter.done(mine) || now >= waiter.deadline) {
          this.waiting.delete(waiter);
          waiter.resolve(mine);
        }
      }
    } catch (error) {
      for (const waiter of batch) {
        this.waiting.delete(waiter);
        waiter.reject(error);
      }
    } finally {
      this.sweeping = false;
      this.schedule();
    }
  }

  private async read(ids: string[], reader: StatusReader): Promise<Map<string, ApiArticle | null>> {
    const states = new Map<string, ApiArticle | null>();
    for (let i = 0; i < ids.length; i += this.pageSize) {
      const page = new Set(ids.slice(i, i + this.pageSize));
      // Only the ids asked for count: a server that ignores `ids` answers with other articles.
      for (const article of await reader.list([...page])) if (page.has(article.id)) states.set(article.id, article);
    }
    // An id the batch read did not return is unknown to the site, or the server does not filter
    // by ids: its own read tells which (404 is news the delivery must hear).
    for (const id of ids) if (!states.has(id)) states.set(id, await reader.one(id));
    return states;
  }
}
