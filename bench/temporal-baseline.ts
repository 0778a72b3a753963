/** The bench's baseline: the same number of workflow executions on the same dev server, each running no-op activities, for govpub's deliveries/s to be compared with. */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { pool, sec } from './figures.js';
import type { noopReleaseWorkflow } from './noop-workflow.js';
import { cpuLine, cpuSnapshot } from './proc-figures.js';

/**
 * Runs `packages` workflow executions of `perPackage` no-op activities each (started `approvers`
 * at a time, as govpub's final approvals are sent) with their own bundle, Worker and task queue,
 * and prints deliveries/s and the ratio to govpub's figure.
 */
export async function baseline(
  env: TestWorkflowEnvironment,
  load: { packages: number; perPackage: number; approvers: number },
  govpub: { perSec: number } | null,
): Promise<void> {
  const { packages, perPackage, approvers } = load;
  const noop = () => {};
  const bundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./noop-workflow.ts', import.meta.url)),
    logger: { trace: noop, debug: noop, info: noop, log: noop, warn: noop, error: (m: string) => console.error(`[bundler] ${m}`) },
  });
  const taskQueue = `bench-noop-${randomBytes(4).toString('hex')}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowBundle: { code: bundle.code },
    activities: { async noopDelivery() {} },
  });
  const running = worker.run();
  try {
    const run = (i: number) =>
      env.client.workflow.execute<typeof noopReleaseWorkflow>('noopReleaseWorkflow', {
        taskQueue,
        workflowId: `noop-${taskQueue}-${i}`,
        args: [i, perPackage],
      });
    await run(-1); // warm-up: workflow sandbox, pollers
    const before = cpuSnapshot();
    const t0 = Date.now();
    // Started as govpub's final approvals are sent: at most --approvers at a time; then all awaited.
    const handles = await pool(
      Array.from({ length: packages }, (_, i) => i),
      approvers,
      (i) =>
        env.client.workflow.start<typeof noopReleaseWorkflow>('noopReleaseWorkflow', {
          taskQueue,
          workflowId: `noop-${taskQueue}-${i}`,
          args: [i, perPackage],
        }),
    );
    const done = await Promise.all(handles.map((h) => h.result()));
    const ms = Date.now() - t0;
    const after = cpuSnapshot();
    const total = done.reduce((a, n) => a + n, 0);
    const perSec = total / (ms / 1000);
    console.log(
      `[baseline] ${packages} workflow executions × ${perPackage} no-op activities = ${total} "deliveries" in ${sec(ms)} s: ${perSec.toFixed(1)} deliveries/s (default Worker options, ${approvers} starts in flight)`,
    );
    if (govpub)
      console.log(
        `[baseline] ratio govpub/baseline = ${(govpub.perSec / perSec).toFixed(3)}  (${govpub.perSec.toFixed(1)} / ${perSec.toFixed(1)} deliveries/s; baseline is ${(perSec / govpub.perSec).toFixed(1)}× faster)`,
      );
    console.log(cpuLine('baseline', before, after));
  } finally {
    worker.shutdown();
    await running;
  }
}
