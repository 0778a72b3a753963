/**
 * Lists with a cursor over the real API and database (PostgreSQL and the embedded PGlite): 2,500
 * packages paged 200 at a time come back each exactly once, in order, while new packages arrive
 * between pages; filters; deliveries paged the same way; a cursor that is not one → 400 bad_cursor.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { addUser } from '../../services/users.js';
import { runCli } from '../support/cli.js';
import { startTestApp, type Backend, type TestApp } from '../support/app.js';

const SEEDED = 2500;

describe.each<[Backend, number]>([
  ['postgres', SEEDED],
  ['pglite', 600],
])('paging on %s', (backend, seeded) => {
  let app: TestApp;
  let api: FastifyInstance;
  let base: string;
  let token = '';
  let otherToken = '';
  let editorId = '';

  beforeAll(async () => {
    app = await startTestApp({ backend });
    api = await buildApi(app.ctx, { logger: false });
    await api.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
    const editor = await addUser(app.db, app.registry, { name: 'p-editor', role: 'editor', unit: 'jyj', displayName: '王伟', by: 'test' });
    token = editor.token;
    editorId = editor.user.id;
    otherToken = (await addUser(app.db, app.registry, { name: 'p-other', role: 'editor', by: 'test' })).token;
    // Seeded directly: three packages share each updated_at (ties are ordered by id), with microseconds.
    await sql`
      insert into packages (id, title, catalogue_item_id, content_class, status, current_revision, created_by, unit, created_at, updated_at)
      select 'pkg-seed-' || lpad(i::text, 5, '0'),
             case when i % 10 = 0 then '教育通知 ' || i else '政策文件 ' || i end,
             'qzf-wj', 'policy',
             case when i % 2 = 0 then 'draft' else 'in_review' end,
             1, ${editorId}, case when i % 5 = 0 then 'jyj' else null end,
             timestamptz '2026-11-01 00:00:00+00' + ((i / 3) * interval '1.000123 second'),
             timestamptz '2026-11-01 00:00:00+00' + ((i / 3) * interval '1.000123 second')
      from generate_series(1, ${seeded}) as i`.execute(app.db);
  });

  afterAll(async () => {
    await api?.close();
    await app?.close();
  });

  async function get(path: string, as = token) {
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${as}` } });
    return { status: response.status, body: (await response.json()) as any };
  }

  async function insertNewPackage(n: number): Promise<void> {
    await app.db
      .insertInto('packages')
      .values({
        id: `pkg-new-${n}`,
        title: `新的 ${n}`,
        catalogue_item_id: 'qzf-wj',
        content_class: 'policy',
        status: 'draft',
        current_revision: 1,
        created_by: editorId,
      })
      .execute();
  }

  it(`pages through ${seeded} packages 200 at a time: each exactly once, newest change first, while new ones arrive`, async () => {
    const expected = (await app.db.selectFrom('packages').select('id').orderBy('updated_at', 'desc').orderBy('id', 'desc').execute()).map((r) => r.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await get(`/api/packages?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.packages.map((p: { id: string }) => p.id));
      cursor = page.body.nextCursor;
      pages++;
      await insertNewPackage(pages); // newer than every seen row: sorts before the cursor, never into a later page
    } while (cursor);
    expect(pages).toBe(Math.ceil(seeded / 200));
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seeded);
    // The newcomers are on a fresh first page.
    const first = await get('/api/packages?limit=3');
    expect(first.body.packages.map((p: { id: string }) => p.id)).toEqual(expect.arrayContaining([`pkg-new-${pages}`]));
  });

  it('describes each package with its creator, unit and content class; default page 50, at most 200', async () => {
    const page = await get('/api/packages?q=' + encodeURIComponent('教育通知'));
    expect(page.body.packages).toHaveLength(50);
    expect(page.body.packages[0]).toMatchObject({
      createdBy: editorId,
      createdByName: '王伟',
      contentClass: 'policy',
      title: expect.stringContaining('教育通知'),
    });
    expect((await get('/api/packages?limit=201')).status).toBe(400);
  });

  it('filters by status, creator (me or an id), title and unit, and pages within the filter', async () => {
    const drafts: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(`/api/packages?status=in_review&unit=jyj&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      drafts.push(...page.body.packages.map((p: { id: string; status: string; unit: string }) => `${p.status}/${p.unit}`));
      cursor = page.body.nextCursor;
    } while (cursor);
    // i odd and a multiple of 5.
    expect(drafts).toHaveLength(Math.ceil(Math.floor(seeded / 5) / 2));
    expect(new Set(drafts)).toEqual(new Set(['in_review/jyj']));
    expect((await get('/api/packages?createdBy=me&limit=1', otherToken)).body.packages).toEqual([]);
    expect((await get(`/api/packages?createdBy=${editorId}&limit=1`, otherToken)).body.packages).toHaveLength(1);
    const titled = await get(`/api/packages?q=${encodeURIComponent('教育通知 10')}&limit=200`);
    expect(titled.body.packages.map((p: { title: string }) => p.title).every((t: string) => t.includes('教育通知 10'))).toBe(true);
    // LIKE's wildcards are plain characters in q.
    expect((await get('/api/packages?q=%25')).body.packages).toEqual([]);
  });

  it('refuses a cursor that is not one the list gave out: 400 bad_cursor naming the cursor', async () => {
    const forged = [
      'abc',
      '!!!',
      Buffer.from('{}').toString('base64url'),
      Buffer.from('["yesterday","pkg-1"]').toString('base64url'),
      Buffer.from('["2026-11-01T00:00:00.000000Z"]').toString('base64url'),
      Buffer.from('["2026-11-01T00:00:00.000000Z","pkg\\u0000"]').toString('base64url'),
      '',
    ];
    for (const cursor of forged) {
      const answer = await get(`/api/packages?cursor=${encodeURIComponent(cursor)}`);
      expect(answer.status, cursor).toBe(400);
      expect(answer.body.error.code, cursor).toBe('bad_cursor');
      expect(answer.body.error.issues[0].path).toBe('cursor');
      expect((await get(`/api/deliveries?cursor=${encodeURIComponent(cursor)}`)).body.error.code).toBe('bad_cursor');
    }
  });

  it('govpub packages list says how to get the next page, and follows every page with --all', async () => {
    const env = { GOVPUB_API_URL: base, GOVPUB_TOKEN: token };
    const one = await runCli(['packages', 'list', '--status', 'draft', '--limit', '20', '--json'], env);
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toHaveLength(20);
    const cursor = /--cursor (\S+)/.exec(one.stderr)![1]!;
    const next = await runCli(['packages', 'list', '--status', 'draft', '--limit', '20', '--cursor', cursor, '--json'], env);
    const nextIds = (JSON.parse(next.stdout) as { id: string }[]).map((p) => p.id);
    expect(nextIds).toHaveLength(20);
    expect(nextIds).not.toContain((JSON.parse(one.stdout) as { id: string }[])[19]!.id);
    const all = await runCli(['packages', 'list', '--status', 'draft', '--limit', '200', '--all', '--json'], env);
    const drafts = await app.db.selectFrom('packages').select('id').where('status', '=', 'draft').execute();
    expect((JSON.parse(all.stdout) as unknown[]).length).toBe(drafts.length);
    expect(all.stderr).not.toContain('--cursor');
  });

  it('pages deliveries the same way, with counts, and filters them by unit and package', async () => {
    await sql`
      insert into deliveries (id, business_key, package_id, revision, channel_id, state, platform, updated_at)
      select 'dl-' || lpad(i::text, 5, '0'), 'key-' || i, 'pkg-seed-' || lpad(i::text, 5, '0'), 1,
             case when i % 2 = 0 then 'portal:bm-jyj' else 'wechat_oa:blwhly' end,
             case when i % 3 = 0 then 'live' else 'pending' end,
             case when i % 2 = 0 then 'portal' else 'wechat_oa' end,
             timestamptz '2026-11-02 00:00:00+00' + ((i / 4) * interval '1 second')
      from generate_series(1, 450) as i`.execute(app.db);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(`/api/deliveries?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.counts).toEqual({ live: 150, pending: 300 });
      seen.push(...page.body.items.map((d: { id: string }) => d.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(450);
    const expected = (await app.db.selectFrom('deliveries').select('id').orderBy('updated_at', 'desc').orderBy('id', 'desc').execute()).map((r) => r.id);
    expect(seen).toEqual(expected);
    const jyj = await get('/api/deliveries?unit=jyj&limit=1000');
    expect(jyj.body.items).toHaveLength(225);
    expect(new Set(jyj.body.items.map((d: { channelId: string }) => d.channelId))).toEqual(new Set(['portal:bm-jyj']));
    expect(jyj.body.nextCursor).toBeNull();
    expect((await get('/api/deliveries?package=pkg-seed-00002')).body.items).toHaveLength(1);
    expect((await get('/api/deliveries?unit=nowhere')).status).toBe(400);
  });
});
