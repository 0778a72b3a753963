/**
 * All activities, built by one factory over their dependencies (database, registry, adapters),
 * so the worker wires real ones and nothing reads globals. Workflows import only the type.
 */
import { createPackageActivities, type PackageActivityDeps } from './package-activities.js';

export type ActivityDeps = PackageActivityDeps;

export function createActivities(deps: ActivityDeps) {
  return {
    ...createPackageActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
