/**
 * Notices by webhook: the notice as JSON, POSTed with an HMAC-SHA256 signature so the receiver can
 * tell it from a forgery. Signed text = `<X-Govpub-Timestamp>.<body>`; header
 * `X-Govpub-Signature: sha256=<hex>`. `X-Govpub-Notice-Id` is stable per (run, unit): a receiver
 * that saw it already can drop a resend. One attempt per call: Temporal retries the activity.
 */
import { createHmac } from 'node:crypto';
import { GovpubError } from '../../domain/errors.js';
import type { Notice, Notifier } from './types.js';

export interface WebhookNotifierOptions {
  url: string;
  /** Name of the signing secret, resolved by `secret` when a notice is sent. */
  secretName: string;
  secret(name: string): string | undefined;
  timeoutMs: number;
  now?: () => Date;
}

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function createWebhookNotifier(options: WebhookNotifierOptions): Notifier {
  return {
    async send(notice: Notice): Promise<void> {
      const key = options.secret(options.secretName);
      if (!key) {
        throw new GovpubError(
          'secret_missing',
          `The webhook signing secret ${options.secretName} (GOVPUB_NOTIFY_WEBHOOK_SECRET) is not set: provide it in the environment or GOVPUB_SECRETS_FILE.`,
        );
      }
      const body = JSON.stringify({
        id: notice.id,
        runId: notice.runId,
        unit: { id: notice.unitId, name: notice.unitName },
        recipients: notice.recipients,
        subject: notice.subject,
        text: notice.text,
        findings: notice.findings,
      });
      const timestamp = String(Math.floor((options.now?.() ?? new Date()).getTime() / 1000));
      const where = new URL(options.url);
      const shown = `${where.origin}${where.pathname}`;
      let res: Response;
      try {
        res = await fetch(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'user-agent': 'govpub-compliance-notifier',
            'x-govpub-notice-id': notice.id,
            'x-govpub-timestamp': timestamp,
            'x-govpub-signature': signWebhook(key, timestamp, body),
          },
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        const cause =
          (error as Error).name === 'TimeoutError'
            ? `no answer within ${options.timeoutMs} ms`
            : ((error as { cause?: Error }).cause?.message ?? (error as Error).message);
        throw new GovpubError(
          'notice_webhook_failed',
          `Posting the compliance notice for unit ${notice.unitId} to ${shown} failed (${cause}); it is tried again.`,
        );
      }
      await res.body?.cancel().catch(() => {});
      if (res.status < 200 || res.status >= 300) {
        throw new GovpubError(
          'notice_webhook_failed',
          `The notice webhook ${shown} answered HTTP ${res.status} for unit ${notice.unitId}; the notice is tried again.`,
        );
      }
    },
  };
}
