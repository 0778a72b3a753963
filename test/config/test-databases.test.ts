import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dropDatabasesOfInterruptedRuns } from '../support/global-setup.js';

const adminUrl = inject('pgAdminUrl');
const admin = new pg.Client({ connectionString: adminUrl });
const names: string[] = [];

afterAll(async () => {
  for (const name of names) await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.end();
});

describe("the test run's databases", () => {
  it('those of a run stopped before its teardown (Ctrl+C) are dropped at the next run; a running one keeps its own', async () => {
    await admin.connect();
    // A process id no process has now: that of a process that has ended.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    const interrupted = `govpub_test_zzinterrupted_${gone}_template`;
    const running = `govpub_test_zzrunning_${process.pid}_template`;
    names.push(interrupted, running);
    for (const name of names) await admin.query(`create database "${name}"`);
    await dropDatabasesOfInterruptedRuns(admin, adminUrl);
    const { rows } = await admin.query<{ datname: string }>('select datname from pg_database where datname = any($1)', [names]);
    expect(rows.map((r) => r.datname)).toEqual([running]);
  });
});
