/**
 * The API process's metrics (docs/metrics.md), in a prom-client registry of its own (one per API,
 * so several in one test process never collide): request durations by route pattern, the time the
 * API waits for Temporal (Updates, workflow starts), its database time, and the delivery and
 * package counts read from the database when Prometheus scrapes.
 *
 * Labels never carry ids, titles, URLs or secrets: route patterns, Update and workflow type
 * names, platforms and states are all bounded sets.
 */
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { deliveryCountsByPlatformAndState, packageCountsByStatus } from '../db/metrics.js';
import type { DB } from '../db/schema.js';
import type { AdmissionStats, CommandClass } from './admission.js';
import { DELIVERY_STATES, type DeliveryState } from '../domain/delivery-state.js';
import { PACKAGE_STATUSES } from '../domain/package-rules.js';

const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const DB_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** States that are no longer the platform queue's work: settled, or waiting for a person. */
const NOT_BACKLOG: ReadonlySet<DeliveryState> = new Set(['live', 'canceled', 'retracted', 'awaiting_manual', 'failed']);

/** The database counts are read at most this often, however many scrapers ask. */
export const DATABASE_COUNTS_MAX_AGE_MS = 5_000;

/** HTTP methods as labels: the known ones, anything else as `other` (a label set must stay bounded). */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

interface DatabaseCounts {
  /** The registry's platforms and any other the rows name: each reported, zeros included. */
  platforms: Set<string>;
  deliveries: { platform: string; state: DeliveryState; count: number }[];
  packages: { status: string; count: number }[];
}

export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests = new Histogram({
    name: 'govpub_http_request_duration_seconds',
    help: 'Every API request, from arrival to the last byte of the answer, by method, route pattern and status class.',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly updates = new Histogram({
    name: 'govpub_workflow_update_duration_seconds',
    help: 'How long the API waited for a Temporal Update, by Update name and outcome (accepted, refused, error).',
    labelNames: ['update', 'outcome'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly starts = new Histogram({
    name: 'govpub_workflow_start_duration_seconds',
    help: 'How long the API waited for Temporal to start a workflow, by workflow type.',
    labelNames: ['workflow'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  private readonly apiQueries = new Histogram({
    name: 'govpub_db_query_duration_seconds',
    help: 'Every database query of this process (kysely), by process kind.',
    labelNames: ['process'] as const,
    buckets: DB_SECONDS,
    registers: [this.registry],
  }).labels({ process: 'api' });
  private readonly commandWaits = new Histogram({
    name: 'govpub_api_command_wait_seconds',
    help: 'How long a package or delivery command waited for its turn (api/admission.ts), by class: finish (decisions, release, operators) or start (create, edit, submit).',
    labelNames: ['class'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });
  private admission: { stats(): AdmissionStats } | undefined;
  private database: { db: Kysely<DB>; platforms: readonly string[] } | undefined;
  private counts: { at: number; read: Promise<DatabaseCounts | null> } | undefined;

  /**
   * `processMetrics`: also the process's CPU, memory, event-loop delay and GC (prom-client's
   * defaults), what an API that answers slowly may be short of. For the process's one API: each
   * set keeps its own event-loop monitor running.
   */
  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
    const counts = () => this.databaseCounts();
    new Gauge({
      name: 'govpub_deliveries',
      help: 'Deliveries by platform and state (read from the database at scrape, at most every 5 s).',
      labelNames: ['platform', 'state'] as const,
      registers: [this.registry],
      async collect() {
        const read = await counts();
        this.reset();
        if (!read) return;
        // Every state of every platform, zeros included: a series that vanishes cannot be alerted on.
        for (const platform of read.platforms) for (const state of DELIVERY_STATES) this.set({ platform, state }, 0);
        for (const d of read.deliveries) this.set({ platform: d.platform, state: d.state }, d.count);
      },
    });
    new Gauge({
      name: 'govpub_delivery_backlog',
      help: 'Deliveries not yet settled per platform: not live, canceled, retracted, awaiting a manual post or failed.',
      labelNames: ['platform'] as const,
      registers: [this.registry],
      async collect() {
        const read = await counts();
        this.reset();
        if (!read) return;
        for (const platform of read.platforms) this.set({ platform }, 0);
        for (const d of read.deliveries) if (!NOT_BACKLOG.has(d.state)) this.inc({ platform: d.platform }, d.count);
      },
    });
    const admission = () => this.admission;
    new Gauge({
      name: 'govpub_api_commands',
      help: 'Package and delivery commands in this API process: running, and waiting for their turn by class (api/admission.ts).',
      labelNames: ['state', 'class'] as const,
      registers: [this.registry],
      collect() {
        const stats = admission()?.stats();
        this.reset();
        if (!stats) return;
        this.set({ state: 'running', class: 'any' }, stats.running);
        for (const kind of ['finish', 'start'] as const) this.set({ state: 'waiting', class: kind }, stats.waiting[kind]);
      },
    });
    new Gauge({
      name: 'govpub_packages',
      help: 'Packages by status (read from the database at scrape, at most every 5 s).',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        const read = await counts();
        this.reset();
        if (!read) return;
        for (const status of PACKAGE_STATUSES) this.set({ status }, 0);
        for (const p of read.packages) this.set({ status: p.status }, p.count);
      },
    });
  }

  /** The database the count gauges read, and the platforms every one of them reports (zeros included). */
  countFrom(db: Kysely<DB>, platforms: readonly string[]): void {
    this.database = { db, platforms };
  }

  /** The command admission the `govpub_api_commands` gauge reads (one per API). */
  watchAdmission(admission: { stats(): AdmissionStats }): void {
    this.admission = admission;
  }

  admissionWaited(kind: CommandClass, seconds: number): void {
    this.commandWaits.observe({ class: kind }, seconds);
  }

  /** Kysely's `log` hook for the API's database (db/connect.ts): one observation, no allocation. */
  readonly observeDbQuery = (seconds: number): void => this.apiQueries.observe(seconds);

  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.requests.observe({ method: METHODS.has(method) ? method : 'other', route, status_class: `${Math.floor(statusCode / 100)}xx` }, seconds);
  }

  /**
   * Times the API's Temporal calls (for the Client's `interceptors.workflow`). An Update is
   * `refused` when the workflow said no (its validator or handler failed it), `error` when
   * Temporal could not be asked. The time is until Temporal answered the Update request: its
   * completion, as the services wait for it, unless the server's long poll ended first (then the
   * SDK polls on, unseen here).
   */
  temporalInterceptor(): WorkflowClientInterceptor {
    return {
      startWithDetails: async (input, next) => {
        const end = this.starts.startTimer({ workflow: input.workflowType });
        try {
          return await next(input);
        } finally {
          end();
        }
      },
      startUpdate: async (input, next) => {
        const end = this.updates.startTimer({ update: input.updateName });
        let outcome = 'error';
        try {
          const output = await next(input);
          outcome = output.outcome?.failure ? 'refused' : 'accepted';
          return output;
        } finally {
          end({ outcome });
        }
      },
    };
  }

  /** The Prometheus text of everything above. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private databaseCounts(): Promise<DatabaseCounts | null> {
    const database = this.database;
    if (!database) return Promise.resolve(null);
    const now = Date.now();
    if (this.counts && now - this.counts.at < DATABASE_COUNTS_MAX_AGE_MS) return this.counts.read;
    const read = Promise.all([deliveryCountsByPlatformAndState(database.db), packageCountsByStatus(database.db)]).then(
      ([deliveries, packages]) => ({ platforms: new Set([...database.platforms, ...deliveries.map((d) => d.platform)]), deliveries, packages }),
      // The database is down: the count series are absent from this scrape (the histograms are not).
      () => null,
    );
    this.counts = { at: now, read };
    return read;
  }
}
