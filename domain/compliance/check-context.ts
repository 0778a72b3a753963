/** What every check is given besides its facts: the time, the thresholds and the working-day calendar. */
import type { CalendarDate, WorkingDayCalendar } from '../working-days.js';
import type { ComplianceThresholds } from './thresholds.js';

export interface CheckContext {
  now: Date;
  /** `now` as a China calendar date. */
  today: CalendarDate;
  thresholds: ComplianceThresholds;
  calendar: WorkingDayCalendar;
  /** The unit answering for the site as a whole (区政府办公室), by id; null when units.yaml has none. */
  siteOwnerUnit: string | null;
}

/** `2026-03-01T02:00:00Z` → `2026-03-01 10:00` (China time), for messages. */
export function chinaTime(iso: string): string {
  const d = new Date(Date.parse(iso) + 8 * 3_600_000).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 16)}`;
}

export const SOURCE_ZH = { govpub: 'govpub 发布记录', platform: '平台发布列表', portal: '门户网站栏目清单' } as const;
export const SOURCE_EN = { govpub: "govpub's deliveries", platform: "the platform's post list", portal: "the portal's manifest" } as const;
