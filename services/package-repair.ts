/**
 * Repair of packages whose database row and workflow disagree. Temporal is the record of
 * progress, the database the record of what people see: when a step's write was lost or refused
 * (before govpub refused bad text at the door, a NUL in a comment could leave the workflow at
 * "draft" while the row said "in_review", with the step retried forever), this finds the
 * difference, says what holds the package, and brings the row back to the workflow's state, with
 * an audit entry naming who repaired it.
 */
import type { Kysely } from 'kysely';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { DB } from '../db/schema.js';
import { appendAudit } from '../db/audit.js';
import { findPackage, unretractedPackageIds, updatePackage } from '../db/packages.js';
import { inTransaction } from '../db/transaction.js';
import { packageWorkflowId, stateQuery, type PackageWorkflowState } from '../contracts/package.js';
import { localOperator } from './users.js';

export interface RepairReport {
  packageId: string;
  /** ok: nothing to do; repaired: the row now matches the workflow; stuck: a step is still failing; missing: no workflow. */
  outcome: 'ok' | 'repaired' | 'would_repair' | 'stuck' | 'missing';
  differences: { field: string; database: unknown; workflow: unknown }[];
  /** What holds the package, when a step keeps failing. */
  stuckStep?: { activity: string; attempts: number; lastFailure: string | null };
  advice?: string;
}

function rowFields(state: PackageWorkflowState) {
  return {
    status: state.status,
    current_stage: state.stageIndex === null ? null : state.stages[state.stageIndex]!.id,
    current_revision: state.revision,
    approved_revision: state.approvedRevision,
    release_at: state.releaseAt,
  };
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

export async function repairPackage(db: Kysely<DB>, temporal: Client, packageId: string, options: { dryRun?: boolean } = {}): Promise<RepairReport> {
  const row = await findPackage(db, packageId);
  const handle = temporal.workflow.getHandle(packageWorkflowId(packageId));
  let state: PackageWorkflowState;
  try {
    state = await handle.query(stateQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError)
      return {
        packageId,
        outcome: 'missing',
        differences: [],
        advice: row
          ? 'The package has no workflow (it was never started or its history was deleted); it cannot be repaired from Temporal.'
          : `No package ${packageId}.`,
      };
    throw error;
  }
  if (!row)
    return {
      packageId,
      outcome: 'missing',
      differences: [],
      advice: `The workflow exists but the database has no row for ${packageId}; the package was never stored whole.`,
    };

  const description = await handle.describe();
  const pending = description.raw.pendingActivities?.find((a) => (a.attempt ?? 1) > 1);
  if (pending || state.pendingStep) {
    const stuckStep = {
      activity: pending?.activityType?.name ?? state.pendingStep?.action ?? 'unknown',
      attempts: pending?.attempt ?? 1,
      lastFailure: pending?.lastFailure?.message ?? null,
    };
    return {
      packageId,
      outcome: 'stuck',
      differences: [],
      stuckStep,
      advice: /refused|invalid|violat|NUL|unicode|surrogate/i.test(stuckStep.lastFailure ?? '')
        ? 'A step keeps failing on its data. Workers of this version fail such a step at once and put the package back as it was: restart every worker on this version, then run the repair again.'
        : 'A step is waiting, probably for the database; it continues by itself once the database is reachable. Run the repair again afterwards.',
    };
  }

  const wanted = rowFields(state);
  const differences = (Object.keys(wanted) as (keyof typeof wanted)[])
    .map((field) => ({ field, database: iso(row[field]), workflow: wanted[field] }))
    .filter((d) => JSON.stringify(d.database ?? null) !== JSON.stringify(d.workflow ?? null));
  if (differences.length === 0) return { packageId, outcome: 'ok', differences };
  if (options.dryRun) return { packageId, outcome: 'would_repair', differences };
  await inTransaction(db, async (trx) => {
    await updatePackage(trx, packageId, { ...wanted, updated_at: new Date() });
    await appendAudit(trx, { actor: localOperator(), action: 'package_repaired', packageId, revision: state.revision, details: { differences } });
  });
  return { packageId, outcome: 'repaired', differences };
}

/** Every package not yet settled for good (or the given ones). */
export async function repairPackages(db: Kysely<DB>, temporal: Client, ids: string[] | 'all', options: { dryRun?: boolean } = {}): Promise<RepairReport[]> {
  const packageIds = ids === 'all' ? await unretractedPackageIds(db) : ids;
  const reports: RepairReport[] = [];
  for (const id of packageIds) reports.push(await repairPackage(db, temporal, id, options));
  return reports;
}
