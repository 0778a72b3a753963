/**
 * Bookkeeping steps (recording a package's step, planning its deliveries, formatting a delivery,
 * recording a delivery's change) run as local activities first: in the worker that runs the
 * workflow, inside its workflow task, so they cost no task-queue round trip and no extra workflow
 * task on a release's critical path (issue 14: each round trip waited 0.5–0.9 s under load).
 *
 * A local attempt that fails for any reason but its data (the database away, a worker restarting)
 * hands the same step to a regular activity on the main queue, which retries without limit and
 * shows its attempts and last failure to whoever describes the workflow (GET /api/packages/:id).
 * Every step is idempotent by its key, so a step that ran locally and again as an activity is
 * recorded once. Histories from before this existed replay with regular activities (patched()).
 */
import { ActivityFailure, ApplicationFailure, patched, proxyActivities, proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow';
import type { LocalActivityOptions } from '@temporalio/common';

export const LOCAL_BOOKKEEPING_PATCH = 'bookkeeping-local-first';

/** A few quick local attempts; then the durable, visible path takes over. */
const LOCAL_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '15 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '1 second', maximumAttempts: 3 },
};

type Fn = (...args: any[]) => Promise<any>;

/** True when the step failed for good because of what it was given (retrying elsewhere cannot help). */
function refusedForItsData(error: unknown): boolean {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.nonRetryable === true;
}

/**
 * Proxies for `activities` that run each call locally first (see above), with `durable` the
 * options of the regular activity it falls back to. Each call asks patched() (memoized by the SDK):
 * a workflow that started before the change keeps its regular activities during replay.
 */
export function localFirstActivities<A extends Record<string, Fn>>(durable: ActivityOptions): A {
  const remote = proxyActivities<A>(durable) as unknown as Record<string, Fn>;
  const local = proxyLocalActivities<A>(LOCAL_OPTIONS) as unknown as Record<string, Fn>;
  return new Proxy({} as A, {
    get(_target, name) {
      if (typeof name !== 'string') return undefined;
      return async (...args: unknown[]) => {
        if (!patched(LOCAL_BOOKKEEPING_PATCH)) return remote[name]!(...args);
        try {
          return await local[name]!(...args);
        } catch (error) {
          if (refusedForItsData(error)) throw error;
          return remote[name]!(...args);
        }
      };
    },
  });
}
