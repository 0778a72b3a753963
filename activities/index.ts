/**
 * All activities, built by one factory over their dependencies (database, registry, adapters),
 * so the worker wires real ones and nothing reads globals. Workflows import only the type.
 */
import { createDeliveryActivities, type DeliveryDeps } from './delivery-activities.js';
import { createPackageActivities } from './package-activities.js';
import { guardDatabase } from './database-guard.js';
import { createValidityActivities } from './validity-activities.js';

export type ActivityDeps = DeliveryDeps;

export function createActivities(deps: ActivityDeps) {
  return guardDatabase({
    ...createPackageActivities(deps),
    ...createDeliveryActivities(deps),
    ...createValidityActivities(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
