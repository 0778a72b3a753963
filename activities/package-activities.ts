/**
 * Activities of the package workflow: every side effect, each idempotent by a business key so a
 * retry after a crash (of the worker or the database connection) records nothing twice.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

export interface PackageEvent {
  eventKey: string;
  packageId: string;
  actor: string;
  action: string;
  revision: number;
  contentHash: string;
  package: {
    status: string;
    currentStage: string | null;
    currentRevision: number;
    approvedRevision: number | null;
    releaseAt: string | null;
  };
  decision?: { stage: string; decision: 'approve' | 'reject'; comment: string; reviewerId: string };
  voidApprovalsReason?: string;
  details: Record<string, unknown>;
}

export interface UnitRef {
  packageId: string;
  revision: number;
  channelId: string;
}

export interface PackageActivityDeps {
  db: Kysely<DB>;
}

export function deliveryKey(ref: UnitRef): string {
  return `${ref.packageId}@${ref.revision}→${ref.channelId}`;
}

/** Appends an audit entry unless one with the same business key exists. */
export async function appendAudit(
  db: Kysely<DB>,
  entry: {
    actor: string;
    action: string;
    packageId?: string | null;
    revision?: number | null;
    contentHash?: string | null;
    channelId?: string | null;
    details?: Record<string, unknown>;
    eventKey?: string | null;
  },
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor: entry.actor,
      action: entry.action,
      package_id: entry.packageId ?? null,
      revision: entry.revision ?? null,
      content_hash: entry.contentHash ?? null,
      channel_id: entry.channelId ?? null,
      details: JSON.stringify(entry.details ?? {}),
      event_key: entry.eventKey ?? null,
    })
    .onConflict((oc) => oc.column('event_key').doNothing())
    .execute();
}

export function createPackageActivities(deps: PackageActivityDeps) {
  const { db } = deps;

  return {
    /** One step of the package's life: package row, decision, voided approvals and audit entry, atomically. */
    async recordPackageEvent(event: PackageEvent): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const now = new Date();
        await trx
          .updateTable('packages')
          .set({
            status: event.package.status,
            current_stage: event.package.currentStage,
            current_revision: event.package.currentRevision,
            approved_revision: event.package.approvedRevision,
            release_at: event.package.releaseAt,
            updated_at: now,
            ...(event.action === 'released' ? { released_at: sql<Date>`coalesce(released_at, now())` } : {}),
            ...(event.action === 'retracted' ? { retracted_at: sql<Date>`coalesce(retracted_at, now())` } : {}),
          })
          .where('id', '=', event.packageId)
          .execute();
        if (event.action === 'edit') {
          // The list shows the current revision's title: written with the step that made it current.
          const revision = await trx
            .selectFrom('package_revisions')
            .select('content')
            .where('package_id', '=', event.packageId)
            .where('revision', '=', event.revision)
            .executeTakeFirst();
          const content = revision?.content as { title?: string; catalogueItem?: string } | undefined;
          if (content?.title && content.catalogueItem) {
            await trx
              .updateTable('packages')
              .set({ title: content.title, catalogue_item_id: content.catalogueItem })
              .where('id', '=', event.packageId)
              .execute();
          }
        }
        if (event.voidApprovalsReason) {
          await trx
            .updateTable('review_decisions')
            .set({ voided_at: now, voided_reason: event.voidApprovalsReason })
            .where('package_id', '=', event.packageId)
            .where('decision', '=', 'approve')
            .where('voided_at', 'is', null)
            .execute();
        }
        if (event.decision) {
          await trx
            .insertInto('review_decisions')
            .values({
              package_id: event.packageId,
              revision: event.revision,
              stage: event.decision.stage,
              decision: event.decision.decision,
              comment: event.decision.comment,
              reviewer_id: event.decision.reviewerId,
              event_key: event.eventKey,
            })
            .onConflict((oc) => oc.column('event_key').doNothing())
            .execute();
        }
        await appendAudit(trx, {
          actor: event.actor,
          action: event.action,
          packageId: event.packageId,
          revision: event.revision,
          contentHash: event.contentHash,
          details: event.details,
          eventKey: event.eventKey,
        });
      });
    },
  };
}
