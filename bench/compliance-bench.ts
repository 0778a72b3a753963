/**
 * The compliance monitor on a whole-registry year of Beilin publishing (≈ 11,000 packages seeded
 * straight into PostgreSQL by test/support/compliance-year.ts): prints the seeding time, the first
 * run (every finding opened), a second run (nothing changes: the daily case) and each phase.
 *
 *   npm run bench:compliance            # needs PostgreSQL on 127.0.0.1:5432 (or GOVPUB_BENCH_DATABASE_URL)
 */
import type { Client } from '@temporalio/client';
import { loadRegistry } from '../config/registry.js';
import { openScratchDatabase } from './scratch-database.js';
import { syncChannels } from '../services/channels.js';
import { ComplianceMonitor } from '../services/compliance/monitor.js';
import { WHOLE_REGISTRY_CADENCE, china, seedComplianceYear } from '../test/support/compliance-year.js';

const scratch = await openScratchDatabase({ prefix: 'govpub_compliance_bench', poolSize: 5 });
const db = scratch.db;
try {
  const registry = await loadRegistry();
  await syncChannels(db, registry, 'bench');
  const now = china('2026-10-12 10:00');
  let t = performance.now();
  const seeded = await seedComplianceYear(db, registry, {
    now,
    cadence: WHOLE_REGISTRY_CADENCE,
    stopped: [{ channelId: 'wechat_oa:blwhly', lastAt: china('2026-09-27 09:00') }],
  });
  const seedMs = performance.now() - t;
  console.log(`seeded ${seeded.packages} packages, ${seeded.deliveries} deliveries in ${(seedMs / 1000).toFixed(1)} s`);

  const monitor = new ComplianceMonitor({ db, registry, temporal: undefined as unknown as Client, taskQueue: 'bench' }, { now: () => now });
  for (const label of ['first run (opens)', 'second run (daily, nothing changes)']) {
    t = performance.now();
    const summary = await monitor.run('manual', 'bench');
    const ms = performance.now() - t;
    const row = await db.selectFrom('compliance_runs').select('check_ms').where('id', '=', summary.runId).executeTakeFirstOrThrow();
    console.log(
      `${label}: ${ms.toFixed(0)} ms; opened ${summary.opened}, closed ${summary.closed}, changed ${summary.changed}; open ${JSON.stringify(summary.open)}`,
    );
    console.log(
      `  phases (ms): ${Object.entries(row.check_ms)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  }
  console.log(`peak RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
} finally {
  await scratch.close();
}
