/** How a threshold's figure is said against its veto limit, the same in the console and the CLI. */
import type { ThresholdStatus } from './model.js';

/** "6 / 5": the value against its veto limit, in the threshold's own unit (days, a share as a percentage). */
export function thresholdText(t: ThresholdStatus): string {
  if (t.id === 'unreachable_share') {
    // Value and limit are percentages already (domain/compliance/site.ts: 4.99 is 4.99 %, a limit of 1 is 1 %),
    // shown as sent: to one decimal 4.99 would read 5 %, at the veto line, on a site that passed.
    const percent = (v: number) => `${v}%`;
    return `${percent(t.value)} / ${percent(t.limit)}`;
  }
  // A home page with nothing on it fails with a value of 0 days (domain/compliance/site.ts: no date to
  // count from); "0 天 / 14 天 ✕ 不合格" would contradict itself, so it is said in words.
  if (t.id === 'home_stale_days' && t.failed && t.value <= t.limit) return '首页无内容';
  if (t.id.endsWith('_days')) return `${t.value} 天 / ${t.limit} 天`;
  return `${t.value} / ${t.limit}`;
}
