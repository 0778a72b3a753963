/**
 * Which transports carry a unit's notice, from the settings: e-mail to the unit's editors when SMTP
 * is configured, and the unit's own webhook or else the global one. Secrets are resolved by name
 * at send time (environment, then GOVPUB_SECRETS_FILE).
 */
import type { ComplianceSettings } from '../../config/compliance-settings.js';
import { readNamedSecrets, type SecretSources } from '../../config/secrets.js';
import { createEmailNotifier } from './email.js';
import type { Notifier, NoticeTransport } from './types.js';
import { createWebhookNotifier } from './webhook.js';

export type { Notice, NoticeFinding, Notifier, NoticeTransport } from './types.js';
export { composeNotice } from './compose.js';
export { signWebhook } from './webhook.js';

export interface NoticeTransports {
  /** The transports that carry this unit's notices, by name (empty: the unit is told in the console only). */
  forUnit(unitId: string): { transport: NoticeTransport; notifier: Notifier }[];
}

export function noticeTransports(settings: Pick<ComplianceSettings, 'smtp' | 'webhook'>, secrets: SecretSources): NoticeTransports {
  const secret = (name: string) => readNamedSecrets([name], secrets).get(name);
  const email = settings.smtp ? createEmailNotifier({ ...settings.smtp, secret }) : null;
  const webhooks = new Map<string, Notifier>();
  const webhookFor = (url: string) => {
    let notifier = webhooks.get(url);
    if (!notifier) {
      notifier = createWebhookNotifier({ url, secretName: settings.webhook.secretName!, secret, timeoutMs: settings.webhook.timeoutMs });
      webhooks.set(url, notifier);
    }
    return notifier;
  };
  return {
    forUnit(unitId) {
      const out: { transport: NoticeTransport; notifier: Notifier }[] = [];
      if (email) out.push({ transport: 'email', notifier: email });
      const url = settings.webhook.unitUrls[unitId] ?? settings.webhook.url;
      if (url && settings.webhook.secretName) out.push({ transport: 'webhook', notifier: webhookFor(url) });
      return out;
    },
  };
}
