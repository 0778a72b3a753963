/**
 * Turns database failures inside activities into what Temporal should do with them: a write the
 * database refuses for its data fails for good (retrying cannot help, and would hold the step
 * forever); a database that is away is retried until it is back, visibly, as
 * `database_unavailable`, so workflows and operators can say what a step is waiting for.
 */
import { ApplicationFailure } from '@temporalio/common';
import { isDataError, isDatabaseUnavailable } from '../db/errors.js';

export const DATA_REFUSED = 'data_refused';
export const DATABASE_UNAVAILABLE = 'database_unavailable';

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function classifyDatabaseFailure(error: unknown, step: string): unknown {
  if (error instanceof ApplicationFailure) return error;
  if (isDataError(error)) {
    return ApplicationFailure.create({
      type: DATA_REFUSED,
      nonRetryable: true,
      message: `The database refused ${step} because of its data (${reason(error)}); nothing was stored. Correct the input and try again.`,
    });
  }
  if (isDatabaseUnavailable(error)) {
    return ApplicationFailure.create({
      type: DATABASE_UNAVAILABLE,
      nonRetryable: false,
      message: `The database is unreachable (${reason(error)}); ${step} is retried until it is back.`,
    });
  }
  return error;
}

type AnyFunction = (...args: never[]) => Promise<unknown>;

/** Wraps every activity of a set so its database failures are classified (names kept for Temporal). */
export function guardDatabase<T extends Record<string, AnyFunction>>(activities: T): T {
  const guarded: Record<string, AnyFunction> = {};
  for (const [name, fn] of Object.entries(activities)) {
    const wrapper = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (error) {
        throw classifyDatabaseFailure(error, name);
      }
    };
    Object.defineProperty(wrapper, 'name', { value: name });
    guarded[name] = wrapper;
  }
  return guarded as T;
}
