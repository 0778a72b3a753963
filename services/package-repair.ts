/**
 * Repair of packages whose database row and workflow disagree. Temporal is the record of
 * progress, the database the record of what people see: when a step's write was lost or refused
 * (before govpub refused bad text at the door, a NUL in a comment could leave the workflow at
 * "draft" while the row said "in_review", with the step retried forever), this finds the
 * difference, says what holds the package, and brings the row back to the workflow's state, with
 * an audit entry naming who repaired it.
 *
 * It also finds the other half: a package workflow with no row. Creating a package starts its
 * workflow first and stores its rows after; a process killed between the two leaves a draft
 * workflow nobody can see or move. Such a workflow, still an untouched draft and older than a
 * create takes, is ended; one that has moved on (a database restored from before it) is reported.
 */
import type { Kysely } from 'kysely';
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { DB } from '../db/schema.js';
import { appendAudit } from '../db/audit.js';
import { findPackage, storedPackageIds, unretractedPackageIds, updatePackage } from '../db/packages.js';
import { inTransaction } from '../db/transaction.js';
import { packageIdOfWorkflow, packageWorkflowId, stateQuery, type PackageWorkflowState } from '../contracts/package.js';
import { localOperator } from './users.js';

/**
 * A workflow with no row counts as left by a create that died only after this long: a create
 * stores its rows within a second of starting the workflow, so a younger one may still be storing.
 */
export const ORPHAN_WORKFLOW_AGE_MS = 5 * 60_000;

export interface RepairOptions {
  dryRun?: boolean;
  /** How old a package workflow with no row must be to be ended as orphaned (default ORPHAN_WORKFLOW_AGE_MS). */
  orphanAgeMs?: number;
}

export interface RepairReport {
  packageId: string;
  /**
   * ok: nothing to do; repaired: the row now matches the workflow; stuck: a step is still failing;
   * missing: no workflow, or a workflow with no row that cannot be ended safely; ended: a draft
   * workflow whose package was never stored (its create died between the two) was ended.
   */
  outcome: 'ok' | 'repaired' | 'would_repair' | 'stuck' | 'missing' | 'ended' | 'would_end';
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

export async function repairPackage(db: Kysely<DB>, temporal: Client, packageId: string, options: RepairOptions = {}): Promise<RepairReport> {
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
  if (!row) return endOrphan(handle, packageId, state, options);

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

/**
 * A package workflow whose package has no row. An untouched draft (revision 1, never submitted)
 * older than a create takes is what a create killed between starting it and storing the rows
 * leaves: nothing was stored and nothing can be released, so it is ended. Any other state means
 * the workflow went on with a row that is gone now (a database restored from before it was
 * created): it is reported, never ended, since its history is all that is left of the package.
 */
async function endOrphan(handle: WorkflowHandle, packageId: string, state: PackageWorkflowState, options: RepairOptions): Promise<RepairReport> {
  const base = { packageId, differences: [] };
  const untouchedDraft = state.status === 'draft' && state.revision === 1 && state.lastRejection === null && state.approvals.length === 0;
  if (!untouchedDraft)
    return {
      ...base,
      outcome: 'missing',
      advice: `The workflow is ${state.status} at revision ${state.revision}, but the database has no row for ${packageId}: was the database restored from before the package was created? Nothing recreates the row; its history is in Temporal (temporal workflow show --workflow-id ${packageWorkflowId(packageId)}).`,
    };
  const description = await handle.describe();
  const ageMs = Date.now() - description.startTime.getTime();
  const orphanAgeMs = options.orphanAgeMs ?? ORPHAN_WORKFLOW_AGE_MS;
  if (ageMs < orphanAgeMs)
    return {
      ...base,
      outcome: 'missing',
      advice: `The workflow started ${Math.round(ageMs / 1000)} s ago and the database has no row for ${packageId} yet: a create may still be storing it. Run the repair again in ${Math.ceil((orphanAgeMs - ageMs) / 60_000)} min.`,
    };
  const why = `The package was never stored: its create stopped between starting the workflow and storing the rows (${Math.round(ageMs / 60_000)} min ago). Nothing was submitted or released`;
  if (options.dryRun) return { ...base, outcome: 'would_end', advice: `${why}; without --dry-run its workflow is ended.` };
  await handle.terminate(`packages repair by os:${localOperator()}: package ${packageId} has no rows; its create stopped before storing them`);
  return { ...base, outcome: 'ended', advice: `${why}; its workflow was ended.` };
}

/**
 * Running package workflows on the task queue, started at least `minAgeMs` ago, whose package has
 * no row (oldest first). Younger ones are left out: a create may be storing their rows right now.
 * The settings allow only plain task queue names (no quote).
 */
async function workflowsWithoutRows(db: Kysely<DB>, temporal: Client, taskQueue: string, minAgeMs: number): Promise<string[]> {
  const running: { packageId: string; startedAt: number }[] = [];
  const query = `WorkflowType = 'packageWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue}'`;
  const startedBefore = Date.now() - minAgeMs;
  for await (const workflow of temporal.workflow.list({ query })) {
    const packageId = packageIdOfWorkflow(workflow.workflowId);
    const startedAt = workflow.startTime.getTime();
    if (packageId && startedAt <= startedBefore) running.push({ packageId, startedAt });
  }
  const stored = await storedPackageIds(
    db,
    running.map((w) => w.packageId),
  );
  return running
    .filter((w) => !stored.has(w.packageId))
    .sort((a, b) => a.startedAt - b.startedAt)
    .map((w) => w.packageId);
}

/**
 * Every package not yet settled for good, and every running package workflow on `taskQueue` with
 * no row that is old enough to judge (or the given ones).
 */
export async function repairPackages(
  db: Kysely<DB>,
  temporal: Client,
  ids: string[] | { all: true; taskQueue: string },
  options: RepairOptions = {},
): Promise<RepairReport[]> {
  const packageIds = Array.isArray(ids)
    ? ids
    : [...(await unretractedPackageIds(db)), ...(await workflowsWithoutRows(db, temporal, ids.taskQueue, options.orphanAgeMs ?? ORPHAN_WORKFLOW_AGE_MS))];
  const reports: RepairReport[] = [];
  for (const id of packageIds) reports.push(await repairPackage(db, temporal, id, options));
  return reports;
}
