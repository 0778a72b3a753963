/**
 * Notices by e-mail over SMTP (nodemailer). The password is read by its secret's name when a notice
 * is sent (a fixed secrets file is picked up without a restart) and never reaches a log or an error:
 * nodemailer's logger is off and its error messages are reduced to what the server said.
 */
import nodemailer from 'nodemailer';
import type { SmtpSettings } from '../../config/compliance-settings.js';
import { GovpubError } from '../../domain/errors.js';
import type { Notice, Notifier } from './types.js';

export interface EmailNotifierOptions extends SmtpSettings {
  /** Resolves the SMTP password by the secret's name (config/secrets.ts readNamedSecrets). */
  secret(name: string): string | undefined;
  /** Domain of the stable Message-ID (default: the sender's domain). */
  messageIdDomain?: string;
  timeoutMs?: number;
}

export function createEmailNotifier(options: EmailNotifierOptions): Notifier {
  const domain = options.messageIdDomain ?? options.from.replace(/^.*@/, '').replace(/>.*$/, '');
  return {
    async send(notice: Notice): Promise<void> {
      if (notice.recipients.length === 0) return;
      let auth: { user: string; pass: string } | undefined;
      if (options.user && options.passwordSecret) {
        const pass = options.secret(options.passwordSecret);
        if (!pass) {
          throw new GovpubError(
            'secret_missing',
            `The SMTP password secret ${options.passwordSecret} (GOVPUB_SMTP_PASSWORD_SECRET) is not set: provide it in the environment or GOVPUB_SECRETS_FILE.`,
          );
        }
        auth = { user: options.user, pass };
      }
      const transport = nodemailer.createTransport({
        host: options.host,
        port: options.port,
        secure: options.secure,
        ...(auth ? { auth } : {}),
        connectionTimeout: options.timeoutMs ?? 15_000,
        greetingTimeout: options.timeoutMs ?? 15_000,
        socketTimeout: options.timeoutMs ?? 30_000,
        logger: false,
        debug: false,
      });
      try {
        await transport.sendMail({
          from: options.from,
          to: notice.recipients,
          subject: notice.subject,
          text: notice.text,
          // Stable per (run, unit): a mail client shows a resent notice once.
          messageId: `<${notice.id.replace(/[^A-Za-z0-9._-]+/g, '.')}@${domain}>`,
          headers: { 'X-Govpub-Notice-Id': notice.id },
        });
      } catch (error) {
        const e = error as { code?: string; responseCode?: number; response?: string; message?: string };
        const said = e.response ?? e.message ?? String(error);
        throw new GovpubError(
          'notice_email_failed',
          `Sending the compliance notice for unit ${notice.unitId} by e-mail through ${options.host}:${options.port} failed (${e.code ?? 'error'}${e.responseCode ? ` ${e.responseCode}` : ''}: ${auth ? said.split(auth.pass).join('***') : said}). Check GOVPUB_SMTP_* and the server; the notice is tried again.`,
        );
      } finally {
        transport.close();
      }
    },
  };
}
