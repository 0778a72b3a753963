/**
 * The media worker: rendition activities on `<task queue>-media`, sized for CPU-heavy work.
 *
 * Wiring (the main worker runs the workflow):
 *   - main worker (`<task queue>`): bundles workflows/index.ts (which exports
 *     mediaRenditionsWorkflow) and registers createMediaJobActivities({ db }) with its activities;
 *   - media worker (`<task queue>-media`): createMediaWorker(…) below, in the same process or on
 *     machines with more cores. Several media workers need a shared media store (S3-compatible
 *     MediaStore) or one shared GOVPUB_MEDIA_DIR.
 */
import path from 'node:path';
import { REPO_ROOT } from '../config/repo-paths.js';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import { createMediaActivities, type MediaActivityDeps } from '../activities/media-activities.js';
import { defaultMediaJobSlots, type Settings } from '../config/settings.js';
import { createWatermarkLookup, watermarksPath } from '../config/watermarks.js';
import type { DB } from '../db/schema.js';
import { openMediaStore } from '../services/media.js';
import { MEDIA_HEARTBEAT_THROTTLE, mediaTaskQueue } from '../contracts/media.js';

/** The media workflow alone, for workers (and tests) that must not bundle every workflow. */
// The TypeScript source, which the SDK's bundler compiles, also when this module runs from a copy or dist/.
export const MEDIA_WORKFLOWS_PATH = path.join(REPO_ROOT, 'workflows', 'media-renditions.ts');

/** Rendition jobs at once per worker; transcodes within them pass media/transcode-slots.ts' narrower gate. */
export function defaultMediaConcurrency(): number {
  return defaultMediaJobSlots();
}

/** Activity dependencies from the settings: the store at GOVPUB_MEDIA_DIR, watermarks from the config directory. */
export function mediaActivityDeps(db: Kysely<DB>, settings: Pick<Settings, 'mediaDir' | 'configDir'>): MediaActivityDeps {
  const lookup = createWatermarkLookup(watermarksPath(settings.configDir));
  return { db, store: openMediaStore(settings), watermarkFor: (target) => lookup(target) };
}

export interface MediaWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** The base task queue (GOVPUB_TASK_QUEUE); the worker polls mediaTaskQueue(taskQueue). */
  taskQueue: string;
  deps: MediaActivityDeps;
  maxConcurrentActivityTaskExecutions?: number;
}

export async function createMediaWorker(options: MediaWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: mediaTaskQueue(options.taskQueue),
    activities: createMediaActivities(options.deps),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? defaultMediaConcurrency(),
    maxHeartbeatThrottleInterval: MEDIA_HEARTBEAT_THROTTLE,
  });
}
