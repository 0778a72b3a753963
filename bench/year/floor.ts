/**
 * The bare-Temporal floor of the issue: workflow executions that each run 6 no-op activities, on
 * the same Temporal server as the system under test, with their own bundle, Worker and task queue
 * in the bench process. Measured before and after the govpub run, in two shapes:
 *  - `sequential`: the 6 one after another. The reading ("a delivery is one such
 *    workflow"): a delivery's steps wait for each other, so each costs Temporal a workflow task.
 *  - `parallel`: the 6 at once (one workflow task schedules them all), the cheaper shape, which the
 *    bench measured alone until 2026-12-03; kept beside it, so figures from before still compare.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { pool } from '../figures.js';
import type { noopDeliveryWorkflow, noopReleaseWorkflow } from '../noop-workflow.js';

export const FLOOR_ACTIVITIES = 6;

export type FloorShape = 'sequential' | 'parallel';
export const FLOOR_SHAPES: readonly FloorShape[] = ['sequential', 'parallel'];
/**
 * The floor the ratio target is judged against: a delivery is "one such workflow" (issue 14), and
 * a delivery's steps run one after another. The floor with the 6 at once is printed beside it.
 */
export const TARGET_FLOOR: FloorShape = 'sequential';
/** How each shape reads in the bench's lines. */
export const FLOOR_SHAPE_TEXT: Record<FloorShape, string> = { sequential: 'one after another', parallel: 'at once' };

export interface FloorResult {
  workflows: number;
  seconds: number;
  workflowsPerSec: number;
}

let bundle: Promise<{ code: string }> | undefined;
let runtimeInstalled = false;

/** `timed` is told when the measured stretch starts and ends (after the bundle, the Worker and a warm-up run). */
export async function measureFloor(
  address: string,
  namespace: string,
  workflows: number,
  inFlight: number,
  shape: FloorShape,
  timed: { start?: () => void; end?: () => void } = {},
): Promise<FloorResult> {
  const noop = () => {};
  if (!runtimeInstalled) {
    // The SDK's per-worker state changes are noise on the bench's stderr; its warnings and errors are not.
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  bundle ??= bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('../noop-workflow.ts', import.meta.url)),
    logger: { trace: noop, debug: noop, info: noop, log: noop, warn: noop, error: (m: string) => console.error(`[bundler] ${m}`) },
  });
  const native = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  const taskQueue = `bench-floor-${randomBytes(4).toString('hex')}`;
  const worker = await Worker.create({
    connection: native,
    namespace,
    taskQueue,
    workflowBundle: await bundle,
    activities: { async noopDelivery() {} },
  });
  const running = worker.run();
  try {
    const options = (i: number) => ({ taskQueue, workflowId: `${taskQueue}-${i}`, args: [i, FLOOR_ACTIVITIES] as [number, number] });
    const run = (i: number) =>
      shape === 'sequential'
        ? client.workflow.execute<typeof noopDeliveryWorkflow>('noopDeliveryWorkflow', options(i))
        : client.workflow.execute<typeof noopReleaseWorkflow>('noopReleaseWorkflow', options(i));
    await run(-1); // warm-up: sandbox, pollers
    timed.start?.();
    const t0 = performance.now();
    // Each of `inFlight` clients starts a workflow and waits for it, as the clients do.
    await pool(
      Array.from({ length: workflows }, (_, i) => i),
      inFlight,
      (i) => run(i),
    );
    const seconds = (performance.now() - t0) / 1000;
    timed.end?.();
    return { workflows, seconds, workflowsPerSec: workflows / seconds };
  } finally {
    worker.shutdown();
    await running;
    await native.close();
    await connection.close();
  }
}
