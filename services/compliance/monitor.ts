/**
 * The compliance monitor: one pass gathers the facts (services/compliance/facts.ts), runs the pure
 * checks (domain/compliance/checks.ts) with the registry's thresholds and the working-day calendar, and
 * reconciles their drafts with the stored findings (services/compliance/findings.ts). The surface wires
 * it into the API, the CLI and the Temporal activity; this class does no scheduling of its own.
 */
import { randomUUID } from 'node:crypto';
import { workingDayCalendar } from '../../config/working-calendar.js';
import {
  failRun,
  finishRun,
  insertRun,
  lockExternalReleases,
  selectExternalReleaseCandidates,
  selectExternalRelease,
  selectExternalReleaseIdentity,
  upsertExternalRelease,
  type ExternalReleaseWrite,
} from '../../db/compliance.js';
import { appendAudit } from '../../db/audit.js';
import { chinaTimeToSecond } from '../../domain/beijing-time.js';
import { CHECK_GROUPS, DAILY_KINDS, runChecks } from '../../domain/compliance/checks.js';
import type { ComplianceQuery, ComplianceRunSummary, ComplianceView, FindingEvent, RunTrigger } from '../../domain/compliance/model.js';
import type { ComplianceThresholds } from '../../domain/compliance/thresholds.js';
import { isInstantWithOffset } from '../../domain/commands.js';
import { GovpubError } from '../../domain/errors.js';
import type { Role } from '../../domain/package-rules.js';
import { PORTAL_DEFAULT_UNIT_NAME, unitById, unitByIdOrName, unitByName, unitSuggestions } from '../../domain/units.js';
import { chinaDate, type WorkingDayCalendar } from '../../domain/working-days.js';
import { characterCount, noteProblem, oneLineProblem, showsNothing, unsafeTextProblem } from '../../domain/text.js';
import { WEB_LINK_MESSAGES_ZH, webLinkProblem } from '../../domain/web-link.js';
import { beijingDaysApart, DUPLICATE_WINDOW_DAYS, externalDuplicate, sameTitle, type ExternalDuplicate } from '../../domain/compliance/external-duplicates.js';
import { standardDocumentNumber } from '../../domain/document-number.js';
import type { AppContext } from '../context.js';
import { gatherFacts, portalManifestAt, type PlatformPostsSource, type PortalManifestSource } from './facts.js';
import { findingHistory, finishedRun, latestRun, listFindings, narrowUnits, openCounts, reconcileFindings } from './findings.js';

export interface ComplianceMonitorOptions {
  /** The platforms' own post lists (accounts' posts made outside govpub); absent: govpub's deliveries only. */
  platformPosts?: PlatformPostsSource;
  /** The portal's web root (or a manifest source): column counts and freshness from what the site shows; absent: from the deliveries. */
  portal?: { webRoot: string } | PortalManifestSource | null;
  /** Defaults to the registry's (config/registry/compliance.yaml). */
  thresholds?: ComplianceThresholds;
  now?: () => Date;
}

/** Who is looking: an editor with a unit sees their unit's findings unless they ask for scope `all`. */
export interface ComplianceViewer {
  role: Role;
  unit: string | null;
}

/** Items inspectors check that govpub cannot see. */
export const NOT_COVERED: ComplianceView['notCovered'] = [
  {
    item: 'public_messages',
    message: '政民互动留言（超过 3 个月未回复有效留言即单项否决）不在 govpub 中：govpub 没有留言系统，无法检查留言回复情况，请在留言系统中核查。',
    messageEn:
      'Replies to public messages (a valid message unanswered for over 3 months is a veto) are outside govpub: it has no message system and cannot see them. Check them in the message system.',
  },
  {
    item: 'account_interaction',
    message: '政务新媒体的互动功能是否可用（如自动回复、留言）govpub 无法检查，请人工核查。',
    messageEn: "Whether the accounts' interaction works (auto-replies, comments) is not visible to govpub; check it by hand.",
  },
];

export interface ExternalReleaseInput {
  id: string;
  title: string;
  ownerUnit?: string | null;
  /** 发文字号 as typed (碑政发[2026]03号 is stored as 碑政发〔2026〕3号). */
  documentNumber?: string | null;
  documentLiveAt: string;
  interpretationLiveAt?: string | null;
  url?: string | null;
  note?: string | null;
  /** Registers it although a registration of the same unit and title lies within the duplicate window: it is another document. */
  confirmDistinct?: boolean;
}

/** A registered release may be stamped this much ahead of the server's clock (a clock a little fast), no more. */
const CLOCK_SKEW_MS = 60_000;

const DAY_MS = 86_400_000;

/** Something the caller should know about an accepted registration: where, in English and Chinese. */
export interface ExternalReleaseWarning {
  path: string;
  message: string;
  messageZh: string;
}

function instantOf(value: unknown): number {
  return isInstantWithOffset(value) ? Date.parse(value) : Number.NaN;
}

export class ComplianceMonitor {
  private readonly portal: PortalManifestSource | null;
  private readonly now: () => Date;

  constructor(
    readonly ctx: AppContext,
    readonly options: ComplianceMonitorOptions = {},
  ) {
    const portal = options.portal ?? null;
    this.portal = portal && 'webRoot' in portal ? portalManifestAt(portal.webRoot) : portal;
    this.now = options.now ?? (() => new Date());
  }

  get thresholds(): ComplianceThresholds {
    return this.options.thresholds ?? this.ctx.registry.compliance;
  }

  get calendar(): WorkingDayCalendar {
    return workingDayCalendar(this.ctx.registry.workdays);
  }

  /**
   * Runs every check once and reconciles the findings; returns what changed. Safe to run again at
   * any time. Given a run id (the Temporal run's, so an activity retried after its result was lost
   * asks again), a run that already finished answers its recorded summary, and one cut short is run
   * again under the same id: the notices of that run still find its changes.
   */
  async run(trigger: RunTrigger, actor: string, options: { runId?: string } = {}): Promise<ComplianceRunSummary> {
    const { db, registry } = this.ctx;
    if (options.runId) {
      const done = await finishedRun(db, options.runId);
      if (done) return done;
    }
    const started = performance.now();
    const now = this.now();
    const runId = options.runId ?? randomUUID();
    await insertRun(db, { id: runId, trigger, actor, startedAt: now });
    try {
      const timings: Record<string, number> = {};
      const factsStart = performance.now();
      const facts = await gatherFacts(
        db,
        registry,
        { now, thresholds: this.thresholds, platformPosts: this.options.platformPosts, portal: this.portal },
        timings,
      );
      timings.facts = Math.round(performance.now() - factsStart);
      const siteOwner = unitByName(registry, PORTAL_DEFAULT_UNIT_NAME)?.id ?? null;
      const checked = runChecks(facts, { now, today: chinaDate(now), thresholds: this.thresholds, calendar: this.calendar, siteOwnerUnit: siteOwner }, () =>
        performance.now(),
      );
      for (const [group, ms] of Object.entries(checked.timings)) timings[`check.${group}`] = Math.round(ms * 10) / 10;
      const reconcileStart = performance.now();
      const result = await reconcileFindings(db, { runId, at: now, actor, authoritativeKinds: DAILY_KINDS, drafts: checked.drafts });
      timings.reconcile = Math.round(performance.now() - reconcileStart);
      const open = await openCounts(db);
      const finishedAt = new Date(now.getTime() + Math.round(performance.now() - started));
      const durationMs = Math.round(performance.now() - started);
      const checks = Object.keys(CHECK_GROUPS);
      await finishRun(db, runId, {
        finishedAt,
        checks,
        opened: result.opened,
        closed: result.closed,
        changed: result.changed,
        openCounts: open,
        thresholds: checked.thresholds,
        durationMs,
        checkMs: timings,
      });
      return {
        runId,
        trigger,
        startedAt: now.toISOString(),
        finishedAt: finishedAt.toISOString(),
        checks,
        opened: result.opened,
        closed: result.closed,
        changed: result.changed,
        open,
        thresholds: checked.thresholds,
        durationMs,
      };
    } catch (error) {
      await failRun(db, runId, error instanceof Error ? error.message : String(error)).catch(() => undefined);
      throw error;
    }
  }

  /** The owner units a viewer's list is limited to (undefined: all). */
  private unitsFor(scope: 'mine' | 'all' | undefined, user: ComplianceViewer | undefined): string[] | undefined {
    if (!user) return undefined;
    const effective = scope ?? (user.role === 'editor' ? 'mine' : 'all');
    if (effective === 'all') return undefined;
    if (user.unit) return [user.unit];
    if (user.role !== 'editor') return undefined;
    // An empty list would read as "your unit has no findings" (the console's 本单位目前没有未解决的合规问题).
    throw new GovpubError(
      'forbidden',
      "Editors see the findings of their own unit, and your user has none. Ask an administrator to set your unit (`govpub users set-unit`), or read the district's findings with scope=all.",
      { status: 403 },
      {
        zh: '编辑查看的是本单位的合规问题，但您的账号未设置所属单位，无法确定本单位。请联系管理员设置所属单位（govpub users set-unit）；通过接口可用 scope=all 查看全区的合规问题。',
      },
    );
  }

  /** GET /api/compliance: the last run, the thresholds at a glance, counts, findings and what govpub cannot see. */
  async view(query: ComplianceQuery & { scope?: 'mine' | 'all' }, user: ComplianceViewer): Promise<ComplianceView> {
    const { scope, ...rest } = query;
    // A unit that does not exist matches nothing: said so, not answered as a unit without findings (as GET /api/packages does).
    if (rest.unit !== undefined && !unitById(this.ctx.registry, rest.unit)) {
      const meant = unitSuggestions(this.ctx.registry, rest.unit);
      throw new GovpubError(
        'invalid_query',
        `unit: "${rest.unit}" is not a unit id; GET /api/units lists them${meant.length ? ` (did you mean ${meant.join(', ')}?)` : ''}.`,
        {
          status: 400,
          issues: [
            {
              path: 'unit',
              message: `not a unit id from GET /api/units${meant.length ? `; did you mean ${meant.join(', ')}?` : ''}`,
              messageZh: `不是单位编号（见 GET /api/units）${meant.length ? `，是否指 ${meant.join('、')}？` : ''}`,
            },
          ],
        },
      );
    }
    // A unit asked for without a scope (an editor asking for another unit) is that unit's list, as with
    // scope=all: intersected with the caller's own unit it answered zeros, as if the unit had no findings.
    // Only an explicit scope=mine that leaves the unit out is a contradiction.
    const units = rest.unit !== undefined && scope === undefined ? undefined : this.unitsFor(scope, user);
    if (rest.unit !== undefined && units && !units.includes(rest.unit)) {
      const own = user.unit ?? '—';
      throw new GovpubError(
        'invalid_query',
        `unit: "${rest.unit}" is outside scope=mine (your unit: ${own}); leave scope out, or send scope=all, to read another unit's findings.`,
        {
          status: 400,
          issues: [
            {
              path: 'unit',
              message: `outside scope=mine (your unit: ${own}); leave scope out or send scope=all`,
              messageZh: `不在 scope=mine（本单位：${own}）范围内；查看其他单位请去掉 scope 或使用 scope=all`,
            },
          ],
        },
        { zh: `参数 unit：「${rest.unit}」不在 scope=mine（本单位：${own}）范围内；查看其他单位的问题请去掉 scope，或使用 scope=all。` },
      );
    }
    // The counts describe the findings the filters select (the viewer's scope, unit, kind, subject type),
    // open ones by severity: the severity and status filters and the page leave them alone, so they
    // still say what each severity filter would list.
    const [lastRun, page, counts] = await Promise.all([
      latestRun(this.ctx.db),
      listFindings(this.ctx.db, { ...rest, units }),
      openCounts(this.ctx.db, { units: narrowUnits(units, rest.unit), kind: rest.kind, subjectType: rest.subjectType }),
    ]);
    return {
      lastRun,
      thresholds: lastRun?.thresholds ?? [],
      counts,
      findings: page.findings,
      nextCursor: page.nextCursor,
      notCovered: NOT_COVERED,
    };
  }

  /** GET /api/compliance/history: changes newest first. */
  async history(
    query: { key?: string; since?: string; limit?: number; cursor?: string; scope?: 'mine' | 'all' },
    user?: ComplianceViewer,
  ): Promise<{ events: FindingEvent[]; nextCursor: string | null }> {
    const { scope, ...rest } = query;
    return findingHistory(this.ctx.db, { ...rest, units: this.unitsFor(scope, user) });
  }

  /**
   * Registers (or corrects) a document published without govpub, so the 3-working-day interpretation rule
   * covers it from the next run; audited. The same document under another id is refused (409, naming it):
   * two registrations would give two findings and count twice in the figures. Same 发文字号: always
   * refused; the same unit and title within DUPLICATE_WINDOW_DAYS: refused unless the caller confirms it
   * is another document (domain/compliance/external-duplicates.ts). Refused rather than accepted with a
   * warning: an accepted duplicate is already in the figures and there is no removing a registration,
   * while the refusal names the one to correct, which is what a mistyped day needs. A document older
   * than the look-back is recorded with a warning, not refused: the record is true and may be corrected
   * later, but no run will judge it.
   */
  async recordExternalRelease(input: ExternalReleaseInput, actor: string): Promise<{ documentNumber: string | null; warnings: ExternalReleaseWarning[] }> {
    // An issue without its Chinese gets the API's translation of the shared sentences (domain/text.ts).
    const issues: { path: string; message: string; messageZh?: string }[] = [];
    const bad = (path: string, message: string, messageZh?: string) => issues.push({ path, message, ...(messageZh ? { messageZh } : {}) });
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(input.id ?? ''))
      bad('id', 'expected an id of letters, digits, . _ - (at most 100)', '应为字母、数字或 . _ - 组成的编号（不超过 100 个字符）');
    const title = typeof input.title === 'string' ? input.title.trim() : '';
    const titleUnsafe = typeof input.title === 'string' ? unsafeTextProblem(input.title) : null;
    if (titleUnsafe) bad('title', titleUnsafe);
    else if (title && !showsNothing(title) && oneLineProblem(title)) bad('title', oneLineProblem(title)!);
    else if (!title || showsNothing(title) || characterCount(title) > 300)
      bad(
        'title',
        'expected a title of 1 to 300 characters that shows (not only spaces or invisible characters)',
        '标题应为 1–300 个可见字符（不能只有空格或不可见字符）',
      );
    // The note and the address reach the audit trail and the console as they are: the same text rule as every note.
    const noteIssue = typeof input.note === 'string' ? noteProblem(input.note) : null;
    if (noteIssue) bad('note', noteIssue);
    const urlIssue = typeof input.url === 'string' ? unsafeTextProblem(input.url) : null;
    const linkIssue = typeof input.url === 'string' && !urlIssue ? webLinkProblem(input.url.trim()) : null;
    if (urlIssue) bad('url', urlIssue);
    else if (linkIssue)
      bad(
        'url',
        `${linkIssue}; give the full http(s) address of the published document`,
        `${WEB_LINK_MESSAGES_ZH[linkIssue]}；请填写文件发布页面的完整 http(s) 地址`,
      );
    const notInstant = [
      'expected an ISO 8601 date-time with its offset, such as 2026-11-02T09:00:00+08:00',
      '应为带时区的 ISO 8601 时间，例如 2026-11-02T09:00:00+08:00',
    ] as const;
    // Only what has happened is registered: a time to come would be judged as if it had (an interpretation
    // "late" before it went out), and a mistyped year would read as a calendar gap.
    const latest = this.now().getTime() + CLOCK_SKEW_MS;
    const future = (path: string, at: number) =>
      bad(
        path,
        `is in the future (${chinaTimeToSecond(new Date(at).toISOString())}, Beijing time); register a release once it has happened`,
        '晚于当前时间：只能登记已经发布的文件和解读，请核对日期',
      );
    const documentLiveAt = instantOf(input.documentLiveAt);
    if (Number.isNaN(documentLiveAt)) bad('documentLiveAt', ...notInstant);
    else if (documentLiveAt > latest) future('documentLiveAt', documentLiveAt);
    const interpretationLiveAt = input.interpretationLiveAt ? instantOf(input.interpretationLiveAt) : null;
    if (interpretationLiveAt !== null && Number.isNaN(interpretationLiveAt)) bad('interpretationLiveAt', ...notInstant);
    else if (interpretationLiveAt !== null && interpretationLiveAt > latest) future('interpretationLiveAt', interpretationLiveAt);
    // The rules judge by the Beijing date (working days from the document's day), so an interpretation out an
    // hour before its document on the same day is in time, not wrong; an earlier day is a mistake.
    else if (interpretationLiveAt !== null && !Number.isNaN(documentLiveAt) && chinaDate(new Date(interpretationLiveAt)) < chinaDate(new Date(documentLiveAt)))
      bad(
        'interpretationLiveAt',
        `is on an earlier day (${chinaDate(new Date(interpretationLiveAt))}, Beijing time) than the document (${chinaDate(new Date(documentLiveAt))}); the same day is accepted in either order`,
        `早于文件发布日期（解读 ${chinaDate(new Date(interpretationLiveAt))}，文件 ${chinaDate(new Date(documentLiveAt))}，北京时间）；同一天发布的，先后均可`,
      );
    // The unit by its id or full name, as `govpub users add --unit` takes it; a near miss is named.
    const ownerUnit = input.ownerUnit ? (unitByIdOrName(this.ctx.registry, input.ownerUnit)?.id ?? null) : null;
    if (input.ownerUnit && !ownerUnit) {
      const meant = unitSuggestions(this.ctx.registry, input.ownerUnit);
      bad(
        'ownerUnit',
        `unknown unit "${input.ownerUnit}" (config/registry/units.yaml)${meant.length ? `; did you mean ${meant.join(', ')}?` : '; GET /api/units lists them'}`,
        `不是已登记的单位编号或全称${meant.length ? `，是否指 ${meant.join('、')}？` : '（单位清单见 GET /api/units）'}`,
      );
    }
    const typedNumber = typeof input.documentNumber === 'string' ? input.documentNumber.trim() : '';
    const numberUnsafe = typedNumber === '' ? null : unsafeTextProblem(typedNumber);
    const documentNumber = typedNumber === '' || numberUnsafe ? null : standardDocumentNumber(typedNumber);
    if (numberUnsafe) bad('documentNumber', numberUnsafe);
    else if (typedNumber !== '' && documentNumber === null)
      bad(
        'documentNumber',
        `"${typedNumber}" is not a document number like 碑政发〔2026〕3号 (the issuing organ's code, the year in brackets, the serial and 号); leave it out if the document has none`,
        '不是发文字号，应如 碑政发〔2026〕3号（机关代字、括号中的年份、序号和“号”）；文件没有文号的可不填',
      );
    if (issues.length > 0) throw new GovpubError('invalid_body', issues.map((i) => `${i.path}: ${i.message}`).join('; '), { status: 400, issues });
    const row = {
      id: input.id,
      title,
      ownerUnit,
      documentNumber,
      documentLiveAt: new Date(documentLiveAt),
      interpretationLiveAt: interpretationLiveAt === null ? null : new Date(interpretationLiveAt),
      url: input.url ?? null,
      note: input.note ?? null,
      recordedBy: actor,
    };
    const day = chinaDate(row.documentLiveAt);
    const dayStart = new Date(`${day}T00:00:00+08:00`);
    await this.ctx.db.transaction().execute(async (trx) => {
      await lockExternalReleases(trx);
      // The same registration sent again (a retry after a lost answer) changes nothing and is not audited twice.
      if (sameExternalRelease(await selectExternalRelease(trx, row.id), row)) return;
      // A correction that leaves what identifies the document alone (an interpretation's time, the URL, the
      // note) was decided when it was registered: a registration confirmed distinct is not asked again.
      const current = await selectExternalReleaseIdentity(trx, row.id);
      const sameIdentity =
        current !== undefined &&
        sameTitle(current.title, row.title) &&
        current.ownerUnit === row.ownerUnit &&
        current.documentNumber === row.documentNumber &&
        beijingDaysApart(current.documentLiveAt, row.documentLiveAt) === 0;
      const candidates = await selectExternalReleaseCandidates(trx, {
        id: row.id,
        ownerUnit: row.ownerUnit,
        from: new Date(dayStart.getTime() - DUPLICATE_WINDOW_DAYS * DAY_MS),
        to: new Date(dayStart.getTime() + (DUPLICATE_WINDOW_DAYS + 1) * DAY_MS),
        documentNumber,
      });
      const duplicate = sameIdentity ? null : externalDuplicate(row, candidates);
      if (duplicate && (duplicate.match === 'document_number' || input.confirmDistinct !== true)) throw duplicateRefusal(row, duplicate);
      await upsertExternalRelease(trx, row);
      // Who said "another document" despite the likeness, and of which registrations: for the auditor.
      const confirmedDistinctFrom = duplicate?.match === 'title_nearby' ? duplicate.all.map((c) => c.id) : undefined;
      await appendAudit(trx, {
        actor,
        action: 'compliance.external_release_recorded',
        details: { ...row, ...(confirmedDistinctFrom ? { confirmedDistinctFrom } : {}) },
      });
    });
    return { documentNumber, warnings: this.externalReleaseWarnings(row.documentLiveAt) };
  }

  /** What the caller should know about a recorded release: a document before the look-back is never judged. */
  private externalReleaseWarnings(documentLiveAt: Date): ExternalReleaseWarning[] {
    const { lookbackDays } = this.thresholds.timing;
    const since = new Date(this.now().getTime() - lookbackDays * DAY_MS);
    if (documentLiveAt.getTime() >= since.getTime()) return [];
    return [
      {
        path: 'documentLiveAt',
        message: `recorded, but no compliance run will judge it: it went live before ${chinaDate(since)}, beyond the ${lookbackDays}-day look-back (config/registry/compliance.yaml timing.lookbackDays). Check the date; if it is right, nothing more is needed.`,
        messageZh: `已登记，但合规检查不会评判该文件：其发布时间早于 ${chinaDate(since)}，超出 ${lookbackDays} 天的回溯期（config/registry/compliance.yaml 的 timing.lookbackDays）。请核对日期；日期无误则无需处理。`,
      },
    ];
  }
}

/** The 409 for a registration of a document already registered: which one, why, and what to do. */
function duplicateRefusal(
  row: { id: string; title: string; ownerUnit: string | null; documentNumber: string | null; documentLiveAt: Date },
  duplicate: ExternalDuplicate,
): GovpubError {
  const { existing, daysApart } = duplicate;
  const day = chinaDate(row.documentLiveAt);
  const existingDay = chinaDate(existing.documentLiveAt);
  const correct = `PUT /api/compliance/external-releases/${existing.id} (govpub compliance external-release ${existing.id} …)`;
  const correctZh = `PUT /api/compliance/external-releases/${existing.id}（或 govpub compliance external-release ${existing.id} …）`;
  const details = { status: 409, existingId: existing.id, match: duplicate.match };
  if (duplicate.match === 'document_number') {
    return new GovpubError(
      'external_release_duplicate',
      `《${row.title}》 carries 发文字号 ${row.documentNumber}, which is already registered as "${existing.id}" (《${existing.title}》, live ${existingDay}); one number is one document, so a second registration would be judged twice. Correct that one instead: ${correct}. If one of the two numbers is wrong, correct it.`,
      {
        ...details,
        confirmable: false,
        issues: [
          {
            path: 'documentNumber',
            message: `发文字号 ${row.documentNumber} is registered as "${existing.id}"`,
            messageZh: `发文字号 ${row.documentNumber} 已登记为「${existing.id}」`,
            existingId: existing.id,
            match: duplicate.match,
            confirmable: false,
          },
        ],
      },
      {
        zh: `发文字号 ${row.documentNumber} 已登记为「${existing.id}」（《${existing.title}》，${existingDay} 发布）。一个文号只对应一份文件，再登记一次会被重复检查、重复统计。请修改该条登记：${correctZh}；如两者之一的文号填错，请改正。`,
      },
    );
  }
  const when = daysApart === 0 ? 'the same day' : `${existingDay}, ${daysApart} day${daysApart > 1 ? 's' : ''} apart`;
  const whenZh = daysApart === 0 ? '同一天发布' : `${existingDay} 发布，相差 ${daysApart} 天`;
  const others =
    duplicate.all.length > 1
      ? ` (also alike: ${duplicate.all
          .slice(1)
          .map((c) => `"${c.id}"`)
          .join(', ')})`
      : '';
  return new GovpubError(
    'external_release_duplicate',
    `《${row.title}》 (unit ${row.ownerUnit ?? 'none'}, live ${day}) is already registered as "${existing.id}", it seems: the same unit and title, live ${when}${others}; a second registration of one document is judged twice and counts twice in the figures. If it is that document (a day typed wrong, or its 成文日期 against its release), correct that one instead: ${correct}. If it really is another document, register it again with confirmDistinct: true (--distinct on the command line), or give both registrations their 发文字号, which tells documents apart.`,
    {
      ...details,
      confirmable: true,
      existingIds: duplicate.all.map((c) => c.id),
      issues: [
        {
          path: 'id',
          message: `probably the same document as "${existing.id}" (same unit and title, live ${when})`,
          messageZh: `很可能与已登记的「${existing.id}」是同一文件（单位、标题相同，${whenZh}）`,
          existingId: existing.id,
          match: duplicate.match,
          confirmable: true,
          existingIds: duplicate.all.map((c) => c.id),
        },
      ],
    },
    {
      zh: `《${row.title}》（${row.ownerUnit ?? '未指定单位'}，${day} 发布）与已登记的「${existing.id}」单位、标题相同（${whenZh}），很可能是同一文件，再登记一次会被重复检查、重复统计。如是同一文件（日期填错，或一次按成文日期、一次按发布日期登记），请修改该条登记：${correctZh}。如确为另一份文件，请加上 confirmDistinct: true（命令行加 --distinct）再登记；为两条登记都填写发文字号也可区分。`,
    },
  );
}

/** Whether the stored registration says exactly what `row` says (who recorded it included). */
function sameExternalRelease(stored: Awaited<ReturnType<typeof selectExternalRelease>>, row: Omit<ExternalReleaseWrite, 'id'>): boolean {
  const time = (d: Date | string | null) => (d === null ? null : new Date(d).getTime());
  return (
    stored !== undefined &&
    stored.title === row.title &&
    stored.owner_unit === row.ownerUnit &&
    stored.document_number === row.documentNumber &&
    time(stored.document_live_at) === time(row.documentLiveAt) &&
    time(stored.interpretation_live_at) === time(row.interpretationLiveAt) &&
    stored.url === row.url &&
    stored.note === row.note &&
    stored.recorded_by === row.recordedBy
  );
}
