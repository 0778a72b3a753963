/**
 * 索引号 in the database, on PostgreSQL (a pool of 20 connections, really concurrent) and on the
 * embedded PGlite: drawn by the step that starts a package's first release, in its transaction;
 * serials per organ and China-time year without gaps or repeats under concurrent releases; the
 * same number for a retried or repeated step; a unique constraint behind it all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { loadRegistry } from '../../config/registry.js';
import { connectPostgres } from '../../db/connect.js';
import { assignIndexNumber } from '../../db/index-numbers.js';
import { applyPackageStep, insertPackage, type PackageStep } from '../../db/packages.js';
import type { DB } from '../../db/schema.js';
import { inTransaction } from '../../db/transaction.js';
import { parseIndexNumber } from '../../domain/index-number.js';
import type { IndexNumberScheme, Registry } from '../../domain/registry.js';
import { addUser } from '../../services/users.js';
import { freshDatabase, freshEmbeddedDatabase } from '../support/services.js';

let registry: Registry;
let scheme: IndexNumberScheme;
beforeAll(async () => {
  registry = await loadRegistry();
  scheme = registry.indexNumbers;
});

function releasingStep(packageId: string, eventKey: string): PackageStep {
  return {
    packageId,
    action: 'approve',
    revision: 1,
    eventKey,
    package: { status: 'releasing', currentStage: null, currentRevision: 1, approvedRevision: 1, releaseAt: null },
  };
}

async function addPackages(db: Kysely<DB>, prefix: string, count: number, unit: (i: number) => string | null): Promise<string[]> {
  const { user } = await addUser(db, registry, { name: `${prefix}-author`, role: 'editor', stages: [] });
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
  for (const [i, id] of ids.entries()) {
    await insertPackage(db, {
      id,
      title: `稿件 ${i}`,
      catalogue_item_id: 'qzf-gfxwj',
      content_class: 'policy',
      status: 'in_review',
      current_revision: 1,
      release_at: null,
      created_by: user.id,
      unit: unit(i),
    });
  }
  return ids;
}

async function numbersOf(db: Kysely<DB>, ids: string[]): Promise<Map<string, string | null>> {
  const rows = await db.selectFrom('packages').select(['id', 'index_number']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.index_number]));
}

describe.each([['postgres'], ['pglite']] as const)('index numbers on %s', (backend) => {
  let database: { db: Kysely<DB>; url: string; close(): Promise<void> };
  let db: Kysely<DB>;
  let concurrentDb: Kysely<DB>;

  beforeAll(async () => {
    database = backend === 'pglite' ? await freshEmbeddedDatabase() : await freshDatabase();
    db = database.db;
    // A pool of its own, wide enough that every release below runs on its own connection.
    concurrentDb = backend === 'postgres' ? connectPostgres(database.url, 20) : db;
  });
  afterAll(async () => {
    if (concurrentDb !== db) await concurrentDb.destroy();
    await database?.close();
  });

  it('gives 60 packages of two organs, released at once, serials 1…n per organ: no gap, no repeat', async () => {
    const ids = await addPackages(db, `${backend}-many`, 60, (i) => (i % 3 === 0 ? 'jyj' : null));
    const started = Date.now();
    await Promise.all(ids.map((id, i) => inTransaction(concurrentDb, (trx) => applyPackageStep(trx, releasingStep(id, `${id}/e${i}`), scheme))));
    const elapsed = Date.now() - started;
    const numbers = await numbersOf(db, ids);
    const parsed = ids.map((id) => ({ id, unit: Number(id.slice(-3)) % 3 === 0 ? 'jyj' : null, n: parseIndexNumber(numbers.get(id)!)! }));
    expect(parsed.every((p) => p.n !== null)).toBe(true);
    const year = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
    for (const [organ, unit] of [
      [scheme.unitOrganCodes.jyj!, 'jyj'],
      [scheme.defaultOrganCode, null],
    ] as const) {
      const mine = parsed.filter((p) => p.unit === unit);
      expect(mine.every((p) => p.n.organCode === organ && p.n.year === year)).toBe(true);
      expect(mine.map((p) => p.n.serial).sort((a, b) => a - b)).toEqual(Array.from({ length: mine.length }, (_, i) => i + 1));
    }
    expect(numbers.get(ids[1]!)).toMatch(new RegExp(`^${scheme.defaultOrganCode}/${year}-\\d{5}$`));
    console.log(`[index numbers] ${backend}: 60 concurrent first releases numbered in ${elapsed} ms`);
  });

  it('keeps the number when the step is retried, repeated concurrently, or the package is released again', async () => {
    const [id] = await addPackages(db, `${backend}-once`, 1, () => 'fgw');
    const first = await inTransaction(db, (trx) => assignIndexNumber(trx, id!, scheme, new Date()));
    expect(first).toMatch(new RegExp(`^${scheme.unitOrganCodes.fgw}/\\d{4}-00001$`));
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => inTransaction(concurrentDb, (trx) => applyPackageStep(trx, releasingStep(id!, `${id}/again${i}`), scheme))),
    );
    expect((await numbersOf(db, [id!])).get(id!)).toBe(first);
    // Assigned in another year it would still keep the number it got first.
    expect(await inTransaction(db, (trx) => assignIndexNumber(trx, id!, scheme, new Date('2031-06-01T00:00:00Z')))).toBe(first);
    const counter = await db.selectFrom('index_number_serials').selectAll().where('organ_code', '=', scheme.unitOrganCodes.fgw!).execute();
    expect(counter.map((c) => c.last_serial)).toEqual([1]); // no serial burnt by the repeats
  });

  it('numbers nothing for steps that do not release, and starts a new year at 1 (China time)', async () => {
    const [draft, newYear] = await addPackages(db, `${backend}-steps`, 2, () => 'kjj');
    await inTransaction(db, (trx) =>
      applyPackageStep(trx, { ...releasingStep(draft!, `${draft}/s`), package: { ...releasingStep(draft!, '').package, status: 'scheduled' } }, scheme),
    );
    expect((await numbersOf(db, [draft!])).get(draft!)).toBeNull();
    // 2030-12-31T16:30Z is 2031-01-01 00:30 in Beijing.
    expect(await inTransaction(db, (trx) => assignIndexNumber(trx, newYear!, scheme, new Date('2030-12-31T16:30:00Z')))).toBe(
      `${scheme.defaultOrganCode}/2031-00001`,
    );
  });

  it('refuses a second package with the same number (unique constraint), whatever wrote it', async () => {
    const [a, b] = await addPackages(db, `${backend}-unique`, 2, () => null);
    await db.updateTable('packages').set({ index_number: '11610103MB2968XXXX/1999-00001' }).where('id', '=', a!).execute();
    await expect(db.updateTable('packages').set({ index_number: '11610103MB2968XXXX/1999-00001' }).where('id', '=', b!).execute()).rejects.toMatchObject({
      code: '23505',
    });
  });
});
