/**
 * Checks `workdays.yaml`: the district's extra days off and working days (domain/working-days.ts), each a
 * real date with a reason, none listed twice or as both, each in a year the calendar covers (the
 * package's or one of `extraYears`).
 */
import { isScalar } from 'yaml';
import { describeYears, isValidDate, type WorkdayOverrides } from '../../domain/working-days.js';
import { readMap, readSeq, readString } from '../yaml-fields.js';
import { describe, type At, type FileCheck } from '../yaml-lines.js';

export interface WorkdaysContext {
  /** The years the official calendar covers. */
  officialYears: readonly number[];
  source: string;
}

function isEmpty(at: At): boolean {
  return isScalar(at.node) && at.node.value === null;
}

export function checkWorkdays(fc: FileCheck, root: At, ctx: WorkdaysContext): WorkdayOverrides | undefined {
  const fields = readMap(fc, root, { required: [], optional: ['daysOff', 'workingDays', 'extraYears'] }, 'the district working-day overrides');
  if (!fields) return undefined;
  let ok = true;

  const extraYears: number[] = [];
  const yearsAt = fields.get('extraYears');
  if (yearsAt && !isEmpty(yearsAt)) {
    for (const at of readSeq(fc, yearsAt, 'years') ?? ((ok = false), [])) {
      const value = isScalar(at.node) ? at.node.value : undefined;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 2000 || value > 2100) {
        fc.issue(at.path, `expected a year such as 2027, got ${describe(at.node)}`, at.line);
        ok = false;
      } else if (ctx.officialYears.includes(value)) {
        fc.issue(at.path, `${value} is covered by ${ctx.source} already; list only years it does not cover`, at.line);
        ok = false;
      } else if (extraYears.includes(value)) {
        fc.issue(at.path, `${value} is listed twice`, at.line);
        ok = false;
      } else extraYears.push(value);
    }
  }
  const covered = new Set([...ctx.officialYears, ...extraYears]);

  const seen = new Map<string, string>();
  const readDays = (key: 'daysOff' | 'workingDays') => {
    const out: { date: string; reason: string }[] = [];
    const at = fields.get(key);
    if (!at || isEmpty(at)) return out;
    const items = readSeq(fc, at, 'days ({ date, reason })');
    if (!items) {
      ok = false;
      return out;
    }
    for (const item of items) {
      const entry = readMap(fc, item, { required: ['date', 'reason'] }, 'a day ({ date: YYYY-MM-DD, reason: … })');
      if (!entry) {
        ok = false;
        continue;
      }
      const dateAt = entry.get('date');
      const date = readString(fc, dateAt, { pattern: /^\d{4}-\d{2}-\d{2}$/, patternHint: 'must be a date YYYY-MM-DD (in quotes is fine)' });
      const reason = readString(fc, entry.get('reason'));
      if (date === undefined || reason === undefined) {
        ok = false;
        continue;
      }
      if (!isValidDate(date)) {
        fc.issue(dateAt!.path, `"${date}" is not a calendar date`, dateAt!.line);
        ok = false;
        continue;
      }
      if (/[\u0000-\u001f\u007f]/.test(reason)) {
        fc.issue(entry.get('reason')!.path, 'must not contain control characters', entry.get('reason')!.line);
        ok = false;
        continue;
      }
      const year = Number(date.slice(0, 4));
      if (!covered.has(year)) {
        fc.issue(
          dateAt!.path,
          `${date} is in ${year}, which ${ctx.source} does not cover (${describeYears(ctx.officialYears)}); add ${year} to extraYears with its whole official arrangement, or remove the day`,
          dateAt!.line,
        );
        ok = false;
        continue;
      }
      const other = seen.get(date);
      if (other) {
        fc.issue(dateAt!.path, other === key ? `${date} is listed twice` : `${date} is listed under both daysOff and workingDays`, dateAt!.line);
        ok = false;
        continue;
      }
      seen.set(date, key);
      out.push({ date, reason });
    }
    return out;
  };
  const daysOff = readDays('daysOff');
  const workingDays = readDays('workingDays');
  return ok ? { daysOff, workingDays, extraYears } : undefined;
}
