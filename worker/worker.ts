/**
 * A govpub worker: runs the workflows and activities of the `govpub` task queue. Run several for
 * throughput and failover; they share nothing but Temporal and the database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { GovpubError } from '../domain/errors.js';

export const WORKFLOWS_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'workflows', 'index.ts');

let cachedBundle: Promise<WorkflowBundleOption> | undefined;

/** Bundle the workflow code once per process, or load the prebuilt bundle production ships. */
export function workflowBundle(prebuiltPath?: string): Promise<WorkflowBundleOption> {
  if (prebuiltPath) {
    if (!fs.existsSync(prebuiltPath)) {
      throw new GovpubError('setting_invalid', `GOVPUB_WORKFLOW_BUNDLE=${prebuiltPath} does not exist. Build it with \`govpub bundle --out ${prebuiltPath}\` or unset the variable.`);
    }
    return Promise.resolve({ codePath: prebuiltPath });
  }
  cachedBundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger }).then((b) => ({ code: b.code }));
  return cachedBundle;
}

export async function writeWorkflowBundle(outFile: string): Promise<number> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
  fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
  fs.writeFileSync(outFile, code);
  return code.length;
}

const noop = () => {};
const quietBundlerLogger = {
  trace: noop, debug: noop, info: noop, log: noop,
  warn: (message: string) => console.warn(`[bundler] ${message}`),
  error: (message: string) => console.error(`[bundler] ${message}`),
};

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  workflowBundlePath?: string;
  maxConcurrentActivityTaskExecutions?: number;
}

let runtimeInstalled = false;

/**
 * Quiet the SDK's per-state INFO lines, and leave signal handling to govpub's own shutdown
 * (which stops the API and the worker in order). Must run before the first connection.
 */
export function installWorkerRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger((process.env.GOVPUB_LOG_LEVEL?.toUpperCase() as 'WARN') ?? 'WARN'), shutdownSignals: [] });
  } catch {
    // Already installed by the embedding process (e.g. a test harness): keep its settings.
  }
}

/** Stop polling and wait for running tasks; safe to call twice. */
export async function stopWorker(worker: Worker, running: Promise<void>): Promise<void> {
  if (worker.getState() === 'RUNNING') worker.shutdown();
  await running;
}

export async function createWorker(options: WorkerOptions): Promise<Worker> {
  installWorkerRuntime();
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: await workflowBundle(options.workflowBundlePath),
    activities: createActivities(options.deps),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 50,
  });
}
