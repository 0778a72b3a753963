/**
 * Activities of the package workflow: every side effect, each idempotent by a business key so a
 * retry after a crash (of the worker or the database connection) records nothing twice.
 */
import type { Kysely } from 'kysely';
import { appendAudit } from '../db/audit.js';
import { applyPackageStep, applyPlainStepWithAudit, isPlainStep, type PackageStep } from '../db/packages.js';
import type { DB } from '../db/schema.js';
import type { Registry } from '../domain/registry.js';
import { inTransaction } from '../db/transaction.js';

export interface PackageEvent extends PackageStep {
  actor: string;
  contentHash: string;
  details: Record<string, unknown>;
  /** The channel the step is about, when it is about one (a delivery started again). */
  channelId?: string;
}

export interface PackageActivityDeps {
  db: Kysely<DB>;
  /** The 索引号 scheme drawn from at a package's first release. */
  registry: Pick<Registry, 'indexNumbers'>;
}

export function createPackageActivities(deps: PackageActivityDeps) {
  const { db } = deps;

  return {
    /** One step of the package's life: package row, decision, voided approvals and audit entry, atomically. */
    async recordPackageEvent(event: PackageEvent): Promise<void> {
      const entry = {
        actor: event.actor,
        action: event.action,
        packageId: event.packageId,
        revision: event.revision,
        contentHash: event.contentHash,
        details: event.details,
        channelId: event.channelId ?? null,
        eventKey: event.eventKey,
      };
      // Most steps are one statement; a first release (索引号), an edit or voided approvals write more, in a transaction.
      if (isPlainStep(event, deps.registry.indexNumbers)) return applyPlainStepWithAudit(db, event, entry);
      await inTransaction(db, async (trx) => {
        await applyPackageStep(trx, event, deps.registry.indexNumbers);
        await appendAudit(trx, entry);
      });
    },
  };
}
