/**
 * All activities, built by one factory over their dependencies (database, registry, adapters),
 * so the worker wires real ones and nothing reads globals. Workflows import only the type.
 */
import { createDeliveryActivities, type DeliveryDeps } from './delivery-activities.js';
import { createPackageActivities, type UnitRef } from './package-activities.js';

export type ActivityDeps = DeliveryDeps;

export function createActivities(deps: ActivityDeps) {
  const delivery = createDeliveryActivities(deps);
  return {
    ...createPackageActivities(deps),
    ...delivery,
    /**
     * Kept for package workflows started before deliveries became child workflows (they replay
     * through the old path): one synchronous attempt through the delivery steps.
     */
    async publishUnit(ref: UnitRef): Promise<{ state: string; publicUrl: string | null; liveAt: string | null }> {
      const [plan] = await delivery.planDeliveries({ ...ref, channelIds: [ref.channelId], releasedAt: new Date().toISOString() });
      await delivery.formatDelivery(plan!);
      const outcome = await delivery.transmitDelivery(plan!);
      if (outcome.kind !== 'live' && outcome.kind !== 'settled') throw new Error(`Delivery to ${ref.channelId} is not live yet (${outcome.kind}); retrying.`);
      const [row] = (await delivery.deliveryStates(ref)).filter((r) => r.channelId === ref.channelId);
      return { state: row!.state, publicUrl: row!.publicUrl, liveAt: row!.liveAt };
    },
    async takeDownUnit(ref: UnitRef & { reason: string }): Promise<{ state: string; takenDownAt: string | null }> {
      const [plan] = await delivery.planDeliveries({ ...ref, channelIds: [ref.channelId], releasedAt: new Date().toISOString() });
      const outcome = await delivery.takeDownDelivery({ ...plan!, reason: ref.reason });
      if (outcome.kind !== 'retracted') throw new Error(`Take-down on ${ref.channelId} is not done (${outcome.kind}); retrying.`);
      return { state: 'retracted', takenDownAt: new Date().toISOString() };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
