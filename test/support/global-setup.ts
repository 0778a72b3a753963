/**
 * Services shared by the whole test run: one Temporal dev server (the real CLI binary) and one
 * fresh PostgreSQL database, migrated once and used as the template for each file's own database.
 * With CI=true nothing may be skipped: a missing binary or database fails the run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { loadSettings } from '../../config/settings.js';
import { connectPostgres } from '../../db/connect.js';
import { migrateToLatest } from '../../db/migrate.js';
import { processExists } from '../../runtime/runtime-files.js';
import { resolveTemporalCli } from '../../runtime/temporal-cli.js';
import { writeWorkflowBundle } from '../../worker/worker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    pgAdminUrl: string;
    pgTemplateDatabase: string;
    testRunId: string;
    /** The workflow code bundled once for the run ('' in unit-only runs): each file's workers load it instead of bundling again. */
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  const runId = `govpub_test_${Date.now().toString(36)}_${process.pid}`;
  project.provide('testRunId', runId);
  if (process.env.GOVPUB_TEST_SERVICES === 'none' && process.env.CI !== 'true') {
    // Unit-only runs during development (e.g. `GOVPUB_TEST_SERVICES=none vitest run test/config`).
    project.provide('temporalAddress', '');
    project.provide('pgAdminUrl', '');
    project.provide('pgTemplateDatabase', '');
    project.provide('workflowBundlePath', '');
    return;
  }

  const settings = loadSettings();
  const binary = await resolveTemporalCli({ cacheDir: settings.cacheDir });
  const temporal = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: binary.path }, ip: '127.0.0.1', log: { format: 'pretty', level: 'error' } },
  });
  project.provide('temporalAddress', temporal.address);

  // Bundling the workflow code costs a few CPU-seconds per process; about fifty test files and the
  // govpub processes they start would each do it. One bundle for the run, as production ships one
  // (GOVPUB_WORKFLOW_BUNDLE): the forks inherit the variable, and so do the processes they spawn
  // unless a test sets its own (the topology test clears it to see the topology bundle).
  const bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-test-bundle-'));
  const bundlePath = path.join(bundleDir, 'workflow-bundle.js');
  await writeWorkflowBundle(bundlePath);
  project.provide('workflowBundlePath', bundlePath);
  process.env.GOVPUB_WORKFLOW_BUNDLE ||= bundlePath;

  const adminUrl = process.env.GOVPUB_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (error) {
    await temporal.teardown();
    throw new Error(`Tests need PostgreSQL at ${adminUrl} (${(error as Error).message}). Start it or set GOVPUB_TEST_DATABASE_URL.`);
  }
  await dropDatabasesOfInterruptedRuns(admin, adminUrl);
  const template = `${runId}_template`;
  await admin.query(`create database "${template}"`);
  const templateDb = connectPostgres(withDatabase(adminUrl, template), 2);
  await migrateToLatest(templateDb);
  await templateDb.destroy();
  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplateDatabase', template);

  return async () => {
    const { rows } = await admin.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${runId}%`]);
    for (const { datname } of rows) {
      await admin.query(`drop database if exists "${datname}" with (force)`);
    }
    await admin.end();
    await temporal.teardown();
    fs.rmSync(bundleDir, { recursive: true, force: true });
  };
}

/**
 * A run stopped with Ctrl+C never reaches its teardown: its databases (a template and one per test
 * file) stayed, a few more each time. A run's databases carry its process id; those of a run whose
 * process is gone are dropped at the next start. Only on this machine's PostgreSQL: on a shared
 * server, a process id says nothing about another host's runs.
 */
export async function dropDatabasesOfInterruptedRuns(admin: pg.Client, adminUrl: string): Promise<void> {
  const host = new URL(adminUrl).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]', ''].includes(host)) return;
  const { rows } = await admin.query<{ datname: string }>("select datname from pg_database where datname like 'govpub\\_test\\_%'");
  for (const { datname } of rows) {
    const pid = Number(/^govpub_test_[0-9a-z]+_(\d+)_/.exec(datname)?.[1]);
    if (!Number.isSafeInteger(pid) || processExists(pid)) continue;
    await admin.query(`drop database if exists "${datname}" with (force)`);
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
