/**
 * A media worker process for crash tests: the media job's workflow worker (main task queue) and
 * the render worker (`<queue>-media`) in one process, so a test can SIGKILL it mid-transcode.
 *
 *   node --import tsx test/media/media-worker-process.ts
 *   env: DATABASE_URL, TEMPORAL_ADDRESS, GOVPUB_TASK_QUEUE, GOVPUB_MEDIA_DIR
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createMediaJobActivities } from '../../activities/media-activities.js';
import { connectPostgres } from '../../db/connect.js';
import { LocalMediaStore } from '../../media/store.js';
import { createMediaWorker, MEDIA_WORKFLOWS_PATH } from '../../worker/media-worker.js';

const need = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

Runtime.install({ logger: new DefaultLogger('WARN') });
const taskQueue = need('GOVPUB_TASK_QUEUE');
const connection = await NativeConnection.connect({ address: need('TEMPORAL_ADDRESS') });
const db = connectPostgres(need('DATABASE_URL'), 3);
const store = new LocalMediaStore(need('GOVPUB_MEDIA_DIR'));

const workflows = await Worker.create({
  connection,
  namespace: 'default',
  taskQueue,
  workflowsPath: MEDIA_WORKFLOWS_PATH,
  activities: createMediaJobActivities({ db }),
});
const renders = await createMediaWorker({
  connection,
  namespace: 'default',
  taskQueue,
  deps: { db, store, threads: 2, progressWriteIntervalMs: 200 },
  maxConcurrentActivityTaskExecutions: 1,
});
process.stdout.write(`media worker: polling ${taskQueue} (pid ${process.pid})\n`);
await Promise.all([workflows.run(), renders.run()]);
