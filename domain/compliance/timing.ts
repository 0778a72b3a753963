/**
 * 三同步 timing and Art. 26 disclosure limits, in working days (domain/working-days.ts: the start day is
 * not counted).
 *
 * interpretation_late: govpub releases a package's document and interpretations together, so lateness is
 * possible only for interpretations added by a later revision to an already released document, and for
 * documents registered as published without govpub: working days from the document's first live time to
 * the interpretation's > the limit (3). A document whose catalogue item requires an interpretation and
 * that still has none is late once the limit has passed, unless the package was retracted since.
 *
 * disclosure_late: a proactive catalogue item's document, 成文日期 (formedAt) → first release, more than
 * the limit (20 working days); an unreleased one past its deadline (warning), or within the reminder
 * window before it (reminder); a released one whose 成文日期 is after its release (a wrong date).
 *
 * A date the calendar does not cover gives one calendar_out_of_range finding per year (with the subjects
 * it affects), never a guessed count; but a limit the covered days decide whatever the missing year holds
 * is judged (a document formed in November 2026 whose deadline passed in December is late when it goes
 * out in January 2027, a year chinese-days 1.5.7 does not hold): its count is then said as 「至少 N」.
 */
import { CalendarOutOfRange, chinaDate, type CalendarDate } from '../working-days.js';
import { type CheckContext } from './check-context.js';
import type { DisclosureFacts, InterpretationTimingFacts } from './facts.js';
import type { FindingDraft } from './model.js';

interface OutOfRange {
  years: Map<number, { covered: readonly number[]; source: string; subjects: string[] }>;
}

function guard(out: OutOfRange, subject: string, work: () => void): void {
  try {
    work();
  } catch (error) {
    if (!(error instanceof CalendarOutOfRange)) throw error;
    const entry = out.years.get(error.year) ?? { covered: error.covered, source: error.source, subjects: [] };
    entry.subjects.push(subject);
    out.years.set(error.year, entry);
  }
}

/** A count of working days as far as the calendar can tell (WorkingDayCalendar.workingDaysRange). */
interface Span {
  min: number;
  max: number;
  uncovered: CalendarDate | null;
}

/** 「5」, or 「至少 5」 when a year between is not in the calendar (the days it holds already make 5). */
const countZh = (n: number, span: Span) => (span.uncovered ? `至少 ${n}` : `${n}`);
const countEn = (n: number, span: Span) => (span.uncovered ? `at least ${n}` : `${n}`);
const gapZh = (span: Span) => (span.uncovered ? `（工作日历不含 ${span.uncovered.slice(0, 4)} 年的节假日安排，仅按已收录的日期计算，已可判定）` : '');
const gapEn = (span: Span) => (span.uncovered ? ` (the calendar does not hold ${span.uncovered.slice(0, 4)}; the days it holds decide this already)` : '');
/** Said in the facts when the count is a lower bound. */
const bound = (span: Span) => (span.uncovered ? { atLeast: true, uncoveredYear: Number(span.uncovered.slice(0, 4)) } : {});

export function checkTiming(
  interpretations: readonly InterpretationTimingFacts[],
  disclosures: readonly DisclosureFacts[],
  ctx: CheckContext,
): { drafts: FindingDraft[] } {
  const { interpretationWorkingDays: interpLimit, disclosureWorkingDays: limit, disclosureReminderWorkingDays: reminder } = ctx.thresholds.timing;
  const cal = ctx.calendar;
  const drafts: FindingDraft[] = [];
  const out: OutOfRange = { years: new Map() };

  for (const doc of interpretations) {
    const subject = { type: 'package' as const, id: doc.subjectId, name: doc.title };
    const docDay = chinaDate(doc.documentLiveAt);
    guard(out, doc.subjectId, () => {
      if (doc.interpretationLiveAt !== null) {
        if (!doc.addedLater) return;
        const interpDay = chinaDate(doc.interpretationLiveAt);
        const span = cal.workingDaysRange(docDay, interpDay);
        if (span.max <= interpLimit) return;
        if (span.min <= interpLimit) throw cal.outOfRange(span.uncovered!);
        const workingDays = span.min;
        drafts.push({
          kind: 'interpretation_late',
          severity: 'warning',
          subject,
          ownerUnit: doc.ownerUnit,
          message: `《${doc.title}》的政策解读晚于文件 ${countZh(workingDays, span)} 个工作日发布（文件 ${docDay}，解读 ${interpDay}）${gapZh(span)}，超过「最迟不超过 ${interpLimit} 个工作日」的要求。今后请将解读与文件同步组织、同步审签、同步发布。`,
          messageEn: `The interpretation of "${doc.title}" went live ${countEn(workingDays, span)} working days after the document (document ${docDay}, interpretation ${interpDay})${gapEn(span)}, beyond the ${interpLimit}-working-day limit. Release interpretations with their documents (三同步).`,
          facts: {
            documentLiveAt: doc.documentLiveAt,
            interpretationLiveAt: doc.interpretationLiveAt,
            workingDays,
            ...bound(span),
            limitWorkingDays: interpLimit,
            external: doc.subjectType === 'external',
          },
        });
        return;
      }
      // A retracted document is no longer out there: telling its unit to add an interpretation would be wrong.
      if (!doc.requiresInterpretation || doc.retracted) return;
      const span = cal.workingDaysRange(docDay, ctx.today);
      if (span.max <= interpLimit) return;
      if (span.min <= interpLimit) throw cal.outOfRange(span.uncovered!);
      const workingDaysElapsed = span.min;
      drafts.push({
        kind: 'interpretation_late',
        severity: 'warning',
        subject,
        ownerUnit: doc.ownerUnit,
        message: `《${doc.title}》已发布 ${countZh(workingDaysElapsed, span)} 个工作日（${docDay}）${gapZh(span)}，仍没有政策解读，超过「最迟不超过 ${interpLimit} 个工作日」的要求。请尽快补充解读并与文件双向关联发布。`,
        messageEn: `"${doc.title}" has been live for ${countEn(workingDaysElapsed, span)} working days (since ${docDay})${gapEn(span)} without an interpretation, beyond the ${interpLimit}-working-day limit. Add its interpretation (a new revision) and release it linked to the document.`,
        facts: {
          documentLiveAt: doc.documentLiveAt,
          interpretationLiveAt: null,
          workingDaysElapsed,
          ...bound(span),
          limitWorkingDays: interpLimit,
          external: doc.subjectType === 'external',
        },
      });
    });
  }

  for (const doc of disclosures) {
    const subject = { type: 'package' as const, id: doc.packageId, name: doc.title };
    guard(out, doc.packageId, () => {
      // Count first, and look for the deadline's date only when the count needs it: for a document formed
      // in December the deadline may fall in a year the calendar does not hold yet, yet a release (or today)
      // fewer than `limit` working days after formation is decided by the days the calendar does hold; and a
      // deadline the calendar holds decides a release (or today) in a year it does not hold yet.
      if (doc.firstLiveAt !== null) {
        const liveDay = chinaDate(doc.firstLiveAt);
        // Published before it was formed: the 成文日期 is wrong (a year mistyped as 2031 is a date error, not a calendar gap).
        if (liveDay < doc.formedAt) {
          // Retracted, the wrong date is no longer shown; the corrected document is a package of its own, judged on its own.
          if (doc.status === 'retracted' || doc.status === 'retracting') return;
          drafts.push({
            kind: 'disclosure_late',
            severity: 'warning',
            subject,
            ownerUnit: doc.ownerUnit,
            message: `《${doc.title}》的成文日期 ${doc.formedAt} 晚于其公开日期 ${liveDay}：文件不能在成文之前公开，页面上的日期会被视为错误。请核对成文日期：如确有误，已发布的稿件不能直接修改，请撤稿，并以正确的成文日期新建稿件发布。`,
            messageEn: `"${doc.title}" shows ${doc.formedAt} as its date of formation, after it was disclosed on ${liveDay}: a document cannot be published before it is formed. Check the date: if it is wrong, a released package is not edited in place, so retract it and publish the document again as a new package with the right date.`,
            facts: { formedAt: doc.formedAt, firstLiveAt: doc.firstLiveAt, formedAfterRelease: true, released: true },
          });
          return;
        }
        const span = cal.workingDaysRange(doc.formedAt, liveDay);
        if (span.max < limit) return;
        // The deadline's date, when the calendar holds it, decides a release in a year it does not hold too.
        const deadline = cal.addWorkingDays(doc.formedAt, limit);
        if (liveDay <= deadline) return;
        const workingDays = span.min;
        // Released on a rest day after the deadline: the count is still `limit`, so say the dates, not "20 beyond 20".
        const onRestDay = span.uncovered === null && workingDays === limit;
        drafts.push({
          kind: 'disclosure_late',
          severity: 'warning',
          subject,
          ownerUnit: doc.ownerUnit,
          message: onRestDay
            ? `《${doc.title}》成文于 ${doc.formedAt}，《政府信息公开条例》第二十六条规定的 ${limit} 个工作日期限至 ${deadline}，却于其后的休息日 ${liveDay} 才公开，晚于期限。今后请在成文后 ${limit} 个工作日内公开。`
            : `《${doc.title}》成文于 ${doc.formedAt}，于 ${liveDay} 公开，用时 ${countZh(workingDays, span)} 个工作日${gapZh(span)}，超过《政府信息公开条例》第二十六条规定的 ${limit} 个工作日（期限至 ${deadline}）。今后请在成文后 ${limit} 个工作日内公开。`,
          messageEn: onRestDay
            ? `"${doc.title}" was formed on ${doc.formedAt}; its ${limit}-working-day deadline under Art. 26 was ${deadline}, and it was disclosed on ${liveDay}, a rest day after it: late. Disclose within ${limit} working days of formation.`
            : `"${doc.title}" was formed on ${doc.formedAt} and disclosed on ${liveDay}: ${countEn(workingDays, span)} working days${gapEn(span)}, beyond the ${limit} of Art. 26 (deadline ${deadline}). Disclose within ${limit} working days of formation.`,
          facts: { formedAt: doc.formedAt, firstLiveAt: doc.firstLiveAt, deadline, workingDays, ...bound(span), limitWorkingDays: limit, released: true },
        });
        return;
      }
      if (doc.status === 'retracted' || doc.status === 'retracting') return;
      const span = cal.workingDaysRange(doc.formedAt, ctx.today);
      if (limit - span.max > reminder) return;
      const deadline = cal.addWorkingDays(doc.formedAt, limit);
      if (ctx.today > deadline) {
        const workingDaysElapsed = span.min;
        // A rest day right after the deadline: the count is still `limit`, so say the dates, not "20 beyond 20".
        const onRestDay = span.uncovered === null && workingDaysElapsed === limit;
        drafts.push({
          kind: 'disclosure_late',
          severity: 'warning',
          subject,
          ownerUnit: doc.ownerUnit,
          message: onRestDay
            ? `《${doc.title}》成文于 ${doc.formedAt}，第二十六条规定的 ${limit} 个工作日公开期限至 ${deadline}，已过期限（今天 ${ctx.today} 是休息日）仍未公开。请尽快完成审核并发布。`
            : `《${doc.title}》成文于 ${doc.formedAt}，已过 ${countZh(workingDaysElapsed, span)} 个工作日${gapZh(span)}仍未公开，超过第二十六条规定的 ${limit} 个工作日（期限 ${deadline} 已过）。请尽快完成审核并发布。`,
          messageEn: onRestDay
            ? `"${doc.title}" was formed on ${doc.formedAt}; its ${limit}-working-day deadline under Art. 26 was ${deadline}, which has passed (today, ${ctx.today}, is a rest day), and it is still not disclosed. Finish its review and release it now.`
            : `"${doc.title}" was formed on ${doc.formedAt} and is still not disclosed after ${countEn(workingDaysElapsed, span)} working days${gapEn(span)}: the ${limit}-working-day deadline (${deadline}) has passed. Finish its review and release it now.`,
          facts: {
            formedAt: doc.formedAt,
            firstLiveAt: null,
            deadline,
            workingDaysElapsed,
            ...bound(span),
            limitWorkingDays: limit,
            released: false,
            status: doc.status,
          },
        });
        return;
      }
      const workingDaysLeft = cal.workingDaysBetween(ctx.today, deadline);
      if (workingDaysLeft > reminder) return;
      drafts.push({
        kind: 'disclosure_late',
        severity: 'reminder',
        subject,
        ownerUnit: doc.ownerUnit,
        message:
          workingDaysLeft === 0
            ? `《${doc.title}》成文于 ${doc.formedAt}，今天（${deadline}）是 ${limit} 个工作日公开期限的最后一天，请今天完成审核并发布。`
            : `《${doc.title}》成文于 ${doc.formedAt}，最迟须于 ${deadline} 公开（${limit} 个工作日），还剩 ${workingDaysLeft} 个工作日。请尽快提交审核并安排发布。`,
        messageEn:
          workingDaysLeft === 0
            ? `"${doc.title}" was formed on ${doc.formedAt}: today (${deadline}) is the last day of its ${limit}-working-day deadline. Finish its review and release it today.`
            : `"${doc.title}" was formed on ${doc.formedAt} and must be disclosed by ${deadline} (${limit} working days): ${workingDaysLeft} working days left. Submit it for review and schedule its release.`,
        facts: { formedAt: doc.formedAt, firstLiveAt: null, deadline, workingDaysLeft, limitWorkingDays: limit, released: false, status: doc.status },
      });
    });
  }

  for (const [year, entry] of out.years) {
    drafts.push({
      kind: 'calendar_out_of_range',
      severity: 'warning',
      subject: { type: 'calendar', id: String(year), name: `${year} 年工作日历` },
      ownerUnit: ctx.siteOwnerUnit,
      message: `工作日历（${entry.source}）不含 ${year} 年的节假日安排，${entry.subjects.length} 项工作日期限无法计算，未作推算。请更新 chinese-days 软件包，或在 config/registry/workdays.yaml 的 extraYears 中录入该年的官方安排。`,
      messageEn: `The working-day calendar (${entry.source}) does not cover ${year}: ${entry.subjects.length} working-day limits cannot be counted and were not guessed. Update the chinese-days package, or enter ${year}'s official arrangement in config/registry/workdays.yaml (extraYears).`,
      facts: { year, coveredYears: [...entry.covered], source: entry.source, affected: entry.subjects.length, examples: entry.subjects.slice(0, 10) },
    });
  }
  return { drafts };
}
