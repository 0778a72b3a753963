/**
 * A change to the wording list re-scans what is published: released packages' public revisions,
 * reported as published_wording / published_personal_data findings through the compliance store,
 * opened and closed as the list changes, drafts and in-review packages left alone, once per list.
 */
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { loadRegistry } from '../../config/registry.js';
import { insertPackage, insertRevision } from '../../db/packages.js';
import type { DB } from '../../db/schema.js';
import { idCheckCharacter } from '../../domain/content-gate/personal-data.js';
import { reconcileFindings } from '../../services/compliance/findings.js';
import { createContentGate, startContentGate } from '../../services/content-gate/index.js';
import { LocalMediaStore } from '../../media/index.js';
import { rescanIfNew, rescanPublished } from '../../services/content-gate/rescan.js';
import { WordingSource } from '../../services/content-gate/wording-list.js';
import { addUser } from '../../services/users.js';
import { freshDatabase } from '../support/services.js';

const ID = '61010319900307002' + idCheckCharacter('61010319900307002');
// The same digits with a wrong check digit: not an ID number, so not reported.
const NOT_AN_ID = '61010319900307002' + (idCheckCharacter('61010319900307002') === '1' ? '2' : '1');
let database: { db: Kysely<DB>; close(): Promise<void> };
let dir: string;
let file: string;

const LIST_V1 = 'entries:\n  - kind: wrong\n    wrong: 攻府\n    right: 政府\n    level: blocking\n';
const LIST_V2 = LIST_V1 + '  - kind: wrong\n    wrong: 既使\n    right: 即使\n    level: warning\n';

async function seed(db: Kysely<DB>, id: string, status: string, body: string, userId: string) {
  await insertPackage(db, {
    id,
    title: `稿件${id}`,
    catalogue_item_id: 'x',
    content_class: 'news',
    status,
    current_stage: null,
    current_revision: 1,
    approved_revision: status === 'released' ? 1 : null,
    release_at: null,
    created_by: userId,
    unit: 'qzfb',
  });
  await insertRevision(db, {
    package_id: id,
    revision: 1,
    content: JSON.stringify({ title: `稿件${id}`, catalogueItem: 'x', document: { title: '通知', body, attachments: [] }, interpretations: [], targets: [] }),
    content_hash: `h-${id}`,
    created_by: userId,
  });
}

async function findings(db: Kysely<DB>) {
  const rows = await db.selectFrom('compliance_findings').selectAll().orderBy('key').execute();
  return rows.map((r) => ({ key: r.key, status: r.status, severity: r.severity }));
}

beforeAll(async () => {
  database = await freshDatabase();
  dir = await mkdtemp(path.join(tmpdir(), 'govpub-rescan-'));
  file = path.join(dir, 'wording.yaml');
  await writeFile(file, LIST_V1);
  const registry = await loadRegistry();
  const { user } = await addUser(database.db, registry, { name: 'rescan-editor', role: 'editor', stages: [] });
  await seed(database.db, 'p1', 'released', '<p>区人民攻府发布。</p>', user.id);
  await seed(database.db, 'p2', 'released', `<p>既使如此。</p><p>联系人身份证号${ID}</p>`, user.id);
  await seed(database.db, 'p3', 'draft', '<p>攻府，既使</p>', user.id);
  await seed(database.db, 'p4', 'released', `<p>档案编号${NOT_AN_ID}</p>`, user.id);
});

afterAll(async () => {
  await database?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('re-scan of published packages', () => {
  it('reports what the list finds in released packages only, opens and closes findings as the list changes, once per list', async () => {
    const wording = new WordingSource(file);
    const gate = createContentGate(database.db, { wording, store: new LocalMediaStore(path.join(dir, 'store')) });
    const deps = { db: database.db, gate, reconcile: reconcileFindings };

    const v1 = await wording.current();
    const first = await rescanPublished(deps, v1);
    expect(first.packagesScanned).toBe(3);
    expect(first.found.published_wording.map((f) => f.packageId)).toEqual(['p1']);
    expect(first.found.published_personal_data.map((f) => f.packageId)).toEqual(['p2']);
    expect(await findings(database.db)).toEqual([
      { key: 'published_personal_data:p2', status: 'open', severity: 'veto' },
      { key: 'published_wording:p1', status: 'open', severity: 'veto' },
    ]);
    const stored = await database.db
      .selectFrom('compliance_findings')
      .select(['facts', 'message'])
      .where('key', '=', 'published_personal_data:p2')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(ID);
    expect(JSON.stringify(stored.facts)).toContain('610103********');
    expect(await rescanIfNew(deps, v1)).toBeNull();

    // The list changes: 攻府 is dropped, 既使 added (a warning).
    await writeFile(file, LIST_V2.replace('  - kind: wrong\n    wrong: 攻府\n    right: 政府\n    level: blocking\n', ''));
    await utimes(file, new Date(), new Date(Date.now() + 5_000));
    const v2 = await wording.current();
    const second = await rescanIfNew(deps, v2);
    expect(second?.found.published_wording.map((f) => f.packageId)).toEqual(['p2']);
    expect(await findings(database.db)).toEqual([
      { key: 'published_personal_data:p2', status: 'open', severity: 'veto' },
      { key: 'published_wording:p1', status: 'closed', severity: 'veto' },
      { key: 'published_wording:p2', status: 'open', severity: 'warning' },
    ]);
    const audits = await database.db.selectFrom('audit_log').select(['action', 'event_key']).where('action', '=', 'wording.rescan').orderBy('id').execute();
    expect(audits.map((a) => a.event_key)).toEqual([`wording-rescan:${v1.digest}`, `wording-rescan:${v2.digest}`]);
  });

  it('a stopping API lets a re-scan running in the background finish before it closes the database', async () => {
    const ownFile = path.join(dir, 'wording-at-stop.yaml');
    await writeFile(ownFile, LIST_V2);
    let started = false;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const lines: string[] = [];
    const { gate, stop } = startContentGate(database.db, {
      wording: new WordingSource(ownFile),
      store: new LocalMediaStore(path.join(dir, 'store')),
      // The re-scan's last writes wait here, as a long re-scan would still be running at the stop.
      reconcile: async (db, run) => {
        started = true;
        await held;
        return reconcileFindings(db, run);
      },
      log: (line) => lines.push(line),
      pollMs: 3_600_000,
    });
    await expect.poll(() => started).toBe(true);
    let stopped = false;
    const stopping = stop(120_000).then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    release();
    await stopping;
    // It finished whole: its findings reconciled and its mark written, so the next start does not repeat it.
    const digest = (await gate.deps.wording.current()).digest;
    const mark = await database.db.selectFrom('audit_log').select('id').where('event_key', '=', `wording-rescan:${digest}`).execute();
    expect(mark).toHaveLength(1);
    expect(lines).toEqual([]);
  });

  it('a stop right after start-up, the list still loading, waits for the re-scan that load starts; a change after the stop starts none', async () => {
    const ownFile = path.join(dir, 'wording-at-early-stop.yaml');
    // A list no other test uses, so this version has not been applied yet.
    await writeFile(ownFile, LIST_V2 + '# read at an early stop\n');
    const lines: string[] = [];
    // A database of its own: a process has one gate per database, and this one is to be stopped.
    const own = await freshDatabase();
    onTestFinished(() => own.close());
    const { gate, stop } = startContentGate(own.db, {
      wording: new WordingSource(ownFile),
      store: new LocalMediaStore(path.join(dir, 'store')),
      reconcile: async (db, run) => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return reconcileFindings(db, run);
      },
      log: (line) => lines.push(line),
      pollMs: 3_600_000,
    });
    // Stopped before the first load has read the file (Ctrl+C right at "govpub is running").
    await stop(120_000);
    const marks = async (digest: string) =>
      (await own.db.selectFrom('audit_log').select('id').where('event_key', '=', `wording-rescan:${digest}`).execute()).length;
    const digest = (await gate.deps.wording.current()).digest;
    expect(await marks(digest)).toBe(1);
    expect(lines).toEqual([]);
    // The stopped API's database closes next: a list changed now is left for the next start (no mark, no half run).
    await writeFile(ownFile, LIST_V2 + '# changed after the stop\n');
    const changed = (await gate.deps.wording.current()).digest;
    expect(changed).not.toBe(digest);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await marks(changed)).toBe(0);
  });
});
