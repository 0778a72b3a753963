/**
 * 合规监测's threshold figures as the console words them (web/src/pages/compliance/compliance.ts):
 * the same numbers the API sends in GET /api/compliance (domain/compliance/site.ts), never rounded
 * or rescaled into another figure.
 */
import { describe, expect, it } from 'vitest';
import { checkSite } from '../../domain/compliance/site.js';
import { DEFAULT_THRESHOLDS } from '../../domain/compliance/thresholds.js';
import { workingDayCalendar } from '../../config/working-calendar.js';
import { thresholdText } from '../../web/src/pages/compliance/compliance.js';

const now = new Date('2026-12-04T02:00:00Z');
const columns = { stale: 0, longStale: 0, empty: 0, judged: 10 };

/** The site's reachability status as the monitor reports it, for probes of which `failed` failed. */
function reachability(total: number, failed: number, unreachablePercent = DEFAULT_THRESHOLDS.site.unreachablePercent) {
  const probes = Array.from({ length: total }, (_, i) => ({ at: now.toISOString(), ok: i >= failed, durationMs: 300 }));
  const thresholds = { ...DEFAULT_THRESHOLDS, site: { ...DEFAULT_THRESHOLDS.site, unreachablePercent } };
  const site = { homeLastUpdatedAt: now.toISOString(), homeSource: 'govpub' as const, probes, probeWindow: { from: now.toISOString(), to: now.toISOString() } };
  const ctx = { now, today: '2026-12-04', thresholds, calendar: workingDayCalendar(), siteOwnerUnit: null };
  return checkSite(columns, site, ctx).thresholds.find((t) => t.id === 'unreachable_share')!;
}

describe('the reachability share', () => {
  it('shows a site just under the veto line as under it: 999 of 20,001 probes failed is 4.99 %, not 5 %', () => {
    const status = reachability(20_001, 999);
    expect(status).toMatchObject({ value: 4.99, limit: 5, failed: false });
    expect(thresholdText(status)).toBe('4.99% / 5%');
  });

  it('shows a limit of 1 % as 1 %, not as 100 %', () => {
    const status = reachability(200, 1, 1);
    expect(status).toMatchObject({ value: 0.5, limit: 1, failed: false });
    expect(thresholdText(status)).toBe('0.5% / 1%');
    expect(thresholdText(reachability(100, 0, 0.5))).toBe('0% / 0.5%');
  });

  it('shows the line itself and a share over it as the API sends them', () => {
    expect(thresholdText(reachability(100, 5))).toBe('5% / 5%');
    expect(reachability(100, 5).failed).toBe(true);
    expect(thresholdText(reachability(8, 1))).toBe('12.5% / 5%');
  });
});
