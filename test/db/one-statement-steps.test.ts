/**
 * A package step or a delivery change with its audit entry as one statement (data-modifying WITH),
 * on PostgreSQL and on the embedded PGlite: everything written, once per event key, and nothing at
 * all when any part is refused (as the transaction it replaces).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { loadRegistry } from '../../config/registry.js';
import { planDeliveryRows, updateDeliveryWithAudit } from '../../db/deliveries.js';
import { applyPlainStepWithAudit, insertPackage, isPlainStep, type PackageStep } from '../../db/packages.js';
import type { DB } from '../../db/schema.js';
import type { Registry } from '../../domain/registry.js';
import { addUser } from '../../services/users.js';
import { freshDatabase, freshEmbeddedDatabase } from '../support/services.js';

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry();
});

const approval = (packageId: string, reviewerId: string, eventKey: string): PackageStep => ({
  packageId,
  action: 'approve',
  revision: 1,
  eventKey,
  package: { status: 'in_review', currentStage: 'second', currentRevision: 1, approvedRevision: null, releaseAt: null },
  decision: { stage: 'first', decision: 'approve', comment: '同意', reviewerId },
});

describe.each(['postgres', 'pglite'] as const)('one-statement steps on %s', (backend) => {
  let database: { db: Kysely<DB>; close(): Promise<void> };
  let db: Kysely<DB>;
  let reviewerId: string;

  beforeAll(async () => {
    database = backend === 'pglite' ? await freshEmbeddedDatabase() : await freshDatabase();
    db = database.db;
    const author = await addUser(db, registry, { name: 'steps-author', role: 'editor', stages: [] });
    const reviewer = await addUser(db, registry, { name: 'steps-reviewer', role: 'reviewer', stages: ['first'] });
    reviewerId = reviewer.user.id;
    for (const id of ['pkg-steps-1', 'pkg-steps-2']) {
      await insertPackage(db, {
        id,
        title: '稿件',
        catalogue_item_id: 'qzf-gfxwj',
        content_class: 'policy',
        status: 'in_review',
        current_revision: 1,
        release_at: null,
        created_by: author.user.id,
        unit: null,
      });
    }
  });
  afterAll(() => database?.close());

  const audits = (packageId: string) => db.selectFrom('audit_log').select(['action', 'event_key', 'channel_id']).where('package_id', '=', packageId).execute();

  it('a plain step writes the package row, its decision and its audit entry, each once per event key', async () => {
    const step = approval('pkg-steps-1', reviewerId, 'pkg-steps-1/e1');
    expect(isPlainStep(step, registry.indexNumbers)).toBe(true);
    const entry = { actor: reviewerId, action: 'approve', packageId: step.packageId, revision: 1, details: { stage: 'first' }, eventKey: step.eventKey };
    await applyPlainStepWithAudit(db, step, entry);
    await applyPlainStepWithAudit(db, step, entry); // a retried activity
    const row = await db.selectFrom('packages').select(['current_stage', 'status']).where('id', '=', 'pkg-steps-1').executeTakeFirstOrThrow();
    expect(row).toEqual({ current_stage: 'second', status: 'in_review' });
    const decisions = await db.selectFrom('review_decisions').select(['stage', 'decision', 'event_key']).where('package_id', '=', 'pkg-steps-1').execute();
    expect(decisions).toEqual([{ stage: 'first', decision: 'approve', event_key: 'pkg-steps-1/e1' }]);
    expect(await audits('pkg-steps-1')).toEqual([{ action: 'approve', event_key: 'pkg-steps-1/e1', channel_id: null }]);
  });

  it('nothing is written when a part is refused (a decision by an unknown reviewer)', async () => {
    const step = approval('pkg-steps-2', '00000000-0000-0000-0000-000000000000', 'pkg-steps-2/e1');
    const entry = { actor: 'system', action: 'approve', packageId: step.packageId, revision: 1, eventKey: step.eventKey };
    await expect(applyPlainStepWithAudit(db, step, entry)).rejects.toThrow();
    const row = await db.selectFrom('packages').select(['current_stage']).where('id', '=', 'pkg-steps-2').executeTakeFirstOrThrow();
    expect(row.current_stage).toBeNull();
    expect(await audits('pkg-steps-2')).toEqual([]);
  });

  it('steps that draw a 索引号, copy an edited title or void approvals are not plain (they keep their transaction)', () => {
    const base = approval('pkg-steps-1', reviewerId, 'k');
    expect(isPlainStep({ ...base, package: { ...base.package, status: 'releasing' } }, registry.indexNumbers)).toBe(false);
    expect(isPlainStep({ ...base, action: 'edit' }, registry.indexNumbers)).toBe(false);
    expect(isPlainStep({ ...base, voidApprovalsReason: '稿件已修改' }, registry.indexNumbers)).toBe(false);
  });

  it('a delivery change and its audit entry: both, once per event key; neither when the entry is refused', async () => {
    const [planned] = await planDeliveryRows(db, { packageId: 'pkg-steps-1', revision: 1 }, [{ id: 'portal:zwgk', platform: 'portal' }]);
    const unit = { packageId: 'pkg-steps-1', revision: 1, channelId: 'portal:zwgk' };
    const entry = {
      actor: 'system',
      action: 'delivery_live',
      packageId: unit.packageId,
      revision: 1,
      channelId: unit.channelId,
      eventKey: `${planned!.business_key}:live`,
    };
    await updateDeliveryWithAudit(db, unit, { state: 'live', public_url: 'https://www.beilin.gov.cn/a.html' }, entry);
    await updateDeliveryWithAudit(db, unit, { state: 'live', public_url: 'https://www.beilin.gov.cn/a.html' }, entry);
    const row = await db.selectFrom('deliveries').select(['state', 'public_url']).where('business_key', '=', planned!.business_key).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'live', public_url: 'https://www.beilin.gov.cn/a.html' });
    expect((await audits('pkg-steps-1')).filter((a) => a.action === 'delivery_live')).toEqual([
      { action: 'delivery_live', event_key: entry.eventKey, channel_id: 'portal:zwgk' },
    ]);
    // An entry the database refuses (no action: NOT NULL): the row keeps its state.
    const broken = { ...entry, action: null as unknown as string, eventKey: 'broken' };
    await expect(updateDeliveryWithAudit(db, unit, { state: 'failed' }, broken)).rejects.toThrow();
    const after = await db.selectFrom('deliveries').select(['state']).where('business_key', '=', planned!.business_key).executeTakeFirstOrThrow();
    expect(after.state).toBe('live');
  });
});
