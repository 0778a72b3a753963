/**
 * One Temporal server, a namespace per district (BRIEF: "a city or province, many districts, on one
 * cluster"). A namespace is created by the cluster's operators, not by govpub; when
 * TEMPORAL_NAMESPACE names one the server does not have, `govpub api` and `govpub worker` refuse
 * to start and say how to create it. Before, the worker died with "unexpected error: Namespace not
 * found" and the API started, answered /healthz "ok" and failed every command with a 500.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadPlatformConfigs } from '../../config/platforms.js';
import { loadRegistry } from '../../config/registry.js';
import { ROOT_DIR } from '../../config/settings.js';
import { ensureDevSecrets } from '../../runtime/local-platforms.js';
import { killHard, runCli, startCliProcess } from '../support/cli.js';
import { freePort } from '../support/running.js';
import { freshDatabase } from '../support/services.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-namespaces-'));
let database: Awaited<ReturnType<typeof freshDatabase>>;
let env: Record<string, string>;
const suffix = Date.now().toString(36);

beforeAll(async () => {
  database = await freshDatabase();
  const registry = await loadRegistry();
  const secretsFile = ensureDevSecrets(dataDir, registry, loadPlatformConfigs(path.join(ROOT_DIR, 'config'), { env: {} }));
  env = {
    DATABASE_URL: database.url,
    GOVPUB_DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    GOVPUB_SECRETS_FILE: secretsFile,
    GOVPUB_COMPLIANCE_SCHEDULES: 'off',
    GOVPUB_SIMULATORS: 'off',
  };
});

afterAll(async () => {
  await database?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('TEMPORAL_NAMESPACE', () => {
  it('naming a namespace the server does not have: the API and the worker refuse to start and say how to create it', async () => {
    const namespace = `district-missing-${suffix}`;
    const address = inject('temporalAddress');
    for (const command of [['api'], ['worker']]) {
      const result = await runCli(command, { ...env, TEMPORAL_NAMESPACE: namespace, PORT: String(await freePort()) }, undefined, { timeoutMs: 90_000 });
      expect(result.code, `${command[0]}: ${result.stderr}`).toBe(1);
      expect(result.stderr).toContain(`The Temporal server at ${address} has no namespace "${namespace}"`);
      expect(result.stderr).toContain(`temporal operator namespace create --namespace ${namespace} --address ${address}`);
      expect(result.stderr).not.toContain('unexpected error');
      expect(result.stdout).not.toContain('listening on');
    }
  }, 200_000);

  it('a second district in a namespace of its own: its API comes up and /healthz checks that namespace', async () => {
    const namespace = `district-yanta-${suffix}`;
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    } finally {
      await connection.close();
    }
    const port = await freePort();
    const api = await startCliProcess(['api'], { ...process.env, ...env, TEMPORAL_NAMESPACE: namespace, PORT: String(port) }, 'listening on');
    try {
      const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({ status: 'ok', temporal: 'ok', database: 'ok' });
    } finally {
      await killHard(api.child);
    }
  });
});
