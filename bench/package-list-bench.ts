/**
 * Package list benchmark. Run: `npx tsx bench/package-list-bench.ts [--packages 10000] [--repeat 20]`
 *
 * Seeds `--packages` packages directly into a fresh PostgreSQL database `govpub_bench_<random>` on
 * GOVPUB_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), migrated with
 * db/migrate.ts, then times GET /api/packages over a real socket through the real API (the list
 * needs no Temporal: the client is never connected). Figures on `[tag] …` lines:
 *   [first]  the first page (limit 50), median and max of --repeat requests
 *   [filter] the first page of a queue (status=in_review) and of a title search (q=…)
 *   [walk]   every page of 200 to the end, following nextCursor: pages, total and slowest page
 *   [plan]   the query plan of a deep page (the (updated_at, id) index, no sort of the whole table)
 * The database is dropped at the end.
 */
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { buildApi } from '../api/server.js';
import { loadRegistry } from '../config/registry.js';
import { openScratchDatabase } from './scratch-database.js';
import { addUser } from '../services/users.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const PACKAGES = option('packages', 10_000);
const REPEAT = option('repeat', 20);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main(): Promise<void> {
  const scratch = await openScratchDatabase({ poolSize: 10 });
  const db = scratch.db;
  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  try {
    const registry = await loadRegistry();
    const { user, token } = await addUser(db, registry, { name: 'bench-editor', role: 'editor', by: 'bench' });
    const seeding = performance.now();
    await sql`
      insert into packages (id, title, catalogue_item_id, content_class, status, current_revision, created_by, created_at, updated_at)
      select 'pkg-bench-' || lpad(i::text, 7, '0'), '关于印发第' || i || '号政策文件的通知', 'qzf-wj', 'policy',
             (array['draft','in_review','approved','released'])[1 + i % 4], 1, ${user.id},
             now() - i * interval '1 minute', now() - i * interval '1 minute'
      from generate_series(1, ${PACKAGES}) as i`.execute(db);
    await sql`analyze packages`.execute(db);
    process.stderr.write(`seeded ${PACKAGES} packages in ${ms(performance.now() - seeding)}\n`);

    const api = await buildApi({ db, registry, temporal, taskQueue: 'bench' }, { logger: false });
    await api.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
    const get = async (path: string) => {
      const started = performance.now();
      const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await response.json()) as { packages: { id: string }[]; nextCursor: string | null };
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
      return { body, ms: performance.now() - started };
    };
    const timed = async (path: string) => {
      await get(path); // warm
      const times: number[] = [];
      for (let i = 0; i < REPEAT; i++) times.push((await get(path)).ms);
      return times;
    };

    const first = await timed('/api/packages?limit=50');
    console.log(`[first] ${PACKAGES} packages, first page of 50: median ${ms(median(first))}, max ${ms(Math.max(...first))} (${REPEAT} requests)`);
    const queue = await timed('/api/packages?status=in_review&limit=50');
    const search = await timed(`/api/packages?q=${encodeURIComponent('第4242号')}&limit=50`);
    console.log(`[filter] status=in_review: median ${ms(median(queue))}; title search q=第4242号: median ${ms(median(search))}`);

    let cursor: string | null = null;
    let pages = 0;
    let rows = 0;
    let slowest = 0;
    const walking = performance.now();
    do {
      const page: Awaited<ReturnType<typeof get>> = await get(`/api/packages?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      pages++;
      rows += page.body.packages.length;
      slowest = Math.max(slowest, page.ms);
      cursor = page.body.nextCursor;
    } while (cursor);
    console.log(`[walk] ${rows} packages in ${pages} pages of 200: ${ms(performance.now() - walking)} in all, slowest page ${ms(slowest)}`);

    const deep = await db
      .selectFrom('packages')
      .select(['id', 'updated_at'])
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .offset(Math.floor(PACKAGES * 0.9))
      .limit(1)
      .executeTakeFirstOrThrow();
    const plan = await sql<{ 'QUERY PLAN': string }>`
      explain analyze select * from packages where (updated_at, id) < (${deep.updated_at}, ${deep.id}) order by updated_at desc, id desc limit 201`.execute(db);
    const lines = plan.rows.map((r) => r['QUERY PLAN']);
    console.log(`[plan] a page 90% deep: ${lines.find((l) => /Index|Seq Scan/.test(l))?.trim()}; ${lines.at(-1)?.trim()}`);
    await api.close();
  } finally {
    await scratch.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
