/**
 * All activities, built by one factory over their dependencies (database, registry, adapters),
 * so the worker wires real ones and nothing reads globals. Workflows import only the type.
 */
import { createDeliveryActivities, type DeliveryDeps } from './delivery-activities.js';
import { createPackageActivities } from './package-activities.js';
import { guardDatabase } from './database-guard.js';
import { createValidityActivities } from './validity-activities.js';
import { createComplianceActivities, type ComplianceActivityDeps } from './compliance-activities.js';

/** The compliance monitor's dependencies are optional: workers built without them refuse its activities by name. */
export type ActivityDeps = DeliveryDeps & { compliance?: ComplianceActivityDeps };

export function createActivities(deps: ActivityDeps) {
  return guardDatabase({
    ...createPackageActivities(deps),
    ...createDeliveryActivities(deps),
    ...createValidityActivities(deps),
    ...createComplianceActivities(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
