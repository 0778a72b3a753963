/**
 * The findings store: a run's drafts become findings that open, change and close themselves, each
 * change recorded once in the events table (GET /api/compliance/history) and in the audit trail
 * (action `compliance.<change>`, event key `compliance:<runId>:<key>`), all in one transaction.
 *
 * Each caller is authoritative for its own kinds only: the daily run closes the account, column, site
 * and timing findings it no longer sees; the content gate's re-scan closes only published_* findings.
 * What counts as a change (and what is a clock figure refreshed silently) is domain/compliance/changes.ts.
 */
import type { Kysely } from 'kysely';
import { appendAudit } from '../../db/audit.js';
import {
  countOpenFindings,
  insertFindingEvents,
  lockFindings,
  selectFindingEvents,
  selectFindings,
  selectLatestRun,
  selectReconcileScope,
  selectRun,
  upsertFindings,
  type FindingEventRow,
  type FindingEventWrite,
  type FindingRow,
  type FindingWrite,
  type RunRow,
} from '../../db/compliance.js';
import type { DB } from '../../db/schema.js';
import { inTransaction } from '../../db/transaction.js';
import { changeOf, findingKey } from '../../domain/compliance/changes.js';
import {
  FINDING_KINDS,
  SEVERITIES,
  type ComplianceQuery,
  type ComplianceRunSummary,
  type Finding,
  type FindingChange,
  type FindingDraft,
  type FindingEvent,
  type FindingKind,
  type RunTrigger,
  type Severity,
  type SubjectType,
  type ThresholdStatus,
} from '../../domain/compliance/model.js';
import { GovpubError } from '../../domain/errors.js';
import { decodeCursor, encodeCursor } from '../list-cursor.js';

export interface ReconcileInput {
  runId: string;
  at: Date;
  actor: string;
  /** Kinds this caller is authoritative for: their open findings missing from `drafts` close. */
  authoritativeKinds: readonly FindingKind[];
  drafts: readonly FindingDraft[];
}

export interface ReconcileResult {
  /** Opened or reopened. */
  opened: number;
  closed: number;
  /** Escalated, eased or updated. */
  changed: number;
  events: FindingEvent[];
}

/** Applies a run's drafts to the stored findings (see the module comment). Safe to repeat with the same run id. */
export async function reconcileFindings(db: Kysely<DB>, input: ReconcileInput): Promise<ReconcileResult> {
  const drafts = new Map<string, FindingDraft>();
  for (const draft of input.drafts) {
    const key = findingKey(draft);
    if (drafts.has(key)) {
      throw new GovpubError('duplicate_finding', `Two findings of one run have the key "${key}"; a check must report a subject once per kind.`, { key });
    }
    if (!input.authoritativeKinds.includes(draft.kind)) {
      throw new GovpubError('finding_kind_not_authoritative', `A draft of kind ${draft.kind} came from a caller that is not authoritative for it.`, {
        key,
      });
    }
    drafts.set(key, draft);
  }
  const at = input.at;
  return inTransaction(db, async (trx) => {
    await lockFindings(trx);
    const existing = new Map((await selectReconcileScope(trx, [...drafts.keys()], input.authoritativeKinds)).map((r) => [r.key, r]));
    const writes: FindingWrite[] = [];
    const events: FindingEventWrite[] = [];
    const record = (change: FindingChange, row: FindingWrite, previousSeverity: string | null) =>
      events.push({
        event_key: `compliance:${input.runId}:${row.key}`,
        key: row.key,
        kind: row.kind,
        change,
        severity: row.severity,
        previous_severity: previousSeverity,
        subject_type: row.subject_type,
        subject_id: row.subject_id,
        subject_name: row.subject_name,
        owner_unit: row.owner_unit,
        message: row.message,
        run_id: input.runId,
        at,
      });

    for (const [key, draft] of drafts) {
      const before = existing.get(key);
      const change = changeOf(before && { status: before.status, severity: before.severity as Severity, facts: before.facts }, draft);
      const row: FindingWrite = {
        key,
        kind: draft.kind,
        severity: draft.severity,
        subject_type: draft.subject.type,
        subject_id: draft.subject.id,
        subject_name: draft.subject.name,
        owner_unit: draft.ownerUnit,
        message: draft.message,
        message_en: draft.messageEn,
        facts: draft.facts,
        status: 'open',
        opened_at: !before || before.status === 'closed' ? at : before.opened_at,
        updated_at: change ? at : before!.updated_at,
        closed_at: null,
        last_run_id: input.runId,
      };
      writes.push(row);
      if (change) record(change, row, before && before.status === 'open' ? before.severity : null);
    }
    for (const [key, before] of existing) {
      if (drafts.has(key) || before.status !== 'open' || !input.authoritativeKinds.includes(before.kind as FindingKind)) continue;
      const row: FindingWrite = { ...before, status: 'closed', closed_at: at, updated_at: at, last_run_id: input.runId };
      writes.push(row);
      record('closed', row, before.severity);
    }

    await upsertFindings(trx, writes);
    const stored = await insertFindingEvents(trx, events);
    const written = new Map(writes.map((w) => [w.key, w]));
    for (const e of stored) {
      const finding = written.get(e.key)!;
      await appendAudit(trx, {
        actor: input.actor,
        action: `compliance.${e.change}`,
        packageId: e.subject_type === 'package' ? e.subject_id : null,
        channelId: e.subject_type === 'account' || e.subject_type === 'column' ? e.subject_id : null,
        details: {
          key: e.key,
          kind: e.kind,
          severity: e.severity,
          previousSeverity: e.previous_severity,
          subject: { type: e.subject_type, id: e.subject_id, name: e.subject_name },
          ownerUnit: e.owner_unit,
          message: e.message,
          facts: finding.facts,
          runId: input.runId,
        },
        eventKey: e.event_key,
      });
    }
    const count = (changes: FindingChange[]) => stored.filter((e) => changes.includes(e.change as FindingChange)).length;
    return {
      opened: count(['opened', 'reopened']),
      closed: count(['closed']),
      changed: count(['escalated', 'eased', 'updated']),
      events: stored.map(toEvent),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

const MAX_LIMIT = 500;

function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

export function toFinding(row: FindingRow): Finding {
  return {
    key: row.key,
    kind: row.kind as FindingKind,
    severity: row.severity as Severity,
    subject: { type: row.subject_type as SubjectType, id: row.subject_id, name: row.subject_name },
    ownerUnit: row.owner_unit,
    message: row.message,
    messageEn: row.message_en,
    facts: row.facts,
    status: row.status,
    openedAt: iso(row.opened_at)!,
    updatedAt: iso(row.updated_at)!,
    closedAt: iso(row.closed_at),
  };
}

export function toEvent(row: FindingEventRow): FindingEvent {
  return {
    id: String(row.id),
    key: row.key,
    kind: row.kind as FindingKind,
    change: row.change as FindingChange,
    severity: row.severity as Severity,
    previousSeverity: (row.previous_severity as Severity | null) ?? null,
    subject: { type: row.subject_type as SubjectType, id: row.subject_id, name: row.subject_name },
    ownerUnit: row.owner_unit,
    message: row.message,
    runId: row.run_id,
    at: iso(row.at)!,
  };
}

function badQuery(path: string, message: string, messageZh: string): GovpubError {
  return new GovpubError('invalid_query', `${path}: ${message}`, { status: 400, issues: [{ path, message, messageZh }] });
}

function checkQuery(query: ComplianceQuery): void {
  if (query.severity !== undefined && !(SEVERITIES as readonly string[]).includes(query.severity))
    throw badQuery('severity', `expected one of ${SEVERITIES.join(', ')}`, `应为 ${SEVERITIES.join('、')} 之一`);
  if (query.kind !== undefined && !(FINDING_KINDS as readonly string[]).includes(query.kind))
    throw badQuery('kind', `expected one of ${FINDING_KINDS.join(', ')}`, '不是已知的检查项类型');
  if (query.status !== undefined && !['open', 'closed', 'all'].includes(query.status))
    throw badQuery('status', 'expected open, closed or all', '应为 open、closed 或 all');
  if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_LIMIT))
    throw badQuery('limit', `expected a whole number from 1 to ${MAX_LIMIT}`, `应为 1 到 ${MAX_LIMIT} 的整数`);
}

/** The owner units a list covers: the viewer's (undefined: all) narrowed to the query's `unit`. */
export function narrowUnits(units: readonly string[] | undefined, unit: string | undefined): string[] | undefined {
  if (!unit) return units && [...units];
  return units ? units.filter((u) => u === unit) : [unit];
}

/**
 * Findings, newest change first (open ones unless `status` says otherwise). `units` limits the list to
 * these owner units (an editor's scope); `unit` of the query narrows further.
 */
export async function listFindings(db: Kysely<DB>, query: ComplianceQuery & { units?: string[] }): Promise<{ findings: Finding[]; nextCursor: string | null }> {
  checkQuery(query);
  const limit = query.limit ?? 100;
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  const rows = await selectFindings(db, {
    status: query.status,
    severity: query.severity,
    kind: query.kind,
    subjectType: query.subjectType,
    units: narrowUnits(query.units, query.unit),
    limit: limit + 1,
    after: after && { at: after.at, key: after.id },
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { findings: page.map(toFinding), nextCursor: rows.length > limit && last ? encodeCursor({ at: last.sort_at, id: last.key }) : null };
}

/** Open findings by severity (all severities present, zero when none), of these units, kind and subject type when given. */
export async function openCounts(
  db: Kysely<DB>,
  filter: { units?: readonly string[]; kind?: FindingKind; subjectType?: SubjectType } = {},
): Promise<Record<Severity, number>> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const row of await countOpenFindings(db, filter)) if ((SEVERITIES as readonly string[]).includes(row.severity)) counts[row.severity as Severity] = row.n;
  return counts;
}

/** Changes, newest first; `cursor` is the `nextCursor` of the previous page. */
export async function findingHistory(
  db: Kysely<DB>,
  query: { key?: string; since?: string; limit?: number; cursor?: string; units?: string[] },
): Promise<{ events: FindingEvent[]; nextCursor: string | null }> {
  const limit = query.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw badQuery('limit', `expected a whole number from 1 to ${MAX_LIMIT}`, `应为 1 到 ${MAX_LIMIT} 的整数`);
  if (query.since !== undefined && Number.isNaN(Date.parse(query.since)))
    throw badQuery('since', 'expected a date or time (ISO 8601)', '应为日期或时间（ISO 8601）');
  // At most 18 digits: every id fits PostgreSQL's bigint (a 19-digit one may not, and would fail in the query).
  if (query.cursor !== undefined && !/^[1-9]\d{0,17}$/.test(query.cursor))
    throw badQuery('cursor', 'not a cursor from this list; use nextCursor as given', '不是本列表给出的游标；请原样使用上一页返回的 nextCursor');
  const rows = await selectFindingEvents(db, { key: query.key, since: query.since, beforeId: query.cursor, limit: limit + 1, units: query.units });
  const page = rows.slice(0, limit);
  return { events: page.map(toEvent), nextCursor: rows.length > limit ? String(page[page.length - 1]!.id) : null };
}

/** The newest finished run, as the API shows it. */
export async function latestRun(db: Kysely<DB>): Promise<ComplianceRunSummary | null> {
  return runSummary(await selectLatestRun(db));
}

/** A finished run's summary, by id (null while it runs, after it failed, or when unknown). */
export async function finishedRun(db: Kysely<DB>, runId: string): Promise<ComplianceRunSummary | null> {
  return runSummary(await selectRun(db, runId));
}

function runSummary(row: RunRow | undefined): ComplianceRunSummary | null {
  if (!row || !row.finished_at) return null;
  return {
    runId: row.id,
    trigger: row.trigger as RunTrigger,
    startedAt: iso(row.started_at)!,
    finishedAt: iso(row.finished_at)!,
    checks: row.checks,
    opened: row.opened,
    closed: row.closed,
    changed: row.changed,
    open: { ...(Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>), ...(row.open_counts as Record<Severity, number>) },
    thresholds: row.thresholds as ThresholdStatus[],
    durationMs: row.duration_ms ?? 0,
  };
}
