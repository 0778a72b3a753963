/**
 * A package with two released revisions and then retracted, as the compliance monitor's facts read it
 * on real PostgreSQL (seeded: the commands refuse edits of a released package today, but the facts
 * must not depend on that). Each revision has delivery rows of its own; a retraction takes down the approved
 * (last) revision's rows and leaves the earlier revision's rows as they were, `live`. The package is
 * no longer public anywhere, so neither its account posts nor its column items may keep an account
 * alive or a column filled.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../config/registry.js';
import { workingDayCalendar } from '../../config/working-calendar.js';
import type { DB } from '../../db/schema.js';
import { runChecks } from '../../domain/compliance/checks.js';
import { DEFAULT_THRESHOLDS } from '../../domain/compliance/thresholds.js';
import type { Registry } from '../../domain/registry.js';
import { gatherFacts } from '../../services/compliance/facts.js';
import { addUser } from '../../services/users.js';
import { seedPackage } from '../stats/seed-year.js';
import { china } from '../support/compliance-year.js';
import { freshDatabase } from '../support/services.js';

const NOW = china('2026-10-12 10:00');
const ACCOUNT = 'wechat_oa:blrs';

let db: Kysely<DB>;
let close: () => Promise<void>;
let registry: Registry;
let column = '';

beforeAll(async () => {
  const database = await freshDatabase();
  db = database.db;
  close = database.close;
  registry = await loadRegistry();
  const parents = new Set(registry.portal.columns.map((c) => c.parentId));
  column = `portal:${registry.portal.columns.find((c) => c.updateClass === 'news_dynamic' && !parents.has(c.id))!.id}`;
  const { user } = await addUser(db, registry, { name: 'retract-author', role: 'editor' });
  const catalogueItem = registry.catalogue.find((c) => c.contentClass === 'news')!.id;
  // The account's last post that is still public: 20 September, 22 days before NOW.
  await seedPackage(db, {
    id: 'still-public',
    catalogueItem,
    unit: null,
    createdBy: user.id,
    revisions: [[]],
    approvals: [{ revision: 1, at: '2026-09-20 09:00' }],
    deliveries: [{ channel: ACCOUNT, revision: 1, liveAt: '2026-09-20 10:00' }],
  });
  // Released on 5 October, edited and released again on 6 October, retracted on 8 October: the
  // revision 2 rows were taken down, the revision 1 rows were left `live` by the retraction.
  await seedPackage(db, {
    id: 'edited-then-retracted',
    catalogueItem,
    unit: null,
    createdBy: user.id,
    revisions: [[], []],
    approvals: [
      { revision: 1, at: '2026-10-05 09:00' },
      { revision: 2, at: '2026-10-06 09:00' },
    ],
    retractedAt: '2026-10-08 09:00',
    deliveries: [
      { channel: ACCOUNT, revision: 1, liveAt: '2026-10-05 10:00' },
      { channel: column, revision: 1, liveAt: '2026-10-05 10:00' },
      { channel: ACCOUNT, revision: 2, liveAt: '2026-10-06 10:00', state: 'retracted', takenDown: '2026-10-08 09:05' },
      { channel: column, revision: 2, liveAt: '2026-10-06 10:00', state: 'retracted', takenDown: '2026-10-08 09:05' },
    ],
  });
});

afterAll(async () => {
  await close?.();
});

describe('a package edited after release, then retracted', () => {
  it('no longer counts on its account or its column through the earlier revision', async () => {
    const facts = await gatherFacts(db, registry, { now: NOW, thresholds: DEFAULT_THRESHOLDS });
    expect(facts.accounts.find((a) => a.channelId === ACCOUNT)).toMatchObject({ lastPostAt: china('2026-09-20 10:00').toISOString(), source: 'govpub' });
    expect(facts.columns.find((c) => c.channelId === column)).toMatchObject({ count: 0, lastUpdatedAt: null });
    expect(facts.site.homeLastUpdatedAt).toBeNull();

    const { drafts } = runChecks(facts, { now: NOW, today: '2026-10-12', thresholds: DEFAULT_THRESHOLDS, calendar: workingDayCalendar(), siteOwnerUnit: null });
    // 22 days since the last post still public: the account fails 「两周内无更新」.
    expect(drafts.find((d) => d.subject.id === ACCOUNT)).toMatchObject({ kind: 'account_silent', severity: 'veto', facts: { daysSilent: 22 } });
    expect(drafts.find((d) => d.subject.id === column)).toMatchObject({ kind: 'column_empty' });
  });
});
