/** The pure compliance rules at their boundaries, and what the findings store counts as a change. */
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../config/registry.js';
import { workingDayCalendar } from '../../config/working-calendar.js';
import { checkAccounts } from '../../domain/compliance/accounts.js';
import { changeOf } from '../../domain/compliance/changes.js';
import type { CheckContext } from '../../domain/compliance/check-context.js';
import { checkColumns } from '../../domain/compliance/columns.js';
import type { AccountFacts, ColumnFacts, SiteFacts } from '../../domain/compliance/facts.js';
import { checkSite } from '../../domain/compliance/site.js';
import { DEFAULT_THRESHOLDS } from '../../domain/compliance/thresholds.js';
import { checkTiming } from '../../domain/compliance/timing.js';
import { timingFacts } from '../../services/compliance/facts.js';

const now = new Date('2026-10-12T02:00:00Z'); // 10:00 China time
const ctx: CheckContext = { now, today: '2026-10-12', thresholds: DEFAULT_THRESHOLDS, calendar: workingDayCalendar(), siteOwnerUnit: 'zfb' };
const at = (date: string) => `${date}T01:00:00.000Z`;

const account = (lastPostAt: string | null): AccountFacts => ({
  channelId: 'wechat_oa:x',
  name: '碑林测试',
  ownerUnit: 'u',
  lastPostAt,
  source: lastPostAt ? 'govpub' : null,
});

describe('account_silent', () => {
  it('nothing before day 10, a reminder from day 10, a veto from day 14, a veto when no post is known', () => {
    const severity = (date: string | null) => checkAccounts([account(date && at(date))], ctx).drafts.map((d) => d.severity);
    expect(severity('2026-10-03')).toEqual([]); // 9 days
    expect(severity('2026-10-02')).toEqual(['reminder']); // 10
    expect(severity('2026-09-29')).toEqual(['reminder']); // 13
    expect(severity('2026-09-28')).toEqual(['veto']); // 14
    expect(severity(null)).toEqual(['veto']);
    const draft = checkAccounts([account(at('2026-09-27'))], ctx).drafts[0]!;
    expect(draft.facts).toMatchObject({ daysSilent: 15, limitDays: 14, source: 'govpub' });
    expect(draft.messageEn).toContain('15 days');
    expect(checkAccounts([account(at('2026-09-27'))], ctx).thresholds[0]).toMatchObject({ id: 'silent_accounts', value: 1, failed: true });
  });

  it("says when the platform's own list could not be read, so the silence is govpub's view only", () => {
    const unreadable = { ...account(at('2026-09-27')), platformListUnavailable: 'list unavailable: invalid credential' };
    expect(checkAccounts([unreadable], ctx).drafts[0]!.facts).toMatchObject({ platformList: 'list unavailable: invalid credential', source: 'govpub' });
    expect(checkAccounts([account(at('2026-09-27'))], ctx).drafts[0]!.facts).not.toHaveProperty('platformList');
  });
});

const column = (updateClass: ColumnFacts['updateClass'], lastUpdatedAt: string | null, extra: Partial<ColumnFacts> = {}): ColumnFacts => ({
  channelId: 'portal:c',
  columnId: 'c',
  name: '栏目',
  updateClass,
  leaf: true,
  depth: 2,
  ownerUnit: 'u',
  count: lastUpdatedAt ? 3 : 0,
  lastUpdatedAt,
  source: 'portal',
  ...extra,
});

describe('account_silent on a platform govpub cannot list', () => {
  it('does not say the platform lists no post when its list cannot be read (Toutiao, WeChat Channels: posted by hand)', () => {
    const toutiao = { ...account(null), channelId: 'toutiao:blwhly-tt', name: '碑林文化旅游', platformListable: false };
    const [draft] = checkAccounts([toutiao], ctx).drafts;
    expect(draft!.severity).toBe('veto');
    expect(draft!.message).not.toContain('平台发布列表也未列出');
    expect(draft!.message).toContain('该平台的发布列表 govpub 无法读取，在平台上直接发布的内容不计入');
    expect(draft!.messageEn).not.toContain('the platform lists none');
    expect(draft!.facts).toMatchObject({ lastPostAt: null, platformListable: false });
    // A platform whose list was read and shows nothing is said so, as before.
    expect(checkAccounts([account(null)], ctx).drafts[0]!.message).toContain('平台发布列表也未列出');
  });
});

describe('columns', () => {
  const kinds = (c: ColumnFacts) => checkColumns([c], ctx).drafts.map((d) => d.kind);
  it('news/dynamic: stale after more than 14 days', () => {
    expect(kinds(column('news_dynamic', at('2026-09-28')))).toEqual([]);
    expect(kinds(column('news_dynamic', at('2026-09-27')))).toEqual(['column_stale']);
  });
  it('notice/policy: stale at 6 months and a day', () => {
    expect(kinds(column('notice_policy', at('2026-04-12')))).toEqual([]);
    expect(kinds(column('notice_policy', at('2026-04-11')))).toEqual(['column_stale']);
  });
  it('long stale a calendar year and a day after the last update, across a 29 February too, with the limit in its words', () => {
    const longStale = (updated: string, today: string) =>
      checkColumns([column('news_dynamic', at(updated))], { ...ctx, today }).drafts.some((d) => d.kind === 'column_long_stale');
    // A year with 29 February in it: the anniversary (366 days on) is not past a year yet; the day after is.
    expect(longStale('2027-03-01', '2028-03-01')).toBe(false);
    expect(longStale('2027-03-01', '2028-03-02')).toBe(true);
    // Updated on 29 February: a year on is 28 February (clamped as the six-month rule is).
    expect(longStale('2028-02-29', '2029-02-28')).toBe(false);
    expect(longStale('2028-02-29', '2029-03-01')).toBe(true);
    // A year without one.
    expect(longStale('2026-03-01', '2027-03-01')).toBe(false);
    expect(longStale('2026-03-01', '2027-03-02')).toBe(true);
    const draft = checkColumns([column('news_dynamic', at('2027-03-01'))], { ...ctx, today: '2028-03-02' }).drafts.find((d) => d.kind === 'column_long_stale')!;
    expect(draft.message).toContain('已 367 天未更新（最近更新：2027-03-01），属于长期未更新栏目（超过 12 个月）');
    expect(draft.facts).toMatchObject({ daysSinceUpdate: 367, limitMonths: 12 });
  });
  it('long stale after a year; empty is empty, not stale; other columns and parents have no rule', () => {
    expect(kinds(column('notice_policy', at('2025-10-11')))).toEqual(['column_stale', 'column_long_stale']);
    expect(kinds(column('notice_policy', at('2025-10-12')))).toEqual(['column_stale']);
    expect(kinds(column('news_dynamic', null))).toEqual(['column_empty']);
    expect(kinds(column('other', null))).toEqual([]);
    expect(kinds(column('other', at('2020-01-01')))).toEqual([]);
    expect(kinds(column('news_dynamic', null, { leaf: false }))).toEqual([]);
  });
});

const site = (probes: SiteFacts['probes'], home: string | null = at('2026-10-11')): SiteFacts => ({
  homeLastUpdatedAt: home,
  homeSource: 'portal',
  probes,
  probeWindow: { from: '', to: '' },
});
const probes = (n: number, failed: number, slow = 0) =>
  Array.from({ length: n }, (_, i) => ({ at: '', ok: i >= failed, durationMs: i >= failed && i < failed + slow ? 15_001 : 200 }));

describe('site', () => {
  it('counts against the veto thresholds (value >= limit fails)', () => {
    const result = checkSite({ stale: 5, longStale: 9, empty: 4, judged: 200 }, site(probes(100, 0)), ctx);
    expect(result.drafts.map((d) => [d.kind, d.severity])).toEqual([['site_stale_columns', 'veto']]);
    expect(result.thresholds.map((t) => [t.id, t.value, t.limit, t.failed])).toEqual([
      ['stale_columns', 5, 5, true],
      ['long_stale_columns', 9, 10, false],
      ['empty_columns', 4, 5, false],
      ['home_stale_days', 1, 14, false],
      ['unreachable_share', 0, 5, false],
    ]);
  });
  it('unreachable: 5 % failed or more, probes of 15 s or longer counted failed (「超过（含）15秒……超过（含）5%」)', () => {
    const kinds = (p: SiteFacts['probes']) => checkSite({ stale: 0, longStale: 0, empty: 0, judged: 1 }, site(p), ctx).drafts.map((d) => d.kind);
    expect(kinds(probes(100, 4))).toEqual([]);
    expect(kinds(probes(100, 5))).toEqual(['site_unreachable']);
    expect(kinds(probes(100, 4, 1))).toEqual(['site_unreachable']);
    expect(kinds([])).toEqual([]);
    // Exactly 15 s has failed; a millisecond less has not.
    const timed = (ms: number) => [...probes(19, 0), { at: '', ok: true, durationMs: ms }];
    expect(kinds(timed(14_999))).toEqual([]);
    expect(kinds(timed(15_000))).toEqual(['site_unreachable']);
  });
  it('unreachable is judged on the exact share, not the rounded one it shows: 1,000 failed of 20,001 show 5 % and pass', () => {
    const result = checkSite({ stale: 0, longStale: 0, empty: 0, judged: 1 }, site(probes(20_001, 1_000)), ctx);
    expect(result.drafts).toEqual([]);
    expect(result.thresholds.find((t) => t.id === 'unreachable_share')).toMatchObject({ value: 5, failed: false });
    const exactly = checkSite({ stale: 0, longStale: 0, empty: 0, judged: 1 }, site(probes(20_000, 1_000)), ctx);
    expect(exactly.drafts.map((d) => d.kind)).toEqual(['site_unreachable']);
    expect(exactly.drafts[0]!.message).toContain('达到或超过 5%');
  });
  it('home page: veto after more than 14 days, or when it shows nothing', () => {
    const kinds = (home: string | null) => checkSite({ stale: 0, longStale: 0, empty: 0, judged: 1 }, site(probes(10, 0), home), ctx).drafts.map((d) => d.kind);
    expect(kinds(at('2026-09-28'))).toEqual([]);
    expect(kinds(at('2026-09-27'))).toEqual(['home_stale']);
    expect(kinds(null)).toEqual(['home_stale']);
  });
});

describe('timing', () => {
  const interp = (doc: string, interpretation: string | null, addedLater = true, requiresInterpretation = false, retracted = false) => ({
    subjectId: 'p',
    subjectType: 'package' as const,
    title: '文件',
    ownerUnit: 'u',
    documentLiveAt: doc,
    interpretationLiveAt: interpretation,
    addedLater,
    requiresInterpretation,
    retracted,
  });
  const kinds = (i: ReturnType<typeof interp>[], d: Parameters<typeof checkTiming>[1] = []) => checkTiming(i, d, ctx).drafts.map((x) => [x.kind, x.severity]);

  it('an interpretation added later: late after 3 working days (the 调休 Sunday counts)', () => {
    expect(kinds([interp(at('2026-09-18'), at('2026-09-22'))])).toEqual([]);
    expect(kinds([interp(at('2026-09-18'), at('2026-09-23'))])).toEqual([['interpretation_late', 'warning']]);
    expect(kinds([interp(at('2026-09-18'), at('2026-09-30'), false)])).toEqual([]);
  });
  it('a required interpretation still missing is late once 3 working days passed', () => {
    expect(kinds([interp(at('2026-10-06'), null, false, true)])).toEqual([['interpretation_late', 'warning']]); // Oct 8, 9, 10 (调休 Saturday), 12: 4 working days
    expect(kinds([interp(at('2026-10-08'), null, false, true)])).toEqual([]); // Oct 9, 10, 12: 3
    expect(kinds([interp(at('2026-09-30'), null, false, true)])).toEqual([['interpretation_late', 'warning']]);
    expect(kinds([interp(at('2026-09-30'), null, false, false)])).toEqual([]);
  });
  it('a retracted document no longer misses its interpretation (its unit is not told to add one)', async () => {
    expect(kinds([interp(at('2026-09-30'), null, false, true, true)])).toEqual([]);
    // The retraction reaches the rule from the package's status.
    const registry = await loadRegistry();
    const item = registry.catalogue.find((c) => c.requiresInterpretation)!;
    const row = (status: string) => ({
      package_id: 'r',
      title: '文件',
      catalogue_item_id: item.id,
      status,
      unit: 'u',
      current_revision: 1,
      revision: 1,
      interpretations: 0,
      has_document: true,
      formed_at: null,
      document_title: '文件',
      first_live_at: new Date(at('2026-09-30')),
    });
    const judged = (status: string) => checkTiming(timingFacts(registry, [row(status)]).interpretations, [], ctx).drafts.map((d) => d.kind);
    expect(judged('released')).toEqual(['interpretation_late']);
    expect(judged('retracted')).toEqual([]);
    expect(judged('retracting')).toEqual([]);
  });
  const disclosure = (formedAt: string, firstLiveAt: string | null, status = 'released') => ({
    packageId: 'd',
    title: '文件',
    catalogueItemId: 'qzfb-wj',
    ownerUnit: 'u',
    formedAt,
    firstLiveAt,
    status,
  });
  it('disclosure: working day 20 is in time, 21 late; unreleased ones get a reminder, then a warning', () => {
    expect(kinds([], [disclosure('2026-09-01', at('2026-09-29'))])).toEqual([]);
    expect(kinds([], [disclosure('2026-09-01', at('2026-09-30'))])).toEqual([['disclosure_late', 'warning']]);
    expect(kinds([], [disclosure('2026-09-01', null, 'in_review')])).toEqual([['disclosure_late', 'warning']]);
    expect(kinds([], [disclosure('2026-09-14', null, 'in_review')])).toEqual([['disclosure_late', 'reminder']]); // deadline Oct 16: 4 working days left
    expect(kinds([], [disclosure('2026-09-28', null, 'in_review')])).toEqual([]);
    expect(kinds([], [disclosure('2026-10-09', null, 'draft')])).toEqual([]);
    expect(kinds([], [disclosure('2026-09-01', null, 'retracted')])).toEqual([]);
  });
  it('a 成文日期 after the release is a wrong date, also when its year is one the calendar does not hold', () => {
    const early = checkTiming([], [disclosure('2026-10-20', at('2026-10-09'))], ctx).drafts;
    expect(early.map((d) => [d.kind, d.severity])).toEqual([['disclosure_late', 'warning']]);
    expect(early[0]!.message).toContain('成文日期 2026-10-20 晚于其公开日期 2026-10-09');
    expect(early[0]!.facts).toMatchObject({ formedAfterRelease: true });
    expect(kinds([], [disclosure('2031-03-01', at('2026-03-02'))])).toEqual([['disclosure_late', 'warning']]);
    expect(kinds([], [disclosure('2026-10-09', at('2026-10-09'))])).toEqual([]);
    // What to do is what govpub allows: a released package is retracted and published anew, not edited.
    expect(early[0]!.message).toContain('请撤稿，并以正确的成文日期新建稿件发布');
    // Retracted, the wrong date is shown nowhere: no finding; a late disclosure stays late.
    expect(kinds([], [disclosure('2026-10-20', at('2026-10-09'), 'retracted')])).toEqual([]);
    expect(kinds([], [disclosure('2026-09-01', at('2026-09-30'), 'retracted')])).toEqual([['disclosure_late', 'warning']]);
  });
  it('a 成文日期 corrected by a later revision is the one judged, against the first release', async () => {
    const registry = await loadRegistry();
    const row = (revision: number, formedAt: string, liveAt: string) => ({
      package_id: 'corrected',
      title: '文件',
      catalogue_item_id: 'qzfb-wj',
      status: 'released',
      unit: 'u',
      current_revision: 2,
      revision,
      interpretations: 0,
      has_document: true,
      formed_at: formedAt,
      document_title: '文件',
      first_live_at: new Date(at(liveAt)),
    });
    // Released on 9 October with a mistyped 成文日期 (20 October), then a corrected revision live on 12 October (seeded: today's commands refuse edits of a released package; older or imported data may hold one).
    const wrong = row(1, '2026-10-20', '2026-10-09');
    const { disclosures } = timingFacts(registry, [wrong, row(2, '2026-09-30', '2026-10-12')]);
    expect(disclosures).toEqual([expect.objectContaining({ formedAt: '2026-09-30', firstLiveAt: new Date(at('2026-10-09')).toISOString() })]);
    expect(checkTiming([], disclosures, ctx).drafts).toEqual([]);
    // Corrected to a date the first release was late for: judged late (30 August → 9 October is 25 working days).
    const late = timingFacts(registry, [wrong, row(2, '2026-08-30', '2026-10-12')]).disclosures;
    expect(checkTiming([], late, ctx).drafts.map((d) => [d.kind, d.facts.workingDays])).toEqual([['disclosure_late', 25]]);
    // Not corrected yet: still the wrong date.
    expect(checkTiming([], timingFacts(registry, [wrong]).disclosures, ctx).drafts[0]!.facts).toMatchObject({ formedAfterRelease: true });
  });
  it('says the dates when a release came on a rest day after the deadline, and the last day as today', () => {
    // Formed Friday 6 November: the 20th working day is Friday 4 December; released Saturday 5 December.
    const rest = checkTiming([], [disclosure('2026-11-06', at('2026-12-05'))], ctx).drafts[0]!;
    expect(rest.facts).toMatchObject({ workingDays: 20, deadline: '2026-12-04' });
    expect(rest.message).toContain('期限至 2026-12-04，却于其后的休息日 2026-12-05 才公开');
    expect(rest.message).not.toContain('用时 20 个工作日，超过');
    // Formed 8 September, unreleased: the 20th working day is Monday 12 October (after the National Day week), today.
    const last = checkTiming([], [disclosure('2026-09-08', null, 'in_review')], ctx).drafts[0]!;
    expect([last.severity, last.facts.workingDaysLeft, last.facts.deadline]).toEqual(['reminder', 0, '2026-10-12']);
    expect(last.message).toContain('今天（2026-10-12）是 20 个工作日公开期限的最后一天');
  });
  it('in December, decides what the held year decides although the deadline falls in a year the calendar does not hold', () => {
    // 2027 is not in the calendar: formed 10 December, the 20th working day is in January 2027.
    const december: CheckContext = { ...ctx, now: new Date('2026-12-28T02:00:00Z'), today: '2026-12-28' };
    const judged = (d: Parameters<typeof checkTiming>[1]) => checkTiming([], d, december).drafts.map((x) => [x.kind, x.severity]);
    expect(judged([disclosure('2026-12-10', at('2026-12-21'))])).toEqual([]); // released after 7 working days: in time
    expect(judged([disclosure('2026-12-21', null, 'in_review')])).toEqual([]); // 5 working days gone, 15 left: nothing to say yet
    // 16 working days gone (Dec 7–11, 14–18, 21–25, 28), 4 left: the deadline's date is in 2027, so it is said, not guessed.
    expect(judged([disclosure('2026-12-04', null, 'in_review')])).toEqual([['calendar_out_of_range', 'warning']]);
  });
  it('in January of a year the calendar does not hold, judges what the held days decide: a deadline passed in December is late', () => {
    // chinese-days 1.5.7 holds 2026, not 2027. Formed Friday 6 November: the 20th working day is Friday 4 December.
    const january: CheckContext = { ...ctx, now: new Date('2027-01-05T02:00:00Z'), today: '2027-01-05' };
    const judged = (i: ReturnType<typeof interp>[], d: Parameters<typeof checkTiming>[1]) => checkTiming(i, d, january).drafts;
    // Released 5 January 2027, a month after its deadline: late, whatever the 2027 holidays are.
    const late = judged([], [disclosure('2026-11-06', at('2027-01-05'))]);
    expect(late.map((d) => [d.kind, d.severity])).toEqual([['disclosure_late', 'warning']]);
    // 7 November to 31 December holds 39 working days; the count says it is a lower bound and why.
    expect(late[0]!.facts).toMatchObject({ deadline: '2026-12-04', workingDays: 39, atLeast: true, uncoveredYear: 2027 });
    expect(late[0]!.message).toContain('用时 至少 39 个工作日（工作日历不含 2027 年的节假日安排');
    // Still unreleased on 5 January: past the deadline, late.
    expect(judged([], [disclosure('2026-11-06', null, 'in_review')]).map((d) => [d.kind, d.facts.deadline])).toEqual([['disclosure_late', '2026-12-04']]);
    // Formed 28 December, released 4 January: at most 3 + 4 days, far within 20, whatever 2027 holds.
    expect(judged([], [disclosure('2026-12-28', at('2027-01-04'))])).toEqual([]);
    // An interpretation added on 2 January to a document of 30 December: at most 1 + 2 working days, in time.
    expect(judged([interp(at('2026-12-30'), at('2027-01-02'))], [])).toEqual([]);
    // A required interpretation missing since 1 December: 22 held working days already, late.
    expect(judged([interp(at('2026-12-01'), null, false, true)], []).map((d) => [d.kind, d.facts.workingDaysElapsed, d.facts.atLeast])).toEqual([
      ['interpretation_late', 22, true],
    ]);
    // Formed 10 December, released 20 January: 15 held working days, the rest in 2027: undecided, said so.
    expect(judged([], [disclosure('2026-12-10', at('2027-01-20'))]).map((d) => [d.kind, d.subject.id])).toEqual([['calendar_out_of_range', '2027']]);
  });
  it('a date the calendar does not cover gives one calendar_out_of_range finding per year', () => {
    const drafts = checkTiming(
      [interp(at('2031-03-03'), at('2031-03-10'))],
      [disclosure('2031-03-02', null, 'draft'), disclosure('2031-03-05', null, 'draft')],
      ctx,
    ).drafts;
    expect(drafts.map((d) => [d.kind, d.subject.id])).toEqual([['calendar_out_of_range', '2031']]);
    expect(drafts[0]!.facts).toMatchObject({ year: 2031, affected: 3 });
  });
});

describe('what the store records as a change', () => {
  const open = { status: 'open' as const, severity: 'reminder' as const, facts: { daysSilent: 11, lastPostAt: 'a' } };
  it('opens, reopens, escalates, eases, updates; a clock figure alone is no change', () => {
    expect(changeOf(undefined, { severity: 'veto', facts: {} })).toBe('opened');
    expect(changeOf({ ...open, status: 'closed' }, { severity: 'reminder', facts: open.facts })).toBe('reopened');
    expect(changeOf(open, { severity: 'veto', facts: open.facts })).toBe('escalated');
    expect(changeOf({ ...open, severity: 'veto' }, { severity: 'warning', facts: open.facts })).toBe('eased');
    expect(changeOf(open, { severity: 'reminder', facts: { daysSilent: 12, lastPostAt: 'a' } })).toBeNull();
    expect(changeOf(open, { severity: 'reminder', facts: { daysSilent: 11, lastPostAt: 'b' } })).toBe('updated');
  });
});
