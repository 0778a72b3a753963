/** A whole govpub back end for a test file: its own database, a worker on its own task queue, the services. */
import { expect, inject } from 'vitest';
import { GovpubError } from '../../domain/errors.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { loadPlatformConfigs } from '../../config/platforms.js';
import { ROOT_DIR } from '../../config/settings.js';
import { LocalMediaStore } from '../../media/index.js';
import { buildDeliveryDeps } from '../../runtime/channel-access.js';
import type { NativeConnection } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import { loadRegistry } from '../../config/registry.js';
import type { DB } from '../../db/schema.js';
import type { Actor } from '../../domain/package-rules.js';
import type { Registry } from '../../domain/registry.js';
import { createRecordingAdapter } from '../../adapters/recording.js';
import type { ActivityDeps } from '../../activities/index.js';
import type { AppContext } from '../../services/context.js';
import { PackageService } from '../../services/packages.js';
import { addUser, toActor } from '../../services/users.js';
import { syncChannels } from '../../services/channels.js';
import { createWorker, type WorkerGroup } from '../../worker/worker.js';
import { freshDatabase, freshEmbeddedDatabase, temporalClient, uniqueTaskQueue, workerConnection } from './services.js';

export interface TestApp {
  db: Kysely<DB>;
  /** This file's own database, for worker processes started by the test. */
  databaseUrl: string;
  backend: Backend;
  registry: Registry;
  client: Client;
  ctx: AppContext;
  packages: PackageService;
  taskQueue: string;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  user(name: string, role: Actor['role'], stages?: string[]): Promise<{ actor: Actor; token: string }>;
  close(): Promise<void>;
}

/** PostgreSQL (a database cloned from the template), or the embedded PGlite as `govpub start` serves it. */
export type Backend = 'postgres' | 'pglite';

export async function startTestApp(
  options: {
    backend?: Backend;
    deps?: (base: ActivityDeps) => ActivityDeps;
    platformCaps?: Record<string, { concurrency: number; ratePerSecond?: number }>;
  } = {},
): Promise<TestApp> {
  const backend = options.backend ?? 'postgres';
  const database = backend === 'pglite' ? await freshEmbeddedDatabase() : await freshDatabase();
  const registry = await loadRegistry();
  await syncChannels(database.db, registry, 'test');
  const { client, connection } = await temporalClient();
  const taskQueue = uniqueTaskQueue('govpub-test');
  const ctx: AppContext = { db: database.db, registry, temporal: client, taskQueue };
  const recording = createRecordingAdapter('recording');
  const platforms = loadPlatformConfigs(path.join(ROOT_DIR, 'config'), { env: {} });
  const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-test-media-'));
  const realDeps = buildDeliveryDeps({
    db: database.db,
    registry,
    platforms,
    secrets: { env: {} },
    mediaStore: new LocalMediaStore(mediaDir),
    portalUrl: 'http://portal.test/portal',
    taskQueue,
    adapterFor: () => recording,
  });
  // The recording channel needs no credentials; tests of real adapters supply their own deps.
  const baseDeps: ActivityDeps = { ...realDeps, credentialsFor: () => ({}) };
  const deps = options.deps ? options.deps(baseDeps) : baseDeps;
  let worker: WorkerGroup | undefined;
  let running: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;

  const app: TestApp = {
    db: database.db,
    databaseUrl: database.url,
    backend,
    registry,
    client,
    ctx,
    packages: new PackageService(ctx),
    taskQueue,
    async startWorker() {
      nativeConnection ??= await workerConnection();
      worker = await createWorker({
        connection: nativeConnection,
        namespace: 'default',
        taskQueue,
        deps,
        platforms: options.platformCaps ?? platforms,
        // The run's one bundle (global setup), not a bundling per test file.
        workflowBundlePath: inject('workflowBundlePath') || undefined,
      });
      running = worker.run();
    },
    async stopWorker() {
      if (!worker) return;
      worker.shutdown();
      await running;
      worker = undefined;
    },
    async user(name, role, stages = []) {
      const { user, token } = await addUser(database.db, registry, { name, role, stages });
      return { actor: toActor(user), token };
    },
    async close() {
      await app.stopWorker();
      await nativeConnection?.close();
      await connection.close();
      await database.close();
      fs.rmSync(mediaDir, { recursive: true, force: true });
    },
  };
  return app;
}

/**
 * A realistic policy package: a district document with its text interpretation, to its portal
 * column and a Weibo account (no cover needed: WeChat would need an uploaded one to pass preflight).
 */
export function policyPackage(registry: Registry, overrides: Record<string, unknown> = {}) {
  const item = registry.catalogue.find((i) => i.requiresInterpretation)!;
  const targets = [`portal:${item.portalColumnId}`, registry.accounts.find((a) => a.platform === 'weibo')!].map((t) =>
    typeof t === 'string' ? t : `${t.platform}:${t.id}`,
  );
  return {
    title: '关于进一步优化营商环境的若干措施',
    catalogueItem: item.id,
    document: {
      title: '碑林区人民政府关于进一步优化营商环境的若干措施',
      body: '<p>为深入贯彻落实国家和省市优化营商环境决策部署，结合我区实际，制定以下措施。</p><script>alert(1)</script>',
      issuingUnit: '碑林区人民政府',
      documentNumber: '碑政发〔2026〕3号',
      formedAt: '2026-11-20',
    },
    interpretations: [{ form: 'text', title: '《关于进一步优化营商环境的若干措施》政策解读', body: '<p>一、出台背景……</p>' }],
    targets,
    ...overrides,
  };
}

/** Awaits a request that must be refused, and returns the refusal (a GovpubError with its code). */
export async function refusal(promise: Promise<unknown>): Promise<GovpubError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the request to be refused');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GovpubError);
  return error as GovpubError;
}
