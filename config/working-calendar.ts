/**
 * The official holiday and make-up-workday calendar from the kept `chinese-days` package (its shipped
 * JSON, not its functions: those answer any year by weekdays alone), with the district's overrides
 * from config/registry/workdays.yaml (the registry's `workdays`).
 *
 * Coverage: the package states no range, so a year counts as covered when the data holds that year's
 * official arrangement, i.e. its Spring Festival and National Day holidays (the notice sets both every
 * year); any other year is out of range (domain/working-days.ts CalendarOutOfRange).
 */
import { createRequire } from 'node:module';
import { WorkingDayCalendar, type OfficialCalendar, type WorkdayOverrides } from '../domain/working-days.js';

const require = createRequire(import.meta.url);

interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

let official: OfficialCalendar | undefined;

/** The official calendar as the installed package ships it (read once). */
export function officialCalendar(): OfficialCalendar {
  if (official) return official;
  const data = require('chinese-days/dist/chinese-days.json') as ChineseDaysData;
  const version = (require('chinese-days/package.json') as { version: string }).version;
  const festivals = new Map<number, Set<string>>();
  for (const [date, label] of Object.entries(data.holidays)) {
    const year = Number(date.slice(0, 4));
    const name = label.split(',')[0] ?? '';
    if (!festivals.has(year)) festivals.set(year, new Set());
    festivals.get(year)!.add(name);
  }
  const years = [...festivals]
    .filter(([, names]) => names.has('Spring Festival') && names.has('National Day'))
    .map(([year]) => year)
    .sort((a, b) => a - b);
  official = Object.freeze({
    holidays: Object.freeze(Object.keys(data.holidays)),
    workdays: Object.freeze(Object.keys(data.workdays)),
    years: Object.freeze(years),
    source: `chinese-days ${version}`,
  });
  return official;
}

/** The working-day calendar with the district's overrides. */
export function workingDayCalendar(overrides?: WorkdayOverrides): WorkingDayCalendar {
  return new WorkingDayCalendar(officialCalendar(), overrides);
}
