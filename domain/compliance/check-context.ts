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

export { chinaTime } from '../beijing-time.js';

export const SOURCE_ZH = { govpub: 'govpub 发布记录', platform: '平台发布列表', portal: '门户网站栏目清单' } as const;
export const SOURCE_EN = { govpub: "govpub's deliveries", platform: "the platform's post list", portal: "the portal's manifest" } as const;
