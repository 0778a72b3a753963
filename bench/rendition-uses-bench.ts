/**
 * The media detail's lookup of the renditions deliveries use (db/deliveries.ts renditionUsesOf,
 * read by `govpub media status` and GET /api/media/:id). Run:
 * `npx tsx bench/rendition-uses-bench.ts [--deliveries 30000] [--repeat 30] [--pglite]`
 *
 * Seeds `--deliveries` delivery rows (a year of a district's releases is about 30,000), about
 * 2.5 per package, a package's cover photo in the rendition lists of its account and media-center
 * deliveries (a spec per platform, 1–3 entries a row, as the adapters ask for them), into a fresh
 * database: PostgreSQL `govpub_bench_<random>` on GOVPUB_BENCH_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres), or with `--pglite` the embedded PGlite in a
 * scratch directory, migrated with db/migrate.ts. Then, without the index of migration
 * 0014_delivery_renditions_index and with it, on the same rows, figures on `[tag] …` lines:
 *   [plan]    the query plan (a sequential scan of deliveries, or the index) and the rows it reads
 *   [lookup]  median and max of --repeat lookups of one photo's uses (a photo of the middle of the
 *             year) and of a photo no delivery uses
 *   [same]    whether both answer the same
 * The database (or the scratch directory) is removed at the end.
 */
import { sql, type Kysely } from 'kysely';
import { renditionUsesOf, renditionUsesQuery } from '../db/deliveries.js';
import * as renditionsIndex from '../db/migrations/0014_delivery_renditions_index.js';
import type { DB } from '../db/schema.js';
import { openScratchDatabase } from './scratch-database.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const DELIVERIES = option('deliveries', 30_000);
const REPEAT = option('repeat', 30);
const PGLITE = process.argv.includes('--pglite');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(2)} ms`;

/** A package's cover photo id (media ids are the original's SHA-256). */
const photoSql = sql`encode(sha256(('photo-' || (i / 5))::bytea), 'hex')`;

async function seed(db: Kysely<DB>): Promise<void> {
  await sql`insert into users (id, name, role, token_hash) values ('bench', 'bench', 'editor', 'bench')`.execute(db);
  // Every fifth row starts a package; its portal column takes no rendition, its accounts and
  // media-center columns take one to three of its photo, as their adapters ask.
  await sql`
    insert into packages (id, title, catalogue_item_id, content_class, status, current_revision, created_by, created_at, updated_at)
    select 'pkg-bench-' || lpad(p::text, 6, '0'), '第' || p || '号', 'qzf-wj', 'news', 'released', 1, 'bench', now(), now()
    from generate_series(0, ${Math.ceil(DELIVERIES / 5)}) as p`.execute(db);
  await sql`
    insert into deliveries (id, business_key, package_id, revision, channel_id, state, platform, renditions, created_at, updated_at)
    select gen_random_uuid(), 'pkg-bench-' || lpad((i / 5)::text, 6, '0') || '@1→' || ch.id, 'pkg-bench-' || lpad((i / 5)::text, 6, '0'), 1, ch.id, 'live', ch.platform,
      case ch.platform
        when 'portal' then '[]'::jsonb
        when 'wechat_oa' then jsonb_build_array(
          jsonb_build_object('mediaId', ${photoSql}, 'spec', 'wechat_oa.thumb', 'purpose', 'cover'),
          jsonb_build_object('mediaId', ${photoSql}, 'spec', 'wechat_oa.content_image', 'purpose', 'body picture'))
        when 'weibo' then jsonb_build_array(jsonb_build_object('mediaId', ${photoSql}, 'spec', 'weibo.image', 'purpose', 'cover'))
        else jsonb_build_array(
          jsonb_build_object('mediaId', ${photoSql}, 'spec', 'media_center.cover', 'purpose', 'cover'),
          jsonb_build_object('mediaId', ${photoSql}, 'spec', 'media_center.inline', 'purpose', 'body picture'),
          jsonb_build_object('mediaId', encode(sha256(('video-' || (i / 5))::bytea), 'hex'), 'spec', 'media_center.video', 'purpose', 'video'))
      end,
      now() - (${DELIVERIES} - i) * interval '15 minutes', now() - (${DELIVERIES} - i) * interval '15 minutes'
    from generate_series(0, ${DELIVERIES - 1}) as i
    cross join lateral (select (array['portal:zwgk-zcwj','portal:zwgk-zcwj-zcjd-wz','wechat_oa:blfb','weibo:blfb-wb','news_site:zcjd'])[1 + i % 5] as id,
                               (array['portal','portal','wechat_oa','weibo','news_site'])[1 + i % 5] as platform) as ch`.execute(db);
  await sql`analyze deliveries`.execute(db);
}

async function measure(db: Kysely<DB>, tag: string, photo: string): Promise<unknown> {
  const plan = await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers) ${renditionUsesQuery(photo)}`.execute(db);
  const lines = plan.rows.map((r) => r['QUERY PLAN']);
  const access = lines.find((l) => /Seq Scan on deliveries|Index Scan|Bitmap Index Scan/.test(l))?.trim() ?? '?';
  const filtered = lines.find((l) => /Rows Removed by Filter/.test(l))?.trim() ?? 'Rows Removed by Filter: 0';
  const buffers = lines.find((l) => /Buffers:/.test(l))?.trim() ?? '';
  console.log(`[plan] ${tag}: ${access.replace(/\s+\(cost.*$/, '')}; ${filtered}; ${buffers}`);
  const answer = await renditionUsesOf(db, photo);
  for (const [what, id] of [
    ['a photo used by 3 deliveries', photo],
    ['a photo no delivery uses', 'f'.repeat(64)],
  ] as const) {
    await renditionUsesOf(db, id);
    const times: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const started = performance.now();
      await renditionUsesOf(db, id);
      times.push(performance.now() - started);
    }
    console.log(`[lookup] ${tag}, ${what}: median ${ms(median(times))}, max ${ms(Math.max(...times))} (${REPEAT} lookups)`);
  }
  return answer;
}

async function main(): Promise<void> {
  const scratch = await openScratchDatabase({ pglite: PGLITE });
  const db = scratch.db;
  try {
    await renditionsIndex.down(db);
    const seeding = performance.now();
    await seed(db);
    const rows = await db.selectFrom('deliveries').select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    console.log(`seeded ${rows.n} deliveries in ${ms(performance.now() - seeding)} (${scratch.label})`);
    const photo = (await sql<{ id: string }>`select encode(sha256(('photo-' || ${Math.floor(DELIVERIES / 10)})::bytea), 'hex') as id`.execute(db)).rows[0]!.id;

    const before = await measure(db, 'without the index', photo);
    const building = performance.now();
    await renditionsIndex.up(db);
    await sql`analyze deliveries`.execute(db);
    console.log(`[index] built in ${ms(performance.now() - building)}`);
    const after = await measure(db, 'with the index', photo);
    console.log(`[same] ${JSON.stringify(before) === JSON.stringify(after) ? 'yes' : 'NO'}: ${JSON.stringify(after)}`);
  } finally {
    await scratch.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
