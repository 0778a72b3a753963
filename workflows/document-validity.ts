/**
 * A validity change (有效性) reaches the portal: one activity on the portal's task queue asks the
 * portal adapter to update the package's pages (PortalAdapter.updateDocumentValidity). It reads
 * the validity then current from the database, so changes that follow each other quickly end
 * with the last one on the pages whatever order their workflows run in.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { platformTaskQueue } from '../contracts/delivery.js';
import type { ValidityUpdateInput, ValidityUpdateResult } from '../contracts/validity.js';

export async function documentValidityWorkflow(input: ValidityUpdateInput): Promise<ValidityUpdateResult> {
  const portal = proxyActivities<Activities>({
    taskQueue: platformTaskQueue(workflowInfo().taskQueue, 'portal'),
    startToCloseTimeout: '5 minutes',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
  });
  return portal.updatePortalValidity(input);
}
