/**
 * "Where the time goes", read from the Prometheus endpoints (names: docs/metrics.md and the issue-14
 * contract): every endpoint is scraped before and after the measured window, and the breakdown is
 * made of the deltas of histogram _sum/_count (mean, total seconds) and _bucket (quantiles by
 * linear interpolation inside the bucket, as Prometheus' histogram_quantile does).
 * A metric an endpoint does not (yet) have is printed as "n/a — <endpoint> lacks <name>".
 */
import type { MetricsEndpoint } from './system.js';

/** One scrape: series key (`name{a="1",b="2"}`, labels sorted) → value. */
export type Sample = Map<string, number>;

export interface Scrape {
  endpoint: MetricsEndpoint;
  /** null: the endpoint did not answer (with why). */
  samples: Sample | null;
  error?: string;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  if (!text) return labels;
  for (const m of text.matchAll(LABEL)) labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  return labels;
}

function seriesKey(name: string, labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}

/** Prometheus text format → samples (comments and malformed lines skipped). */
export function parsePrometheus(text: string): Sample {
  const samples: Sample = new Map();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    if (Number.isNaN(value)) continue;
    samples.set(seriesKey(m[1]!, parseLabels(m[2])), value);
  }
  return samples;
}

export async function scrape(endpoint: MetricsEndpoint, token = process.env.GOVPUB_METRICS_TOKEN): Promise<Scrape> {
  try {
    const response = await fetch(endpoint.url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return { endpoint, samples: null, error: `HTTP ${response.status}` };
    return { endpoint, samples: parsePrometheus(await response.text()) };
  } catch (error) {
    return { endpoint, samples: null, error: (error as Error).message };
  }
}

export const scrapeAll = (endpoints: MetricsEndpoint[]) => Promise.all(endpoints.map((e) => scrape(e)));

function splitKey(key: string): { name: string; labels: Record<string, string> } {
  const brace = key.indexOf('{');
  return brace < 0 ? { name: key, labels: {} } : { name: key.slice(0, brace), labels: parseLabels(key.slice(brace + 1, -1)) };
}

/** One histogram over the window, its series grouped by `groupBy` labels. */
export interface HistogramDelta {
  group: string;
  count: number;
  sum: number;
  /** Upper bound → cumulative count, ascending. */
  buckets: [number, number][];
}

/**
 * Deltas (after − before) of histogram `name` summed over every endpoint of the pair, grouped by the
 * labels in `groupBy` (their values joined by " "); null when no endpoint has the metric.
 */
export function histogramDelta(
  before: Scrape[],
  after: Scrape[],
  name: string,
  groupBy: string[],
  filter: Record<string, string> = {},
): HistogramDelta[] | null {
  const groups = new Map<string, { count: number; sum: number; buckets: Map<number, number> }>();
  let seen = false;
  for (const a of after) {
    if (!a.samples) continue;
    const b = before.find((s) => s.endpoint.url === a.endpoint.url)?.samples ?? new Map<string, number>();
    for (const [key, value] of a.samples) {
      if (!key.startsWith(name + '_')) continue;
      const { name: series, labels } = splitKey(key);
      const suffix = series.slice(name.length);
      if (!['_sum', '_count', '_bucket'].includes(suffix)) continue;
      seen = true;
      if (Object.entries(filter).some(([k, v]) => labels[k] !== v)) continue;
      const group = groupBy.map((l) => labels[l] ?? '').join(' ') || 'all';
      const g = groups.get(group) ?? { count: 0, sum: 0, buckets: new Map() };
      groups.set(group, g);
      const delta = value - (b.get(key) ?? 0);
      if (suffix === '_sum') g.sum += delta;
      else if (suffix === '_count') g.count += delta;
      else {
        const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
        g.buckets.set(le, (g.buckets.get(le) ?? 0) + delta);
      }
    }
  }
  if (!seen) return null;
  return [...groups.entries()]
    .map(([group, g]) => ({ group, count: g.count, sum: g.sum, buckets: [...g.buckets.entries()].sort((x, y) => x[0] - y[0]) }))
    .filter((g) => g.count > 0)
    .sort((x, y) => y.sum - x.sum);
}

/** histogram_quantile over cumulative buckets: linear inside the bucket that holds rank q·count. */
export function bucketQuantile(buckets: [number, number][], q: number): number {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return NaN;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (le === Infinity) return prevLe; // beyond the last finite bound: its bound is all we know
      const inBucket = count - prevCount;
      return inBucket <= 0 ? le : prevLe + ((le - prevLe) * (rank - prevCount)) / inBucket;
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

/**
 * A quantile as the buckets can tell it: interpolated inside a bucket with a lower bound, but only
 * "≤ bound" in the first bucket (interpolating from 0 made a p50 of 50.8 ms out of observations
 * whose mean was 14 ms) and "> bound" beyond the last finite one.
 */
export function quantileText(buckets: [number, number][], q: number): string {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return '?';
  const rank = q * total;
  // The +Inf bucket's cumulative count is the total, so some bucket holds the rank.
  const at = buckets.findIndex(([, count]) => count >= rank);
  const le = buckets[at]![0];
  if (le === Infinity) return at === 0 ? '?' : `> ${ms(buckets[at - 1]![0])}`;
  return at === 0 ? `≤ ${ms(le)}` : ms(bucketQuantile(buckets, q));
}

/** Gauge values of `name` by `label` from one set of scrapes (first endpoint that has it). */
export function gauge(scrapes: Scrape[], name: string, label: string): Map<string, number> | null {
  for (const s of scrapes) {
    if (!s.samples) continue;
    const out = new Map<string, number>();
    for (const [key, value] of s.samples) {
      const { name: series, labels } = splitKey(key);
      const group = labels[label] ?? '';
      if (series === name) out.set(group, (out.get(group) ?? 0) + value);
    }
    if (out.size) return out;
  }
  return null;
}

/** The sum over every endpoint of the series `name` whose labels include `where` (a counter, or a histogram's _count). */
export function seriesSum(scrapes: Scrape[], name: string, where: Record<string, string> = {}): number {
  let sum = 0;
  for (const s of scrapes) {
    for (const [key, value] of s.samples ?? []) {
      const { name: series, labels } = splitKey(key);
      if (series === name && Object.entries(where).every(([k, v]) => labels[k] === v)) sum += value;
    }
  }
  return sum;
}

const ms = (seconds: number) => (Number.isFinite(seconds) ? `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1)} ms` : '?');

/** One line per group: count, mean, p50/p95, total seconds (the time spent there in the window). */
function lines(tag: string, title: string, deltas: HistogramDelta[] | null, missing: string, limit = 12): string[] {
  if (!deltas) return [`[${tag}] ${title}: n/a — ${missing}`];
  if (deltas.length === 0) return [`[${tag}] ${title}: none in the window`];
  return [
    `[${tag}] ${title}:`,
    ...deltas
      .slice(0, limit)
      .map(
        (d) =>
          `[${tag}]   ${d.group.padEnd(44)} n=${String(Math.round(d.count)).padStart(6)}  mean ${ms(d.sum / d.count).padStart(9)}  p50 ${quantileText(d.buckets, 0.5).padStart(9)}  p95 ${quantileText(d.buckets, 0.95).padStart(9)}  total ${d.sum.toFixed(1)} s`,
      ),
    ...(deltas.length > limit ? [`[${tag}]   … ${deltas.length - limit} more`] : []),
  ];
}

function meanOf(deltas: HistogramDelta[] | null, match: (group: string) => boolean): { mean: number; count: number } | null {
  if (!deltas) return null;
  const hit = deltas.filter((d) => match(d.group));
  const count = hit.reduce((a, d) => a + d.count, 0);
  return count > 0 ? { mean: hit.reduce((a, d) => a + d.sum, 0) / count, count } : null;
}

/** One line: the mean of each step of a release's path, in order ("?" where the endpoint lacks it). */
function chain(tag: string, api: readonly [Scrape[], Scrape[]], wrk: readonly [Scrape[], Scrape[]], before: Scrape[], after: Scrape[]): string {
  const step = (label: string, m: { mean: number; count: number } | null) => `${label} ${m ? ms(m.mean) : '?'}`;
  const activities = histogramDelta(...wrk, 'govpub_activity_duration_seconds', ['activity']);
  const bookkeeping = (g: string) => /^(recordPackageEvent|planDeliveries|deliveryStates)/.test(g);
  return `[${tag}] path of a release, mean per occurrence: ${[
    step(
      'API request',
      meanOf(histogramDelta(...api, 'govpub_http_request_duration_seconds', ['method', 'route']), (g) => g.startsWith('POST /api/packages')),
    ),
    step(
      '→ Update',
      meanOf(histogramDelta(...api, 'govpub_workflow_update_duration_seconds', ['update']), () => true),
    ),
    step('→ bookkeeping activity', meanOf(activities, bookkeeping)),
    step(
      '→ workflow task wait',
      // The SDK labels it by task queue (workflow_type where it has one): all workflow tasks of the main queue.
      meanOf(histogramDelta(...wrk, 'temporal_workflow_task_schedule_to_start_latency', ['workflow_type']), () => true),
    ),
    step(
      '→ format',
      meanOf(activities, (g) => g.startsWith('format')),
    ),
    step(
      '→ transmit',
      meanOf(histogramDelta(...wrk, 'govpub_transmit_duration_seconds', []), () => true),
    ),
    step(
      '→ confirm',
      meanOf(activities, (g) => g.startsWith('confirm')),
    ),
    step(
      '| DB query',
      meanOf(histogramDelta(before, after, 'govpub_db_query_duration_seconds', []), () => true),
    ),
    step(
      '| portal commit',
      meanOf(histogramDelta(...wrk, 'govpub_portal_commit_duration_seconds', []), () => true),
    ),
  ].join(' ')}`;
}

/**
 * The breakdown, in the order a release travels: API request → Update → bookkeeping activities →
 * workflow task wait → format → transmit → confirm; database time; portal commit.
 */
/**
 * The API process's event-loop delay over the window (prom-client resets its monitor at every
 * scrape, so the after-scrape covers the window since the before-scrape). With `govpub start` the
 * workers share that process and its event loop: every await of a delivery waits this long too.
 */
function eventLoopLine(tag: string, after: Scrape[]): string {
  const title = '10 event-loop delay, API process (with govpub start, the workers share it)';
  const samples = after.find((s) => s.samples?.has('nodejs_eventloop_lag_p99_seconds'))?.samples;
  if (!samples) return `[${tag}] ${title}: n/a — API endpoint lacks nodejs_eventloop_lag_p99_seconds`;
  const figure = (stat: string) => ms(samples.get(`nodejs_eventloop_lag_${stat}_seconds`) ?? NaN);
  return `[${tag}] ${title}: mean ${figure('mean')}, p50 ${figure('p50')}, p90 ${figure('p90')}, p99 ${figure('p99')}, max ${figure('max')}`;
}

export function breakdown(before: Scrape[], after: Scrape[], tag = 'breakdown'): string[] {
  const apiScrapes = (s: Scrape[]) => s.filter((x) => x.endpoint.name === 'api');
  const workerScrapes = (s: Scrape[]) => s.filter((x) => x.endpoint.name !== 'api');
  const down = after.filter((s) => !s.samples).map((s) => `${s.endpoint.name} ${s.endpoint.url}: ${s.error}`);
  const lacks = (who: string, name: string) => `${who} endpoint lacks ${name}`;
  const api = [apiScrapes(before), apiScrapes(after)] as const;
  const wrk = [workerScrapes(before), workerScrapes(after)] as const;
  const out: string[] = [];
  if (down.length) out.push(`[${tag}] endpoints not answering: ${down.join('; ')}`);
  out.push(
    ...lines(
      tag,
      '1 API request (method route status)',
      histogramDelta(...api, 'govpub_http_request_duration_seconds', ['method', 'route', 'status_class']),
      lacks('API', 'govpub_http_request_duration_seconds'),
      8,
    ),
    ...lines(
      tag,
      '1a API command waits for its turn (class: finish = decisions, release, operators; start = create, edit, submit)',
      histogramDelta(...api, 'govpub_api_command_wait_seconds', ['class']),
      lacks('API', 'govpub_api_command_wait_seconds'),
    ),
    ...lines(
      tag,
      '2 API waits for the Update (update outcome)',
      histogramDelta(...api, 'govpub_workflow_update_duration_seconds', ['update', 'outcome']),
      lacks('API', 'govpub_workflow_update_duration_seconds'),
    ),
    ...lines(
      tag,
      '2b API starts a workflow',
      histogramDelta(...api, 'govpub_workflow_start_duration_seconds', ['workflow']),
      lacks('API', 'govpub_workflow_start_duration_seconds'),
    ),
    ...lines(
      tag,
      '3 bookkeeping activities (local, inside workflow tasks)',
      histogramDelta(...wrk, 'govpub_activity_duration_seconds', ['activity'], { task_queue_kind: 'local' }),
      lacks('worker', 'govpub_activity_duration_seconds'),
    ),
    ...lines(
      tag,
      '3b activity queue wait (schedule→start, activity queue)',
      histogramDelta(...wrk, 'govpub_activity_schedule_to_start_seconds', ['activity', 'task_queue_kind']),
      lacks('worker', 'govpub_activity_schedule_to_start_seconds'),
      10,
    ),
    ...lines(
      tag,
      '4 workflow task queue wait (task queue; SDK)',
      histogramDelta(...wrk, 'temporal_workflow_task_schedule_to_start_latency', ['task_queue', 'workflow_type']),
      lacks('worker', 'temporal_workflow_task_schedule_to_start_latency'),
      6,
    ),
    ...lines(
      tag,
      '4b workflow activations (workflow_type; SDK)',
      histogramDelta(...wrk, 'temporal_workflow_task_execution_latency', ['workflow_type']),
      lacks('worker', 'temporal_workflow_task_execution_latency'),
      6,
    ),
    ...lines(
      tag,
      '5 platform-queue activities (format, transmit, confirm…)',
      histogramDelta(...wrk, 'govpub_activity_duration_seconds', ['activity'], { task_queue_kind: 'platform' }),
      lacks('worker', 'govpub_activity_duration_seconds'),
    ),
    ...lines(
      tag,
      '5a status queries waiting at a sweep (media center)',
      histogramDelta(...wrk, 'govpub_activity_duration_seconds', ['activity'], { task_queue_kind: 'status' }),
      lacks('worker', 'govpub_activity_duration_seconds'),
    ),
    ...lines(
      tag,
      '5b media-queue activities (renditions at review and at release)',
      histogramDelta(...wrk, 'govpub_activity_duration_seconds', ['activity'], { task_queue_kind: 'media' }),
      lacks('worker', 'govpub_activity_duration_seconds'),
    ),
    ...lines(
      tag,
      '6 transmit (platform outcome)',
      histogramDelta(...wrk, 'govpub_transmit_duration_seconds', ['platform', 'outcome']),
      lacks('worker', 'govpub_transmit_duration_seconds'),
    ),
    ...lines(
      tag,
      '7 delivery planned → live (platform)',
      histogramDelta(...wrk, 'govpub_delivery_plan_to_live_seconds', ['platform']),
      lacks('worker', 'govpub_delivery_plan_to_live_seconds'),
    ),
    ...lines(
      tag,
      '8 database time (process)',
      histogramDelta([...before], [...after], 'govpub_db_query_duration_seconds', ['process']),
      lacks('API/worker', 'govpub_db_query_duration_seconds'),
    ),
    ...lines(
      tag,
      '9 portal commit',
      histogramDelta(...wrk, 'govpub_portal_commit_duration_seconds', []),
      lacks('worker', 'govpub_portal_commit_duration_seconds'),
    ),
    ...lines(
      tag,
      '9a portal commit phases',
      histogramDelta(...wrk, 'govpub_portal_commit_phase_seconds', ['phase']),
      lacks('worker', 'govpub_portal_commit_phase_seconds'),
    ),
  );
  out.push(eventLoopLine(tag, api[1]));
  const perCommit = histogramDelta(...wrk, 'govpub_portal_commit_deliveries', []);
  if (perCommit?.[0]) {
    const d = perCommit[0];
    // Counts, not durations: the distribution over the buckets says more than an interpolated quantile.
    let previous = 0;
    const spread = d.buckets
      .map(([le, cumulative]) => {
        const n = Math.round(cumulative - previous);
        previous = cumulative;
        return n > 0 ? `${le === Infinity ? '>64' : `≤${le}`}: ${n}` : null;
      })
      .filter(Boolean);
    out.push(
      `[${tag}] 9b deliveries per portal commit: ${Math.round(d.count)} commits carrying deliveries, mean ${(d.sum / d.count).toFixed(1)} (${spread.join(', ')})`,
    );
  } else if (!perCommit) out.push(`[${tag}] 9b deliveries per portal commit: n/a — ${lacks('worker', 'govpub_portal_commit_deliveries')}`);
  out.unshift(chain(tag, api, wrk, before, after));
  return out;
}
