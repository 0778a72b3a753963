/**
 * Delivery figures for the operations charts: per Asia/Shanghai day and platform, deliveries that
 * went live, that are failed, that were skipped; the failure rate (failed and skipped among those
 * that settled); and approval → live time (p50, p90), overall and per platform.
 */
import { approvalToLivePercentiles, deliveryDayCounts } from '../db/console-reads.js';
import type { AppContext } from './context.js';

const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

export interface DayRow {
  date: string;
  platform: string;
  live: number;
  failed: number;
  skipped: number;
}

export interface DeliveryStats {
  days: DayRow[];
  failureRate: { overall: number | null; byPlatform: Record<string, number | null> };
  approvalToLive: { p50Sec: number | null; p90Sec: number | null; byPlatform: Record<string, { p50Sec: number | null; p90Sec: number | null }> };
  generatedAt: string;
}

/** The Shanghai calendar days ending today, oldest first, and the instant the first one starts. */
export function shanghaiDays(now: Date, days: number): { dates: string[]; since: Date } {
  const todayStart = Math.floor((now.getTime() + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS; // midnight, in shifted time
  const dates: string[] = [];
  for (let i = days - 1; i >= 0; i--) dates.push(new Date(todayStart - i * DAY_MS).toISOString().slice(0, 10));
  return { dates, since: new Date(todayStart - (days - 1) * DAY_MS - SHANGHAI_OFFSET_MS) };
}

const rate = (bad: number, all: number) => (all === 0 ? null : Math.round((bad / all) * 10_000) / 10_000);
const seconds = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);

export class StatsService {
  constructor(private readonly ctx: AppContext) {}

  async deliveries(query: { days?: number; platform?: string }, now = new Date()): Promise<DeliveryStats> {
    const { dates, since } = shanghaiDays(now, query.days ?? 30);
    const filter = { since, ...(query.platform ? { platform: query.platform } : {}) };
    const [counts, waits] = await Promise.all([deliveryDayCounts(this.ctx.db, filter), approvalToLivePercentiles(this.ctx.db, filter)]);

    // Every day of the window for each platform with something in it (charts draw zeros too).
    const platforms = [...new Set([...(query.platform ? [query.platform] : []), ...counts.map((c) => c.platform)])].sort();
    const cell = new Map<string, DayRow>();
    for (const date of dates) for (const platform of platforms) cell.set(`${date}|${platform}`, { date, platform, live: 0, failed: 0, skipped: 0 });
    for (const c of counts) {
      const row = cell.get(`${c.day}|${c.platform}`);
      if (row) row[c.outcome] += c.n;
    }
    const days = [...cell.values()];

    const totals = (rows: DayRow[]) =>
      rows.reduce((t, r) => ({ bad: t.bad + r.failed + r.skipped, all: t.all + r.live + r.failed + r.skipped }), { bad: 0, all: 0 });
    const overall = totals(days);
    const byPlatform: Record<string, number | null> = {};
    for (const platform of platforms) {
      const t = totals(days.filter((d) => d.platform === platform));
      byPlatform[platform] = rate(t.bad, t.all);
    }

    const all = waits.find((w) => w.platform === null);
    const waitsByPlatform: Record<string, { p50Sec: number | null; p90Sec: number | null }> = {};
    for (const w of waits) if (w.platform !== null) waitsByPlatform[w.platform] = { p50Sec: seconds(w.p50), p90Sec: seconds(w.p90) };

    return {
      days,
      failureRate: { overall: rate(overall.bad, overall.all), byPlatform },
      approvalToLive: { p50Sec: seconds(all?.p50 ?? null), p90Sec: seconds(all?.p90 ?? null), byPlatform: waitsByPlatform },
      generatedAt: now.toISOString(),
    };
  }
}
