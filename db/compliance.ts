/**
 * The compliance monitor's tables (migration 0009): findings, their change events, runs, site probes
 * and the register of documents published without govpub. The rules of what changes live in
 * services/compliance/findings.ts and domain/compliance/changes.ts; here only the queries.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ComplianceFindingEventsTable, ComplianceFindingsTable, ComplianceRunsTable, DB } from './schema.js';

export type FindingRow = Selectable<ComplianceFindingsTable>;
export type FindingEventRow = Selectable<ComplianceFindingEventsTable>;
export type RunRow = Selectable<ComplianceRunsTable>;

/** Serializes reconciliations (the daily run, a manual run, the content gate's re-scan): one at a time. */
export async function lockFindings(trx: Kysely<DB>): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('govpub.compliance_findings'))`.execute(trx);
}

/** The findings with these keys, and every open finding of these kinds. */
export async function selectReconcileScope(trx: Kysely<DB>, keys: readonly string[], kinds: readonly string[]): Promise<FindingRow[]> {
  if (keys.length === 0 && kinds.length === 0) return [];
  return trx
    .selectFrom('compliance_findings')
    .selectAll()
    .where((eb) =>
      eb.or([
        ...(keys.length ? [eb('key', '=', sql<string>`any(${sql.val(keys)}::text[])`)] : []),
        ...(kinds.length ? [eb.and([eb('status', '=', 'open'), eb('kind', '=', sql<string>`any(${sql.val(kinds)}::text[])`)])] : []),
      ]),
    )
    .execute();
}

export type FindingWrite = Omit<FindingRow, 'facts'> & { facts: Record<string, unknown> };

/** Writes these findings whole (insert or replace), in one statement per 500 rows. */
export async function upsertFindings(trx: Kysely<DB>, rows: readonly FindingWrite[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500).map((r) => ({ ...r, facts: JSON.stringify(r.facts) }));
    await trx
      .insertInto('compliance_findings')
      .values(chunk)
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          kind: eb.ref('excluded.kind'),
          severity: eb.ref('excluded.severity'),
          subject_type: eb.ref('excluded.subject_type'),
          subject_id: eb.ref('excluded.subject_id'),
          subject_name: eb.ref('excluded.subject_name'),
          owner_unit: eb.ref('excluded.owner_unit'),
          message: eb.ref('excluded.message'),
          message_en: eb.ref('excluded.message_en'),
          facts: eb.ref('excluded.facts'),
          status: eb.ref('excluded.status'),
          opened_at: eb.ref('excluded.opened_at'),
          updated_at: eb.ref('excluded.updated_at'),
          closed_at: eb.ref('excluded.closed_at'),
          last_run_id: eb.ref('excluded.last_run_id'),
        })),
      )
      .execute();
  }
}

export type FindingEventWrite = Omit<FindingEventRow, 'id'>;

/** Appends change events; one with an event key already stored is skipped (a retried run). Returns the stored rows. */
export async function insertFindingEvents(trx: Kysely<DB>, events: readonly FindingEventWrite[]): Promise<FindingEventRow[]> {
  const out: FindingEventRow[] = [];
  for (let i = 0; i < events.length; i += 500) {
    const rows = await trx
      .insertInto('compliance_finding_events')
      .values(events.slice(i, i + 500) as FindingEventWrite[])
      .onConflict((oc) => oc.column('event_key').doNothing())
      .returningAll()
      .execute();
    out.push(...rows);
  }
  return out.sort((a, b) => Number(a.id) - Number(b.id));
}

export interface FindingFilter {
  status?: 'open' | 'closed' | 'all';
  severity?: string;
  kind?: string;
  subjectType?: string;
  /** Owner unit ids: only findings of these units (an editor's scope). */
  units?: readonly string[];
  limit: number;
  /** Continue after this (updated_at, key). */
  after?: { at: string; key: string };
}

/** Findings newest change first: (updated_at desc, key desc), with each row's exact sort key. */
export async function selectFindings(db: Kysely<DB>, filter: FindingFilter): Promise<(FindingRow & { sort_at: string })[]> {
  let q = db
    .selectFrom('compliance_findings')
    .selectAll()
    .select(sql<string>`to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('sort_at'))
    .orderBy('updated_at', 'desc')
    .orderBy('key', 'desc')
    .limit(filter.limit);
  const status = filter.status ?? 'open';
  if (status !== 'all') q = q.where('status', '=', status);
  if (filter.severity) q = q.where('severity', '=', filter.severity);
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  if (filter.subjectType) q = q.where('subject_type', '=', filter.subjectType);
  if (filter.units) q = filter.units.length ? q.where('owner_unit', 'in', filter.units) : q.where(sql<boolean>`false`);
  if (filter.after) q = q.where(sql<boolean>`(updated_at, key) < (${filter.after.at}::timestamptz, ${filter.after.key})`);
  return q.execute();
}

/** Open findings by severity, optionally within units, of one kind and of one subject type. */
export async function countOpenFindings(
  db: Kysely<DB>,
  filter: { units?: readonly string[]; kind?: string; subjectType?: string } = {},
): Promise<{ severity: string; n: number }[]> {
  const { units } = filter;
  let q = db
    .selectFrom('compliance_findings')
    .select(['severity', (eb) => eb.fn.countAll<string>().as('n')])
    .where('status', '=', 'open')
    .groupBy('severity');
  if (filter.kind) q = q.where('kind', '=', filter.kind);
  if (filter.subjectType) q = q.where('subject_type', '=', filter.subjectType);
  if (units) q = units.length ? q.where('owner_unit', 'in', units) : q.where(sql<boolean>`false`);
  const rows = await q.execute();
  return rows.map((r) => ({ severity: r.severity, n: Number(r.n) }));
}

/** Change events newest first (by id), optionally of one finding and since a time. */
export async function selectFindingEvents(
  db: Kysely<DB>,
  filter: { key?: string; since?: string; beforeId?: string; limit: number; units?: readonly string[] },
): Promise<FindingEventRow[]> {
  let q = db.selectFrom('compliance_finding_events').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.key) q = q.where('key', '=', filter.key);
  if (filter.since) q = q.where('at', '>=', new Date(filter.since));
  if (filter.beforeId) q = q.where('id', '<', filter.beforeId);
  if (filter.units) q = filter.units.length ? q.where('owner_unit', 'in', filter.units) : q.where(sql<boolean>`false`);
  return q.execute();
}

/** Records a run's start; a run id seen before (a retried activity) keeps its first row. */
export async function insertRun(db: Kysely<DB>, run: { id: string; trigger: string; actor: string; startedAt: Date }): Promise<void> {
  await db
    .insertInto('compliance_runs')
    .values({ id: run.id, trigger: run.trigger, actor: run.actor, started_at: run.startedAt })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export async function selectRun(db: Kysely<DB>, id: string): Promise<RunRow | undefined> {
  return db.selectFrom('compliance_runs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function finishRun(
  db: Kysely<DB>,
  id: string,
  fields: {
    finishedAt: Date;
    checks: string[];
    opened: number;
    closed: number;
    changed: number;
    openCounts: Record<string, number>;
    thresholds: unknown[];
    durationMs: number;
    checkMs: Record<string, number>;
  },
): Promise<void> {
  await db
    .updateTable('compliance_runs')
    .set({
      finished_at: fields.finishedAt,
      checks: JSON.stringify(fields.checks),
      opened: fields.opened,
      closed: fields.closed,
      changed: fields.changed,
      open_counts: JSON.stringify(fields.openCounts),
      thresholds: JSON.stringify(fields.thresholds),
      duration_ms: fields.durationMs,
      check_ms: JSON.stringify(fields.checkMs),
      error: null,
    })
    .where('id', '=', id)
    .execute();
}

export async function failRun(db: Kysely<DB>, id: string, error: string): Promise<void> {
  await db
    .updateTable('compliance_runs')
    .set({ error: error.slice(0, 2000) })
    .where('id', '=', id)
    .execute();
}

/** The last started run that finished. */
export async function selectLatestRun(db: Kysely<DB>): Promise<RunRow | undefined> {
  return db.selectFrom('compliance_runs').selectAll().where('finished_at', 'is not', null).orderBy('seq', 'desc').limit(1).executeTakeFirst();
}

// ---------------------------------------------------------------------------------------------
// Site probes
// ---------------------------------------------------------------------------------------------

export async function insertSiteProbe(
  db: Kysely<DB>,
  probe: { at: Date; url: string; ok: boolean; durationMs: number; status?: number | null; error?: string | null },
): Promise<void> {
  await db
    .insertInto('site_probes')
    .values({
      at: probe.at,
      url: probe.url,
      ok: probe.ok,
      duration_ms: Math.max(0, Math.round(probe.durationMs)),
      status: probe.status ?? null,
      error: probe.error ?? null,
    })
    .execute();
}

export async function selectProbes(db: Kysely<DB>, from: Date, to: Date): Promise<{ at: Date; ok: boolean; duration_ms: number }[]> {
  return db.selectFrom('site_probes').select(['at', 'ok', 'duration_ms']).where('at', '>', from).where('at', '<=', to).orderBy('at').execute();
}

// ---------------------------------------------------------------------------------------------
// Documents published without govpub
// ---------------------------------------------------------------------------------------------

export interface ExternalReleaseWrite {
  id: string;
  title: string;
  ownerUnit: string | null;
  /** 发文字号 in its standard form, or null. */
  documentNumber: string | null;
  documentLiveAt: Date;
  interpretationLiveAt: Date | null;
  url: string | null;
  note: string | null;
  recordedBy: string;
}

/** Registers (or corrects) a document published without govpub. */
export async function upsertExternalRelease(db: Kysely<DB>, r: ExternalReleaseWrite): Promise<void> {
  const row = {
    id: r.id,
    title: r.title,
    owner_unit: r.ownerUnit,
    document_number: r.documentNumber,
    document_live_at: r.documentLiveAt,
    interpretation_live_at: r.interpretationLiveAt,
    url: r.url,
    note: r.note,
    recorded_by: r.recordedBy,
    recorded_at: new Date(),
  };
  await db
    .insertInto('external_releases')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet({ ...row, id: undefined }))
    .execute();
}

/** A registration as stored, whole (undefined: none with that id). */
export async function selectExternalRelease(db: Kysely<DB>, id: string) {
  return db.selectFrom('external_releases').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A registration the duplicate check compares a new one with. */
export interface ExternalReleaseCandidate {
  id: string;
  title: string;
  documentNumber: string | null;
  documentLiveAt: Date;
}

/**
 * Registrations under another id that may be the same document: those of the same unit (null: none)
 * whose document went live in [from, to), and those with the same 发文字号 whenever they went live
 * (services/compliance/monitor.ts decides which are). Called under lockExternalReleases, so two
 * registrations of one document cannot both pass.
 */
export async function selectExternalReleaseCandidates(
  db: Kysely<DB>,
  r: { id: string; ownerUnit: string | null; from: Date; to: Date; documentNumber: string | null },
): Promise<ExternalReleaseCandidate[]> {
  const rows = await db
    .selectFrom('external_releases')
    .select(['id', 'title', 'document_number', 'document_live_at'])
    .where('id', '<>', r.id)
    .where((eb) => {
      const nearby = eb.and([
        eb('document_live_at', '>=', r.from),
        eb('document_live_at', '<', r.to),
        r.ownerUnit === null ? eb('owner_unit', 'is', null) : eb('owner_unit', '=', r.ownerUnit),
      ]);
      return r.documentNumber === null ? nearby : eb.or([nearby, eb('document_number', '=', r.documentNumber)]);
    })
    .orderBy('document_live_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ id: row.id, title: row.title, documentNumber: row.document_number, documentLiveAt: new Date(row.document_live_at) }));
}

/** One registration as the duplicate check compares it, or undefined when the id is new. */
export async function selectExternalReleaseIdentity(
  db: Kysely<DB>,
  id: string,
): Promise<(ExternalReleaseCandidate & { ownerUnit: string | null }) | undefined> {
  const row = await db
    .selectFrom('external_releases')
    .select(['id', 'title', 'owner_unit', 'document_number', 'document_live_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  return (
    row && { id: row.id, title: row.title, ownerUnit: row.owner_unit, documentNumber: row.document_number, documentLiveAt: new Date(row.document_live_at) }
  );
}

/** Serializes registrations (a handful a day): the duplicate check and the write see one state. */
export async function lockExternalReleases(trx: Kysely<DB>): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('govpub.external_releases'))`.execute(trx);
}

export async function selectExternalReleases(db: Kysely<DB>, since: Date) {
  return db.selectFrom('external_releases').selectAll().where('document_live_at', '>=', since).orderBy('id').execute();
}

// ---------------------------------------------------------------------------------------------
// Facts (services/compliance/facts.ts): set-based, whatever the number of packages
// ---------------------------------------------------------------------------------------------

/**
 * Per channel: packages now live there (not taken down) and the newest live time. A retraction takes
 * down the approved revision's rows only; should an earlier revision's row on the same channel be
 * `live` (the commands refuse edits of a released package today, but imported or older data may
 * hold one), a package taken down from a channel under any revision is gone from it, as the annual
 * figures count it.
 */
export async function selectLiveByChannel(db: Kysely<DB>): Promise<{ channel_id: string; packages: number; last_live_at: Date }[]> {
  const { rows } = await sql<{ channel_id: string; packages: string; last_live_at: Date }>`
    select channel_id, count(*) as packages, max(last_live_at) as last_live_at
      from (select channel_id, package_id,
                   max(live_at) filter (where state = 'live' and taken_down_at is null) as last_live_at
              from deliveries
             group by channel_id, package_id
            having bool_and(taken_down_at is null and state not in ('retracting', 'retracted'))) live
     where last_live_at is not null
     group by channel_id`.execute(db);
  return rows.map((r) => ({ channel_id: r.channel_id, packages: Number(r.packages), last_live_at: new Date(r.last_live_at) }));
}

export interface RevisionTimingRow {
  package_id: string;
  title: string;
  catalogue_item_id: string;
  status: string;
  unit: string | null;
  current_revision: number;
  revision: number;
  interpretations: number;
  has_document: boolean;
  formed_at: string | null;
  document_title: string | null;
  /** First live time of this revision on any channel (null: never live). */
  first_live_at: Date | null;
}

/**
 * The revisions that decide 三同步 and Art. 26 timing, in one query: every revision that went live of
 * packages first live since `since`, and the current revision of packages never live.
 */
export async function selectRevisionTiming(db: Kysely<DB>, since: Date): Promise<RevisionTimingRow[]> {
  const result = await sql<RevisionTimingRow>`
    with live as (
      select package_id, revision, min(live_at) as first_live_at
      from deliveries where live_at is not null group by package_id, revision
    ), first_live as (
      select package_id, min(first_live_at) as at from live group by package_id
    )
    select p.id as package_id, p.title, p.catalogue_item_id, p.status, p.unit, p.current_revision, r.revision,
      case when jsonb_typeof(r.content->'interpretations') = 'array' then jsonb_array_length(r.content->'interpretations') else 0 end as interpretations,
      coalesce(jsonb_typeof(r.content->'document') = 'object', false) as has_document,
      r.content->'document'->>'formedAt' as formed_at,
      r.content->'document'->>'title' as document_title,
      live.first_live_at
    from packages p
    join package_revisions r on r.package_id = p.id
    left join live on live.package_id = r.package_id and live.revision = r.revision
    left join first_live on first_live.package_id = p.id
    where (first_live.at >= ${since} and live.first_live_at is not null)
       or (first_live.at is null and r.revision = p.current_revision)
    order by p.id, r.revision`.execute(db);
  return result.rows.map((r) => ({ ...r, interpretations: Number(r.interpretations), first_live_at: r.first_live_at && new Date(r.first_live_at) }));
}
