// The compliance API's shapes (one definition: domain/compliance/model.ts) and how the console words its figures.
export { FINDING_KINDS, SEVERITIES } from '../../../../domain/compliance/model';
export type { ComplianceView, Finding, FindingEvent, Severity, ThresholdStatus } from '../../../../domain/compliance/model';
import type { ThresholdStatus } from '../../../../domain/compliance/model';

export type UnitNames = Map<string, string>;

export function unitNames(units: { id: string; name: string }[]): UnitNames {
  return new Map(units.map((u) => [u.id, u.name]));
}

/** "6 / 5": the value against its veto limit, in the threshold's own unit (days, a share as a percentage). */
export function thresholdText(t: ThresholdStatus): string {
  if (t.id === 'unreachable_share') {
    // A share is sent as a fraction (0.05); a limit above 1 means it was sent in percent already.
    const percent = (v: number) => `${(t.limit <= 1 ? v * 100 : v).toFixed(1).replace(/\.0$/, '')}%`;
    return `${percent(t.value)} / ${percent(t.limit)}`;
  }
  // A home page with nothing on it fails with a value of 0 days (domain/compliance/site.ts: no date to
  // count from); "0 天 / 14 天 ✕ 不合格" would contradict itself, so it is said in words.
  if (t.id === 'home_stale_days' && t.failed && t.value <= t.limit) return '首页无内容';
  if (t.id.endsWith('_days')) return `${t.value} 天 / ${t.limit} 天`;
  return `${t.value} / ${t.limit}`;
}
