/**
 * The fault suite's CI share: `npx tsx bench/fault-suite.ts --quick --parallel` as a test. On
 * PostgreSQL (a private cluster) and on PGlite (owned by a `govpub api` process), side by side:
 * worker processes SIGKILLed at random moments of a release to every channel kind, the Temporal
 * dev server restarted (persistent history), the database restarted; the simulators inject 30 %
 * transient faults and 5 % never-confirmed publishes throughout. Nothing may be lost or
 * duplicated at any platform, and every package must settle. The full suite (20 kills, several
 * restarts, more packages) is `npx tsx bench/fault-suite.ts`.
 */
import { describe, expect, inject, test } from 'vitest';
import { formatFaultTable, rowPassed, runFaultSuite } from './fault-harness.js';

describe('fault suite (quick)', () => {
  test('worker kills, Temporal and database restarts on PostgreSQL and PGlite: 0 lost, 0 duplicated, all settled', { timeout: 900_000 }, async () => {
    const rows = await runFaultSuite({ quick: true, backends: ['postgres', 'pglite'], parallel: true, adminUrl: inject('pgAdminUrl') });
    console.log(`${formatFaultTable(rows)}\n${rows.flatMap((r) => r.notes.map((n) => `${r.scenario} on ${r.backend}: ${n}`)).join('\n')}`);
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      expect({
        run: `${row.scenario} on ${row.backend}`,
        duplicates: row.duplicates,
        losses: row.losses,
        settled: row.settled,
        auditAnomalies: row.auditAnomalies,
        failedWorkflows: row.failedWorkflows,
        notes: row.notes,
      }).toEqual({
        run: `${row.scenario} on ${row.backend}`,
        duplicates: 0,
        losses: 0,
        settled: true,
        auditAnomalies: 0,
        failedWorkflows: 0,
        notes: [],
      });
      expect(row.disruptionsDone).toBeGreaterThanOrEqual(row.disruptionsPlanned);
      expect(row.postsFound).toBe(row.postsExpected);
      expect(rowPassed(row)).toBe(true);
    }
  });
});
