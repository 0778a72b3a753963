// The compliance routes' shapes (domain/compliance/model.ts): current findings with the veto thresholds at a glance, their history, and runs on demand.
import { Type } from 'typebox';
import { DUPLICATE_WINDOW_DAYS } from '../../domain/compliance/external-duplicates.js';
import { FINDING_KINDS, SEVERITIES, type SubjectType as SubjectTypeName } from '../../domain/compliance/model.js';
import {
  cursorParam,
  dateTime,
  EXTERNAL_RELEASE_ID_MESSAGE,
  httpUrl,
  idText,
  limitParam,
  NoBody,
  note,
  nullable,
  nullableString,
  nullableTimestamp,
  queryText,
  RUN_ID_MESSAGE,
  SAFE_MESSAGE,
  SAFE_TEXT,
  timestamp,
  type RouteSchema,
} from './common.js';

/** The model declares the subject types as a type only; this list must name each (checked both ways). */
const SUBJECT_TYPES = ['account', 'column', 'site', 'package', 'catalogue_item', 'calendar'] as const satisfies readonly SubjectTypeName[];
const _everySubjectType: SubjectTypeName extends (typeof SUBJECT_TYPES)[number] ? true : never = true;
void _everySubjectType;

const literals = <T extends string>(values: readonly T[], description: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { description },
  );
const anyObject = (description: string) => Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true, description });

const Severity = literals(SEVERITIES, 'reminder: act soon; warning: a failing item on its own; veto: fails the site or account outright');
const Kind = literals(FINDING_KINDS, 'What the finding is about');
const SubjectType = literals(SUBJECT_TYPES, 'What kind of thing the subject is');
const Scope = literals(['mine', 'all'] as const, "`mine`: the caller's unit only (the default for editors, unless they name another `unit`)");

const Subject = Type.Object({
  type: SubjectType,
  id: Type.String({ description: 'wechat_oa:blfb, portal:xwdt-blyw, a package id, portal (the site)…' }),
  name: Type.String(),
});

const Finding = Type.Object(
  {
    key: Type.String({ description: '`<kind>:<subject id>`, stable across runs' }),
    kind: Kind,
    severity: Severity,
    subject: Subject,
    ownerUnit: nullableString,
    message: Type.String({ description: 'zh-CN: what is wrong, the figure, and what to do next' }),
    messageEn: Type.String(),
    facts: anyObject('The figures behind it, e.g. { lastPostAt, daysSilent, limitDays, source }'),
    status: literals(['open', 'closed'] as const, 'open or closed'),
    openedAt: timestamp,
    updatedAt: timestamp,
    closedAt: nullableTimestamp,
  },
  { title: 'ComplianceFinding' },
);

const Threshold = Type.Object(
  {
    id: Type.String({ examples: ['stale_columns', 'long_stale_columns', 'empty_columns', 'home_stale_days', 'unreachable_share', 'silent_accounts'] }),
    label: Type.String({ description: 'zh-CN' }),
    value: Type.Number(),
    limit: Type.Number(),
    failed: Type.Boolean(),
  },
  { title: 'ComplianceThreshold' },
);

const Counts = Type.Object({ reminder: Type.Integer(), warning: Type.Integer(), veto: Type.Integer() });

export const RunSummary = Type.Object(
  {
    runId: Type.String(),
    trigger: literals(['schedule', 'manual', 'wording_change'] as const, 'What started the run'),
    startedAt: timestamp,
    finishedAt: timestamp,
    checks: Type.Array(Type.String()),
    opened: Type.Integer(),
    closed: Type.Integer(),
    changed: Type.Integer(),
    open: Counts,
    thresholds: Type.Array(Threshold),
    durationMs: Type.Number(),
  },
  { title: 'ComplianceRunSummary' },
);

const View = Type.Object(
  {
    lastRun: Type.Union([RunSummary, Type.Null()]),
    thresholds: Type.Array(Threshold),
    counts: Type.Object(Counts.properties, {
      description:
        "Open findings by severity among those the filters select: the caller's scope, unit, kind and subjectType. severity, status and the page leave them alone (open findings of each severity, whichever the list shows).",
    }),
    findings: Type.Array(Finding),
    nextCursor: nullableString,
    notCovered: Type.Array(Type.Object({ item: Type.String(), message: Type.String(), messageEn: Type.String() })),
  },
  { title: 'ComplianceView' },
);

const Event = Type.Object(
  {
    id: Type.String(),
    key: Type.String(),
    kind: Kind,
    change: literals(['opened', 'escalated', 'eased', 'updated', 'closed', 'reopened'] as const, 'What happened to the finding'),
    severity: Severity,
    previousSeverity: Type.Union([Severity, Type.Null()]),
    subject: Subject,
    ownerUnit: nullableString,
    message: Type.String(),
    runId: Type.String(),
    at: timestamp,
  },
  { title: 'ComplianceFindingEvent' },
);

export const ComplianceQuerystring = Type.Object(
  {
    status: Type.Optional(literals(['open', 'closed', 'all'] as const, 'Default open')),
    severity: Type.Optional(Severity),
    kind: Type.Optional(Kind),
    unit: queryText('Owner unit id (config/registry/units.yaml), e.g. jyj', 64),
    subjectType: Type.Optional(SubjectType),
    scope: Type.Optional(Scope),
    limit: limitParam(500, 100),
    cursor: cursorParam,
  },
  { additionalProperties: false },
);

export const HistoryQuerystring = Type.Object(
  {
    key: queryText('One finding, by its key (account_silent:wechat_oa:blfb)', 300),
    since: Type.Optional(Type.String({ format: 'date-time', description: 'Only changes at or after this time (ISO 8601)' })),
    scope: Type.Optional(Scope),
    limit: limitParam(500, 100),
    cursor: cursorParam,
  },
  { additionalProperties: false },
);

const RunStarted = Type.Object(
  {
    workflowId: Type.String({ description: 'GET /api/compliance/runs/{workflowId} answers its outcome' }),
    status: Type.Literal('running'),
    location: Type.String(),
  },
  { title: 'ComplianceRunStarted' },
);

const RunOutcome = Type.Object(
  {
    workflowId: Type.String(),
    status: literals(['running', 'completed', 'failed'] as const, 'Where the run is'),
    result: Type.Union([
      Type.Object({
        summary: RunSummary,
        notices: Type.Array(
          Type.Object({
            unitId: Type.String(),
            sent: Type.Array(Type.String()),
            skipped: Type.Array(Type.String()),
            skippedZh: Type.Optional(Type.Array(Type.String(), { description: 'The skipped reasons in Simplified Chinese, in the same order.' })),
          }),
        ),
      }),
      Type.Null(),
    ]),
    error: nullableString,
  },
  { title: 'ComplianceRunOutcome' },
);

const ExternalRelease = Type.Object(
  {
    title: idText("The document's title as published", 300),
    documentLiveAt: Type.String({ format: 'date-time', description: 'When the document went live outside govpub (ISO 8601)' }),
    interpretationLiveAt: Type.Optional(dateTime('When its interpretation went live (null or left out: not yet)')),
    ownerUnit: Type.Optional(nullable(idText('The responsible unit: its id (GET /api/units) or full name, e.g. jyj or 区教育局; stored as the id', 64))),
    documentNumber: Type.Optional(
      nullable(
        Type.String({
          maxLength: 64,
          pattern: SAFE_TEXT,
          'x-message': SAFE_MESSAGE,
          description:
            '发文字号, the strongest identity of the document, e.g. 碑政发〔2026〕3号; stored in that standard form (碑政发[2026]03号 becomes 碑政发〔2026〕3号). The same number registered under another id is the same document, whatever its day; two different numbers are two documents, however alike their titles. Left out or null: the document has none, or it is not known.',
          examples: ['碑政发〔2026〕3号'],
        }),
      ),
    ),
    url: Type.Optional(nullable(httpUrl('Where the document is published'))),
    note: Type.Optional(nullable(note('Why it went out without govpub.'))),
    confirmDistinct: Type.Optional(
      Type.Boolean({
        description: `true: register it although a registration of the same unit and title went live within ${DUPLICATE_WINDOW_DAYS} days (409 external_release_duplicate with confirmable: true); say so only when it really is another document. Never overrides the same 发文字号.`,
      }),
    ),
  },
  { additionalProperties: false, title: 'ExternalRelease' },
);

const tags = ['compliance'];

export const complianceRoutes = {
  view: {
    summary: 'Current compliance findings, the counts against each veto threshold, the last run and what govpub cannot see',
    description: 'Editors see the findings of their own unit; others see all, or their unit with `scope=mine`.',
    tags,
    querystring: ComplianceQuerystring,
    response: { 200: View },
  },
  history: {
    summary: 'Every change to a finding (opened, escalated, eased, updated, closed, reopened), newest first',
    tags,
    querystring: HistoryQuerystring,
    response: { 200: Type.Object({ events: Type.Array(Event), nextCursor: nullableString }) },
  },
  startRun: {
    summary: 'Start a compliance run now (ops, admin): the same checks and notices as the daily schedule',
    tags,
    body: NoBody,
    response: { 202: RunStarted },
    'x-errors': [403],
  },
  recordExternalRelease: {
    summary:
      'Register (or correct) a policy document published without govpub, so the 3-working-day interpretation rule covers it (ops, admin, reviewers); audited',
    tags,
    params: Type.Object(
      { id: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'x-message': EXTERNAL_RELEASE_ID_MESSAGE }) },
      { additionalProperties: false },
    ),
    body: ExternalRelease,
    description: `The same document under another id is refused with 409 external_release_duplicate; its issue names the existing registration (existingId), why (match) and whether confirmDistinct may override it (confirmable): correct that one instead. The same document is the same 发文字号 whatever the days (match: document_number, confirmable: false), or probably one when the unit and title (spaces aside) match a registration whose document went live within ${DUPLICATE_WINDOW_DAYS} Beijing days, unless both carry different numbers (match: title_nearby, confirmable: true, existingIds nearest first): a day typed wrong, or a document registered once at its 成文日期 and once at its release. If it really is another document (a title a unit reuses each month or year is never that close), send it again with confirmDistinct: true; the audit records it. An interpretation on the same Beijing day as its document is accepted in either order; on an earlier day it is refused. A document older than the look-back (compliance.yaml timing.lookbackDays) is recorded with a warning: no run will judge it.`,
    response: {
      200: Type.Object({
        id: Type.String(),
        recorded: Type.Literal(true),
        documentNumber: Type.Union([Type.String(), Type.Null()], { description: 'The 发文字号 as stored (its standard form), or null' }),
        warnings: Type.Array(Type.Object({ path: Type.String(), message: Type.String(), messageZh: Type.String() }), {
          description: 'What to know about the accepted registration, e.g. a document beyond the look-back that no run will judge; empty when none',
        }),
      }),
    },
    'x-errors': [400, 403, 409],
  },
  runOutcome: {
    summary: 'The outcome of a compliance run started on demand or by the schedule',
    tags,
    params: Type.Object(
      { workflowId: Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:-]+$', 'x-message': RUN_ID_MESSAGE }) },
      { additionalProperties: false },
    ),
    response: { 200: RunOutcome },
    'x-errors': [404],
  },
} satisfies Record<string, RouteSchema>;
