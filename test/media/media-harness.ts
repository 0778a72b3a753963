/**
 * A media back end for a test file: its own PostgreSQL database (with the media tables), media
 * store directory, Temporal task queue, the real HTTP routes on a real Fastify server, and —
 * when asked — the two workers the media job needs: the workflow worker (main task queue, only
 * workflows/media-renditions.ts bundled) and the media worker (`<queue>-media`, the renders).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker, type NativeConnection } from '@temporalio/worker';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { createMediaJobActivities, type MediaActivityDeps } from '../../activities/media-activities.js';
import { installErrorHandlers } from '../../api/errors.js';
import { registerMediaRoutes } from '../../api/media-routes.js';
import { loadRegistry } from '../../config/registry.js';
import { up as mediaSchemaUp } from '../../db/migrations/0003_media.js';
import type { DB } from '../../db/schema.js';
import { GovpubError } from '../../domain/errors.js';
import type { Actor } from '../../domain/package-rules.js';
import type { Registry } from '../../domain/registry.js';
import { LocalMediaStore } from '../../media/store.js';
import { syncChannels } from '../../services/channels.js';
import type { AppContext } from '../../services/context.js';
import { MediaService, type MediaServiceOptions } from '../../services/media.js';
import { addUser, authenticate, toActor } from '../../services/users.js';
import { createMediaWorker, MEDIA_WORKFLOWS_PATH } from '../../worker/media-worker.js';
import { freshDatabase, temporalClient, uniqueTaskQueue, workerConnection } from '../support/services.js';

/** The media tables, until db/migrate.ts lists 0003_media (then the template already has them). */
export async function ensureMediaSchema(db: Kysely<DB>): Promise<void> {
  const { rows } = await sql<{ t: string | null }>`select to_regclass('public.media_jobs')::text as t`.execute(db);
  if (!rows[0]?.t) await mediaSchemaUp(db);
}

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  } catch {
    // already installed
  }
}

export interface MediaHarness {
  db: Kysely<DB>;
  databaseUrl: string;
  registry: Registry;
  client: Client;
  ctx: AppContext;
  taskQueue: string;
  dir: string;
  storeDir: string;
  store: LocalMediaStore;
  media: MediaService;
  api: FastifyInstance;
  base: string;
  editor: { actor: Actor; token: string };
  reviewer: { actor: Actor; token: string };
  /** Worker deps can be changed between tests (e.g. a watermark lookup that fails). */
  workerDeps: Partial<MediaActivityDeps>;
  startWorkers(options?: { workflows?: boolean; media?: boolean }): Promise<void>;
  stopWorkers(): Promise<void>;
  call(method: string, urlPath: string, token?: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startMediaHarness(options: Partial<Omit<MediaServiceOptions, 'store'>> = {}): Promise<MediaHarness> {
  quietRuntime();
  const database = await freshDatabase();
  await ensureMediaSchema(database.db);
  const registry = await loadRegistry();
  await syncChannels(database.db, registry, 'test');
  const { client, connection } = (await temporalClient()) as { client: Client; connection: Connection };
  const taskQueue = uniqueTaskQueue('govpub-media');
  const ctx: AppContext = { db: database.db, registry, temporal: client, taskQueue };
  const dir = await mkdtemp(path.join(tmpdir(), 'govpub-media-h-'));
  const storeDir = path.join(dir, 'store');
  const store = new LocalMediaStore(storeDir);
  const media = new MediaService(ctx, { store, ...options });

  const api = Fastify({ logger: false });
  // The API's own error handlers (status by code, its sentences in both languages), not a copy that drifts from them.
  installErrorHandlers(api, 30_000);
  const requireActor = async (request: FastifyRequest): Promise<Actor> => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match) throw new GovpubError('unauthorized', 'Send your token as "Authorization: Bearer <token>".', { status: 401 });
    const user = await authenticate(database.db, match[1]!);
    if (!user) throw new GovpubError('unauthorized', 'Unknown token.', { status: 401 });
    return toActor(user);
  };
  registerMediaRoutes(api, { ...ctx, media }, requireActor);
  await api.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;

  const user = async (name: string, role: Actor['role']) => {
    const { user: row, token } = await addUser(database.db, registry, { name, role, stages: role === 'reviewer' ? ['初审'] : [] });
    return { actor: toActor(row), token };
  };
  const editor = await user('media-editor', 'editor');
  const reviewer = await user('media-reviewer', 'reviewer');

  let nativeConnection: NativeConnection | undefined;
  const running: { worker: Worker; done: Promise<void> }[] = [];
  const workerDeps: Partial<MediaActivityDeps> = { progressWriteIntervalMs: 200 };

  const harness: MediaHarness = {
    db: database.db,
    databaseUrl: database.url,
    registry,
    client,
    ctx,
    taskQueue,
    dir,
    storeDir,
    store,
    media,
    api,
    base,
    editor,
    reviewer,
    workerDeps,
    async startWorkers({ workflows = true, media: withMedia = true } = {}) {
      nativeConnection ??= await workerConnection();
      if (workflows) {
        const worker = await Worker.create({
          connection: nativeConnection,
          namespace: 'default',
          taskQueue,
          workflowsPath: MEDIA_WORKFLOWS_PATH,
          activities: createMediaJobActivities({ db: database.db }),
        });
        running.push({ worker, done: worker.run() });
      }
      if (withMedia) {
        const deps: MediaActivityDeps = {
          db: database.db,
          store,
          get watermarkFor() {
            return workerDeps.watermarkFor;
          },
          get progressWriteIntervalMs() {
            return workerDeps.progressWriteIntervalMs;
          },
          get threads() {
            return workerDeps.threads ?? 2;
          },
        };
        const worker = await createMediaWorker({ connection: nativeConnection, namespace: 'default', taskQueue, deps, maxConcurrentActivityTaskExecutions: 1 });
        running.push({ worker, done: worker.run() });
      }
    },
    async stopWorkers() {
      for (const r of running.splice(0)) {
        if (r.worker.getState() === 'RUNNING') r.worker.shutdown();
        await r.done.catch(() => {});
      }
    },
    async call(method, urlPath, token, body) {
      const response = await fetch(`${base}${urlPath}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // a file
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    async close() {
      await harness.stopWorkers();
      await api.close();
      await nativeConnection?.close();
      await connection.close();
      await database.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Uploads a file through POST /api/media as multipart/form-data (the body is streamed from disk). */
export async function uploadFile(h: MediaHarness, file: string, name: string, token = h.editor.token): Promise<{ status: number; body: any }> {
  const { openAsBlob } = await import('node:fs');
  const form = new FormData();
  form.append('file', await openAsBlob(file), name);
  const response = await fetch(`${h.base}/api/media`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: response.status, body: await response.json() };
}

/** Waits until `check` returns a value (not undefined), polling. */
export { until } from '../support/http.js';

/** ffmpeg processes (pids) whose command line mentions `needle` (e.g. this file's store directory). */
export async function ffmpegProcessesMentioning(needle: string): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const argv = cmdline.split('\0');
    if (argv[0] && /ffmpeg$/.test(argv[0]) && argv.some((a) => a.includes(needle))) {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
      if (!/\) Z /.test(stat)) pids.push(Number(entry)); // zombies are already dead
    }
  }
  return pids;
}
