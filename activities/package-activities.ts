/**
 * Activities of the package workflow: every side effect, each idempotent by a business key so a
 * retry after a crash (of the worker or the database connection) records nothing twice.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { ApplicationFailure } from '@temporalio/activity';
import type { DB } from '../db/schema.js';
import type { Channel } from '../domain/registry.js';
import type { ChannelAdapter, ReleaseUnit } from '../adapters/types.js';

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
  channel(id: string): Channel | undefined;
  adapterFor(channel: Channel): ChannelAdapter;
}

export function deliveryKey(ref: UnitRef): string {
  return `${ref.packageId}@${ref.revision}→${ref.channelId}`;
}

/** Appends an audit entry unless one with the same business key exists. */
export async function appendAudit(
  db: Kysely<DB>,
  entry: { actor: string; action: string; packageId?: string | null; revision?: number | null; contentHash?: string | null; channelId?: string | null; details?: Record<string, unknown>; eventKey?: string | null },
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

  async function loadUnit(ref: UnitRef): Promise<ReleaseUnit> {
    const row = await db
      .selectFrom('package_revisions')
      .select(['content', 'content_hash'])
      .where('package_id', '=', ref.packageId)
      .where('revision', '=', ref.revision)
      .executeTakeFirst();
    if (!row) throw ApplicationFailure.nonRetryable(`Revision ${ref.revision} of package ${ref.packageId} is missing from the database.`, 'revision_missing');
    const content = row.content as { title: string; document: ReleaseUnit['document']; interpretations: ReleaseUnit['interpretations'] };
    return {
      packageId: ref.packageId,
      revision: ref.revision,
      contentHash: row.content_hash,
      title: content.title,
      document: content.document,
      interpretations: content.interpretations ?? [],
    };
  }

  function channelOf(id: string): Channel {
    const channel = deps.channel(id);
    if (!channel) throw ApplicationFailure.nonRetryable(`Channel ${id} is not in the registry any more; restore it or skip the delivery.`, 'channel_unknown');
    return channel;
  }

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

    /** One delivery row per (package revision × channel); re-running adds none. */
    async prepareDeliveries(input: { packageId: string; revision: number; channelIds: string[] }): Promise<void> {
      if (input.channelIds.length === 0) return;
      await db
        .insertInto('deliveries')
        .values(
          input.channelIds.map((channelId) => ({
            id: randomUUID(),
            business_key: deliveryKey({ packageId: input.packageId, revision: input.revision, channelId }),
            package_id: input.packageId,
            revision: input.revision,
            channel_id: channelId,
            state: 'pending',
          })),
        )
        .onConflict((oc) => oc.column('business_key').doNothing())
        .execute();
    },

    /** Publish the unit (document + interpretations, linked) to one channel, exactly once. */
    async publishUnit(ref: UnitRef): Promise<{ state: string; publicUrl: string | null; liveAt: string | null }> {
      const key = deliveryKey(ref);
      const existing = await db.selectFrom('deliveries').selectAll().where('business_key', '=', key).executeTakeFirstOrThrow();
      if (existing.state === 'live') {
        return { state: 'live', publicUrl: existing.public_url, liveAt: existing.live_at?.toISOString() ?? null };
      }
      const channel = channelOf(ref.channelId);
      const adapter = deps.adapterFor(channel);
      const payload = adapter.format(await loadUnit(ref), channel);
      await db
        .updateTable('deliveries')
        .set({ state: 'transmitting', payload: JSON.stringify(payload), attempts: sql<number>`attempts + 1`, updated_at: new Date() })
        .where('business_key', '=', key)
        .execute();
      const result = await adapter.transmit(payload, channel, { businessKey: key });
      const liveAt = result.state === 'live' ? new Date() : null;
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('deliveries')
          .set({ state: result.state, external_id: result.externalId, public_url: result.publicUrl, live_at: liveAt, error_class: null, error_message: null, updated_at: new Date() })
          .where('business_key', '=', key)
          .execute();
        await appendAudit(trx, {
          actor: 'system',
          action: `delivery_${result.state}`,
          packageId: ref.packageId,
          revision: ref.revision,
          channelId: ref.channelId,
          details: { publicUrl: result.publicUrl, externalId: result.externalId },
          eventKey: `${key}:${result.state}`,
        });
      });
      return { state: result.state, publicUrl: result.publicUrl, liveAt: liveAt?.toISOString() ?? null };
    },

    /** Take the unit down from one channel that received it. */
    async takeDownUnit(ref: UnitRef & { reason: string }): Promise<{ state: string; takenDownAt: string | null }> {
      const key = deliveryKey(ref);
      const delivery = await db.selectFrom('deliveries').selectAll().where('business_key', '=', key).executeTakeFirstOrThrow();
      if (delivery.state === 'retracted') return { state: 'retracted', takenDownAt: delivery.updated_at.toISOString() };
      const channel = channelOf(ref.channelId);
      const adapter = deps.adapterFor(channel);
      if (adapter.takeDown && delivery.external_id) {
        await adapter.takeDown(delivery.external_id, channel, { businessKey: key, reason: ref.reason });
      }
      const now = new Date();
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('deliveries').set({ state: 'retracted', updated_at: now }).where('business_key', '=', key).execute();
        await appendAudit(trx, {
          actor: 'system',
          action: 'delivery_retracted',
          packageId: ref.packageId,
          revision: ref.revision,
          channelId: ref.channelId,
          details: { reason: ref.reason },
          eventKey: `${key}:retracted`,
        });
      });
      return { state: 'retracted', takenDownAt: now.toISOString() };
    },
  };
}
