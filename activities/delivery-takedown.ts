/**
 * Taking one delivery down for a retraction: by the platform's delete when it has one (after
 * asking the platform whether a post whose answer was lost exists), else a manual take-down task.
 */
import type { ChannelAdapter } from '../adapters/types.js';
import { isDeliveryError } from '../adapters/errors.js';
import type { DeliveryRow } from '../db/schema.js';
import type { Channel } from '../domain/registry.js';
import type { DeliveryPlan, TakeDownOutcome, TakedownCheck } from '../contracts/delivery.js';
import { declarationOf } from '../adapters/declarations.js';
import type { DeliveryDeps } from './delivery-activities.js';
import { transmitContext, withHeartbeat } from './delivery-context.js';
import { holdChannelForRefusedCredentials, type deliveryRecorder } from './delivery-record.js';

type RecordStep = ReturnType<typeof deliveryRecorder>['record'];

export async function takeDown(
  deps: DeliveryDeps,
  record: RecordStep,
  plan: DeliveryPlan & { reason: string },
  delivery: DeliveryRow,
  channel: Channel,
  adapter: ChannelAdapter,
): Promise<TakeDownOutcome> {
  /** A take-down an operator must do by hand, with why. */
  const manualTask = async (details: Record<string, unknown>, publicUrl?: string | null): Promise<TakeDownOutcome> => {
    await record(
      plan,
      { state: 'retracting', task: 'manual_takedown', ...(publicUrl !== undefined ? { public_url: publicUrl } : {}) },
      { action: 'delivery_manual_takedown_task', details: { reason: plan.reason, ...details }, eventKey: `${plan.businessKey}:takedown-task` },
    );
    return { kind: 'manual' };
  };
  if (!adapter.capabilities.canDelete || !adapter.takeDown) return manualTask({ publicUrl: delivery.public_url });
  await record(plan, { state: 'retracting' }, null);
  try {
    let externalId = delivery.external_id;
    if (!externalId && delivery.payload !== null && (delivery.attempts > 0 || delivery.state === 'transmitting')) {
      // Sent, but its answer was lost: ask the platform whether the post exists before saying it is gone.
      if (!adapter.reconcile) return manualTask({ why: 'the post may be public but the platform cannot be asked' });
      const found = await withHeartbeat(async () =>
        adapter.reconcile!(delivery.payload, transmitContext(deps, delivery, channel, { reconcileFor: 'retraction' })),
      );
      externalId = found?.externalId ?? null;
      if (found && !externalId)
        return manualTask({ why: 'the platform shows the post but gave no id to delete it by' }, found.publicUrl ?? delivery.public_url);
      if (externalId)
        await record(
          plan,
          { external_id: externalId, ...(found?.publicUrl ? { public_url: found.publicUrl } : {}) },
          { action: 'delivery_found_by_reconcile', details: { externalId, for: 'retraction' }, eventKey: `${plan.businessKey}:reconciled-for-takedown` },
        );
    }
    if (externalId) {
      const id = externalId;
      await withHeartbeat(async () => adapter.takeDown!(id, { ...transmitContext(deps, delivery, channel), reason: plan.reason }));
    }
  } catch (error) {
    if (!isDeliveryError(error)) throw error;
    if (error.errorClass === 'needs_reconnect') {
      // Said on the row and in the trail, and the channel held as a delivery refused the same way
      // holds it: the take-down waited for a resume of a channel nobody had paused, with no error
      // shown, while the retracted post stayed public. The resume (after its credential check) wakes it.
      const platformCode = error.platformCode === undefined ? null : String(error.platformCode);
      await record(
        plan,
        { error_class: error.errorClass, error_message: error.message, platform_code: platformCode },
        {
          action: 'delivery_needs_reconnect',
          details: { message: error.message, platformCode, for: 'retraction', reason: plan.reason },
          eventKey: `${plan.businessKey}:takedown-needs-reconnect:${delivery.attempts}`,
        },
        (trx) => holdChannelForRefusedCredentials(trx, plan, error.message, { for: 'retraction' }, `${plan.businessKey}:takedown-hold:${delivery.attempts}`),
      );
      return { kind: 'needs_reconnect', message: error.message };
    }
    await record(plan, { error_class: error.errorClass, error_message: error.message }, null);
    return { kind: 'retryable', message: error.message, ...(error.retryAfterMs ? { retryAfterMs: error.retryAfterMs } : {}) };
  }
  await record(
    plan,
    { state: 'retracted', task: null, taken_down_at: new Date(), error_class: null, error_message: null },
    { action: 'delivery_retracted', details: { reason: plan.reason }, eventKey: `${plan.businessKey}:retracted` },
  );
  return { kind: 'retracted' };
}

/**
 * Asks the platform whether a post an operator says they took down by hand is gone, where the
 * platform can be asked about one post. Never throws for the platform: when it cannot be asked,
 * the answer says why, and the operator's word stands.
 */
export async function checkTakenDown(deps: DeliveryDeps, delivery: DeliveryRow, channel: Channel, adapter: ChannelAdapter): Promise<TakedownCheck> {
  if (!adapter.postStillThere) return { kind: 'unchecked', reason: `${channel.platform} offers no query govpub can ask about one post` };
  const externalId = delivery.external_id;
  if (!externalId) return { kind: 'unchecked', reason: 'govpub holds no id of the post on the platform' };
  let presence;
  try {
    presence = await withHeartbeat(async () => adapter.postStillThere!(externalId, transmitContext(deps, delivery, channel)));
  } catch (error) {
    return { kind: 'unchecked', reason: `the platform could not be asked: ${(error as Error).message.split('\n')[0]!.slice(0, 300)}` };
  }
  if (!presence.there) return { kind: 'gone' };
  const { name, localName } = declarationOf(channel.platform);
  return {
    kind: 'still_there',
    message: `${name} still has the post on ${channel.name} (${channel.id}): ${presence.what}. Take it down there (or retry the take-down: govpub deliveries retry ${delivery.id}), then confirm again.`,
    messageZh: `${localName}「${channel.name}」上该内容仍在：${presence.whatZh}。请先在平台上删除（或点击重试：govpub deliveries retry ${delivery.id}），再确认已删除。`,
  };
}
