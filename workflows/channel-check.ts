/**
 * One question to a platform: does it take this channel's credentials now? Asked by a resume of
 * a channel govpub held after refused credentials (services/deliveries.ts resumeChannel), on the
 * platform's own queue, so it runs where deliveries run: that worker's secrets, its network
 * address (WeChat checks an IP whitelist), the channel's stored tokens.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { CREDENTIAL_CHECK_TIMEOUT_MS, platformTaskQueue, type CredentialCheck, type CredentialCheckInput } from '../contracts/delivery.js';

export async function channelCredentialCheckWorkflow(input: CredentialCheckInput): Promise<CredentialCheck> {
  const { checkChannelCredentials } = proxyActivities<Activities>({
    taskQueue: platformTaskQueue(workflowInfo().taskQueue, input.platform),
    // Waiting for a worker included: an operator is waiting for the answer.
    scheduleToCloseTimeout: CREDENTIAL_CHECK_TIMEOUT_MS,
    retry: { maximumAttempts: 1 },
  });
  try {
    return await checkChannelCredentials(input);
  } catch {
    return {
      outcome: 'unchecked',
      reason: `no worker polling ${input.platform}'s queue answered within ${CREDENTIAL_CHECK_TIMEOUT_MS / 1000} s`,
    };
  }
}
