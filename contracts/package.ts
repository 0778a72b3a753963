/** Messages of the package workflow (its input, state, Updates, Query and Signal): shared by the workflow, the services and the CLI. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DeliveryState } from '../domain/delivery-state.js';
import type { Actor, Approval, PackageStatus, RevisionFacts, StageRule } from '../domain/package-rules.js';

export interface PackageWorkflowInput {
  packageId: string;
  createdBy: string;
  /** Review stages for the package's content class, fixed when the package is created. */
  stages: StageRule[];
  facts: RevisionFacts;
  releaseAt: string | null;
}

export interface DeliveryView {
  channelId: string;
  state: DeliveryState;
  publicUrl?: string | null;
  liveAt?: string | null;
  takenDownAt?: string | null;
}

export interface PackageWorkflowState {
  packageId: string;
  status: PackageStatus;
  revision: number;
  contentHash: string;
  stages: StageRule[];
  stageIndex: number | null;
  approvals: Approval[];
  approvedRevision: number | null;
  authors: string[];
  facts: RevisionFacts;
  releaseAt: string | null;
  /** A cancelled release time holds an approved package until it is rescheduled or released. */
  onHold: boolean;
  lastRejection: { stage: string; reviewerId: string; comment: string; at: string } | null;
  deliveries: Record<string, DeliveryView>;
  retraction: { reason: string; by: string; at: string } | null;
  /** The step being recorded right now (its activity may be waiting for the database), or null. */
  pendingStep?: { action: string; since: string } | null;
  /** Channels whose delivery workflow failed for good and wait for an operator's retry. */
  stalledDeliveries?: string[];
}

export interface SubmitRequest {
  by: Actor;
  /** The revision the editor saw; a later one by now refuses the submit (concurrent_edit). Absent: the current one. */
  revision?: number;
}
/** An edit may carry a new release time with it, so content and timing change in one step. */
export interface EditRequest {
  by: Actor;
  facts: RevisionFacts;
  releaseAt?: string | null;
}
export interface DecideRequest {
  revision: number;
  /**
   * The stage id the decision is for, pinned by the service (the reviewer's, or the package's at
   * request time): refused as stage_already_decided once the package has left it. Absent in older histories.
   */
  stage?: string;
  decision: 'approve' | 'reject';
  comment: string;
  reviewer: Actor;
  /**
   * The content gate's warnings on the revision the reviewer approves over (codes and places, no
   * raw personal data), recorded in the approval's audit entry. Absent in older histories.
   */
  gateWarnings?: { code: string; field: string; within?: string; line?: number }[];
}
export interface WithdrawRequest {
  by: Actor;
  reason: string;
}
export interface ScheduleRequest {
  by: Actor;
  releaseAt: string | null;
  hold: boolean;
}
export interface ReleaseNowRequest {
  by: Actor;
}
export interface RetractRequest {
  by: Actor;
  reason: string;
}

/** Operations asks the package to start a delivery again whose workflow failed (see stalledDeliveries). */
export interface RestartDeliveryRequest {
  channelId: string;
  by: string;
}

export function packageWorkflowId(packageId: string): string {
  return `package-${packageId}`;
}

/** The package id in a package workflow's id, or null for another workflow's. */
export function packageIdOfWorkflow(workflowId: string): string | null {
  return workflowId.startsWith('package-') ? workflowId.slice('package-'.length) : null;
}

// The names below are in every running workflow's history: they never change.
export const stateQuery = defineQuery<PackageWorkflowState>('state');
export const submitUpdate = defineUpdate<PackageWorkflowState, [SubmitRequest]>('submit');
export const editUpdate = defineUpdate<PackageWorkflowState, [EditRequest]>('edit');
export const decideUpdate = defineUpdate<PackageWorkflowState, [DecideRequest]>('decide');
export const withdrawUpdate = defineUpdate<PackageWorkflowState, [WithdrawRequest]>('withdraw');
export const scheduleUpdate = defineUpdate<PackageWorkflowState, [ScheduleRequest]>('schedule');
export const releaseNowUpdate = defineUpdate<PackageWorkflowState, [ReleaseNowRequest]>('releaseNow');
export const retractUpdate = defineUpdate<PackageWorkflowState, [RetractRequest]>('retract');
export const restartDeliverySignal = defineSignal<[RestartDeliveryRequest]>('restartDelivery');
/** As the delivery workflow's platformReported, for a delivery whose first attempt runs in the package's workflow. */
export const deliveryReportedSignal = defineSignal<[{ channelId: string }]>('deliveryReported');
