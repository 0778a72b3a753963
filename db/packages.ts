/** Release packages in the database: the package row, its revisions (content) and its review decisions. */
import { sql, type Insertable, type Kysely, type UpdateObject } from 'kysely';
import { afterKey, pageKeyAt, type PageKey } from './paging.js';
import type { IndexNumberScheme } from '../domain/registry.js';
import { assignIndexNumber } from './index-numbers.js';
import { auditRow, type AuditEntry } from './audit.js';
import type { DB, PackageRevisionRow, PackageRevisionsTable, PackageRow, PackagesTable } from './schema.js';

export async function insertPackage(db: Kysely<DB>, values: Insertable<PackagesTable>): Promise<void> {
  await db.insertInto('packages').values(values).execute();
}

export async function findPackage(db: Kysely<DB>, packageId: string): Promise<PackageRow | undefined> {
  return db.selectFrom('packages').selectAll().where('id', '=', packageId).executeTakeFirst();
}

export async function updatePackage(db: Kysely<DB>, packageId: string, fields: UpdateObject<DB, 'packages'>): Promise<void> {
  await db.updateTable('packages').set(fields).where('id', '=', packageId).execute();
}

export interface PackageListFilter {
  status?: string;
  /** A stage id. */
  stage?: string;
  /** A user id. */
  createdBy?: string;
  /** A title substring (case-insensitive). */
  titleContains?: string;
  /** A unit id. */
  unit?: string;
  /** Only drafts a reviewer sent back (see `standsReturned`). */
  returned?: boolean;
  /** Continue after this row (the last of the previous page). */
  after?: PageKey;
  limit: number;
}

/**
 * True when the decision row `rejection` is the rejection its package (the `packages` row) still
 * stands returned by: the package is a draft, this is its latest review decision and a rejection,
 * and it was not submitted again since (a withdrawal after a new submit leaves no decision, so the
 * submit is looked for in the audit trail). At most one decision of a package matches. The one
 * definition of 已退回: the editors' list and filter, the live events and the inbox use it.
 */
export function standsReturned(rejection: string) {
  const r = (column: string) => sql.ref(`${rejection}.${column}`);
  return sql<boolean>`(packages.status = 'draft' and ${r('decision')} = 'reject'
    and not exists (select 1 from review_decisions later where later.package_id = packages.id and later.id > ${r('id')})
    and not exists (select 1 from audit_log resubmit where resubmit.package_id = packages.id and resubmit.action = 'submit' and resubmit.at > ${r('decided_at')}))`;
}

/**
 * A page of packages, most recently changed first (ties by id), with the creator's name, the
 * rejection a returned draft stands by, and each row's page key. Walks the (updated_at, id) index
 * from the key: a later page costs what the first does.
 */
export async function selectPackagesPage(db: Kysely<DB>, filter: PackageListFilter) {
  let q = db
    .selectFrom('packages')
    .leftJoin('users', 'users.id', 'packages.created_by')
    .leftJoin('review_decisions as rejection', (join) => join.onRef('rejection.package_id', '=', 'packages.id').on(standsReturned('rejection')))
    .selectAll('packages')
    .select([
      'users.name as created_by_name',
      'users.display_name as created_by_display_name',
      'rejection.stage as returned_stage',
      'rejection.decided_at as returned_at',
      pageKeyAt('packages').as('page_at'),
    ])
    .orderBy('packages.updated_at', 'desc')
    .orderBy('packages.id', 'desc');
  if (filter.status) q = q.where('packages.status', '=', filter.status);
  if (filter.returned) q = q.where('rejection.id', 'is not', null);
  if (filter.stage) q = q.where('packages.current_stage', '=', filter.stage);
  if (filter.createdBy) q = q.where('packages.created_by', '=', filter.createdBy);
  if (filter.unit) q = q.where('packages.unit', '=', filter.unit);
  if (filter.titleContains) {
    const escaped = filter.titleContains.replace(/[\\%_]/g, (c) => `\\${c}`);
    q = q.where(sql<boolean>`packages.title ilike ${`%${escaped}%`}`);
  }
  if (filter.after) q = q.where(afterKey('packages', filter.after));
  return q.limit(filter.limit).execute();
}

/** Ids of every package not retracted, most recently changed first. */
export async function unretractedPackageIds(db: Kysely<DB>): Promise<string[]> {
  const rows = await db.selectFrom('packages').select('id').where('status', '!=', 'retracted').orderBy('updated_at', 'desc').execute();
  return rows.map((r) => r.id);
}

/** Which of `ids` have a package row. */
export async function storedPackageIds(db: Kysely<DB>, ids: readonly string[]): Promise<Set<string>> {
  const stored = new Set<string>();
  // In slices, so that a year's packages do not make one statement of thousands of parameters.
  for (let start = 0; start < ids.length; start += 1000) {
    const slice = ids.slice(start, start + 1000);
    const rows = await db.selectFrom('packages').select('id').where('id', 'in', slice).execute();
    for (const row of rows) stored.add(row.id);
  }
  return stored;
}

export async function insertRevision(db: Kysely<DB>, values: Insertable<PackageRevisionsTable>): Promise<void> {
  await db.insertInto('package_revisions').values(values).execute();
}

export async function deleteRevision(db: Kysely<DB>, packageId: string, revision: number): Promise<void> {
  await db.deleteFrom('package_revisions').where('package_id', '=', packageId).where('revision', '=', revision).execute();
}

export async function findRevision(db: Kysely<DB>, packageId: string, revision: number): Promise<PackageRevisionRow | undefined> {
  return db.selectFrom('package_revisions').selectAll().where('package_id', '=', packageId).where('revision', '=', revision).executeTakeFirst();
}

/** Decisions on a package in the order they were taken, with the reviewer's user name. */
export async function decisionsOf(db: Kysely<DB>, packageId: string) {
  return db
    .selectFrom('review_decisions')
    .innerJoin('users', 'users.id', 'review_decisions.reviewer_id')
    .select([
      'review_decisions.stage',
      'review_decisions.decision',
      'review_decisions.comment',
      'review_decisions.revision',
      'review_decisions.decided_at',
      'review_decisions.voided_at',
      'review_decisions.voided_reason',
      'users.name as reviewer',
      'users.display_name as reviewer_display_name',
    ])
    .where('package_id', '=', packageId)
    .orderBy('review_decisions.id')
    .execute();
}

/** The package row as one step of its workflow leaves it. */
export interface PackageStep {
  packageId: string;
  action: string;
  revision: number;
  eventKey: string;
  package: {
    status: string;
    currentStage: string | null;
    currentRevision: number;
    approvedRevision: number | null;
    releaseAt: string | null;
  };
  decision?: { stage: string; decision: 'approve' | 'reject'; comment: string; reviewerId: string };
  voidApprovalsReason?: string;
}

/** The package row's fields a step sets. */
function stepFields(step: PackageStep, now: Date): UpdateObject<DB, 'packages'> {
  return {
    status: step.package.status,
    current_stage: step.package.currentStage,
    current_revision: step.package.currentRevision,
    approved_revision: step.package.approvedRevision,
    release_at: step.package.releaseAt,
    updated_at: now,
    ...(step.action === 'released' ? { released_at: sql<Date>`coalesce(released_at, now())` } : {}),
    ...(step.action === 'retracted' ? { retracted_at: sql<Date>`coalesce(retracted_at, now())` } : {}),
  };
}

/** The decision row of a step that carries one. */
function decisionRow(step: PackageStep & { decision: NonNullable<PackageStep['decision']> }) {
  return {
    package_id: step.packageId,
    revision: step.revision,
    stage: step.decision.stage,
    decision: step.decision.decision,
    comment: step.decision.comment,
    reviewer_id: step.decision.reviewerId,
    event_key: step.eventKey,
  };
}

/**
 * True when a step writes only its package row, its decision (if any) and an audit entry: no
 * 索引号 to draw, no edited title to copy, no approvals to void. Those steps are one statement.
 */
export function isPlainStep(step: PackageStep, indexNumbers?: IndexNumberScheme): boolean {
  return !(indexNumbers && step.package.status === 'releasing') && step.action !== 'edit' && !step.voidApprovalsReason;
}

/**
 * A plain step (isPlainStep) with its audit entry in one statement (data-modifying WITHs): the
 * package row, the decision once per event key and the entry, all or none, in one round trip
 * instead of a transaction's five.
 */
export async function applyPlainStepWithAudit(db: Kysely<DB>, step: PackageStep, entry: AuditEntry): Promise<void> {
  const withPackage = db.with('package_changed', (qb) =>
    qb.updateTable('packages').set(stepFields(step, new Date())).where('id', '=', step.packageId).returning('id'),
  );
  const decision = step.decision;
  const audit = auditRow(entry);
  if (!decision) {
    await withPackage
      .insertInto('audit_log')
      .values(audit)
      .onConflict((oc) => oc.column('event_key').doNothing())
      .execute();
    return;
  }
  await withPackage
    .with('decision_added', (qb) =>
      qb
        .insertInto('review_decisions')
        .values(decisionRow({ ...step, decision }))
        .onConflict((oc) => oc.column('event_key').doNothing())
        .returning('id'),
    )
    .insertInto('audit_log')
    .values(audit)
    .onConflict((oc) => oc.column('event_key').doNothing())
    .execute();
}

/**
 * Writes one step of a package's life: its row (release and retraction times set once), the
 * title of an edited revision, voided approvals and the decision (once per event key), and the
 * 索引号 when the step starts the package's first release (any step that leaves it "releasing":
 * the final approval, the release time reached, "release now"). Run it in the transaction that
 * also appends the step's audit entry. A write added here beyond the row and the decision must
 * make isPlainStep false for its steps, or the one-statement path would skip it.
 */
export async function applyPackageStep(db: Kysely<DB>, step: PackageStep, indexNumbers?: IndexNumberScheme): Promise<void> {
  const now = new Date();
  await updatePackage(db, step.packageId, stepFields(step, now));
  if (indexNumbers && step.package.status === 'releasing') await assignIndexNumber(db, step.packageId, indexNumbers, now);
  if (step.action === 'edit') {
    // The list shows the current revision's title: written with the step that made it current.
    const revision = await findRevision(db, step.packageId, step.revision);
    const content = revision?.content as { title?: string; catalogueItem?: string } | undefined;
    if (content?.title && content.catalogueItem) {
      await updatePackage(db, step.packageId, { title: content.title, catalogue_item_id: content.catalogueItem });
    }
  }
  if (step.voidApprovalsReason) {
    await db
      .updateTable('review_decisions')
      .set({ voided_at: now, voided_reason: step.voidApprovalsReason })
      .where('package_id', '=', step.packageId)
      .where('decision', '=', 'approve')
      .where('voided_at', 'is', null)
      .execute();
  }
  const decision = step.decision;
  if (decision) {
    await db
      .insertInto('review_decisions')
      .values(decisionRow({ ...step, decision }))
      .onConflict((oc) => oc.column('event_key').doNothing())
      .execute();
  }
}
