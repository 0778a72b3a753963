/**
 * Settings of the compliance monitor's surface, from the environment: when the Temporal Schedules
 * run the daily check and the site probes, and how notices reach the owner units (SMTP, webhook).
 * Secrets are named here, never held: the SMTP password and the webhook signing key are read by
 * name from the environment or GOVPUB_SECRETS_FILE when a notice is sent (config/secrets.ts).
 */
import { httpUrlProblem, urlAsShown } from './http-url.js';
import { GovpubError } from '../domain/errors.js';

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  from: string;
  user?: string;
  /** Name of the secret holding the SMTP password (never the password itself). */
  passwordSecret?: string;
}

export interface WebhookSettings {
  /** Every unit's notices go here unless the unit has its own URL. */
  url?: string;
  /** Per owner unit id: its own receiver. */
  unitUrls: Record<string, string>;
  /** Name of the secret that signs each body (HMAC-SHA256, header X-Govpub-Signature). */
  secretName?: string;
  timeoutMs: number;
}

export interface ComplianceSettings {
  /** Create or update the schedules when a worker starts (GOVPUB_COMPLIANCE_SCHEDULES=off: leave them alone). */
  schedules: boolean;
  /** Daily check time, HH:MM in `timezone` (default 07:00 Asia/Shanghai). */
  dailyAt: { hour: number; minute: number };
  timezone: string;
  /** Minutes between reachability probes of the public site (default 10). */
  probeEveryMinutes: number;
  /** A probe taking this long or longer counts as failed (inspectors' limit: 15 s, 「超过（含）15秒」). */
  probeTimeoutMs: number;
  /** Extra public URLs probed besides the portal's home and a column page. */
  probeUrls: string[];
  smtp: SmtpSettings | null;
  webhook: WebhookSettings;
}

function invalid(name: string, raw: string, what: string): GovpubError {
  return new GovpubError('setting_invalid', `${name}=${raw} ${what}. Fix or unset ${name}.`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function intIn(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, what: string): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw invalid(name, raw, `is not ${what} (${min}–${max})`);
  return value;
}

function httpUrl(name: string, raw: string): string {
  switch (httpUrlProblem(raw)) {
    case 'control_character':
      throw invalid(name, '<hidden>', 'contains a control character');
    case 'not_a_url':
      throw invalid(name, urlAsShown(raw), 'is not a URL');
    case 'not_http':
      throw invalid(name, urlAsShown(raw), 'must be an http(s) URL');
    case 'carries_credentials':
      throw invalid(
        name,
        '<hidden>',
        'must not carry a user name or password, which logs and messages would show (a webhook signs with a key in a secret instead)',
      );
    case null:
      return new URL(raw).toString();
  }
}

const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,127}$/;

function secretName(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  // Not echoed: what does not look like a name may be the secret itself, and this sentence reaches logs.
  if (!SECRET_NAME.test(raw)) throw invalid(name, '<hidden>', 'must name a secret (upper-case letters, digits and _), not hold its value');
  return raw;
}

/** `jyj=https://hooks.example/jyj,mzj=https://…` → { jyj: …, mzj: … }. Unit ids are checked against the registry at worker start. */
export function parseUnitUrls(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw || raw.trim() === '') return out;
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([a-z0-9][a-z0-9-]*)=(.+)$/.exec(part);
    if (!m) throw invalid('GOVPUB_NOTIFY_WEBHOOK_UNIT_URLS', part.slice(0, 80), 'is not <unit id>=<URL> (e.g. jyj=https://hooks.example/jyj)');
    if (out[m[1]!]) throw invalid('GOVPUB_NOTIFY_WEBHOOK_UNIT_URLS', part.slice(0, 80), `names unit ${m[1]} twice`);
    out[m[1]!] = httpUrl('GOVPUB_NOTIFY_WEBHOOK_UNIT_URLS', m[2]!);
  }
  return out;
}

export function loadComplianceSettings(env: NodeJS.ProcessEnv): ComplianceSettings {
  const schedules = (nonEmpty(env.GOVPUB_COMPLIANCE_SCHEDULES) ?? 'on').toLowerCase();
  if (!['on', 'off'].includes(schedules)) throw invalid('GOVPUB_COMPLIANCE_SCHEDULES', schedules, 'must be "on" or "off"');
  const at = nonEmpty(env.GOVPUB_COMPLIANCE_DAILY_AT) ?? '07:00';
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(at);
  if (!m) throw invalid('GOVPUB_COMPLIANCE_DAILY_AT', at, 'is not a time of day HH:MM (e.g. 07:00)');
  const timezone = nonEmpty(env.GOVPUB_COMPLIANCE_TIMEZONE) ?? 'Asia/Shanghai';
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw invalid('GOVPUB_COMPLIANCE_TIMEZONE', timezone, 'is not an IANA time zone (e.g. Asia/Shanghai)');
  }
  const probeUrls = (nonEmpty(env.GOVPUB_PROBE_URLS) ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean)
    .map((u) => httpUrl('GOVPUB_PROBE_URLS', u));

  const smtpHost = nonEmpty(env.GOVPUB_SMTP_HOST);
  let smtp: SmtpSettings | null = null;
  if (smtpHost) {
    const from = nonEmpty(env.GOVPUB_SMTP_FROM);
    if (!from || !/^[^\s@<>]+@[^\s@<>]+$/.test(from.replace(/^.*<(.+)>$/, '$1'))) {
      throw invalid('GOVPUB_SMTP_FROM', from ?? '', 'must be the sender address (e.g. govpub@beilin.gov.cn) when GOVPUB_SMTP_HOST is set');
    }
    const port = intIn(env, 'GOVPUB_SMTP_PORT', 587, 1, 65535, 'a port number');
    const user = nonEmpty(env.GOVPUB_SMTP_USER);
    const passwordSecret = secretName(env, 'GOVPUB_SMTP_PASSWORD_SECRET');
    if (Boolean(user) !== Boolean(passwordSecret)) {
      throw new GovpubError('setting_invalid', 'GOVPUB_SMTP_USER and GOVPUB_SMTP_PASSWORD_SECRET go together: set both (SMTP AUTH) or neither.');
    }
    const secure = (nonEmpty(env.GOVPUB_SMTP_SECURE) ?? (port === 465 ? 'on' : 'off')).toLowerCase();
    if (!['on', 'off'].includes(secure)) throw invalid('GOVPUB_SMTP_SECURE', secure, 'must be "on" or "off"');
    smtp = { host: smtpHost, port, secure: secure === 'on', from, ...(user ? { user, passwordSecret } : {}) };
  }

  const webhookUrl = nonEmpty(env.GOVPUB_NOTIFY_WEBHOOK_URL);
  const unitUrls = parseUnitUrls(env.GOVPUB_NOTIFY_WEBHOOK_UNIT_URLS);
  const webhookSecret = secretName(env, 'GOVPUB_NOTIFY_WEBHOOK_SECRET');
  if ((webhookUrl || Object.keys(unitUrls).length > 0) && !webhookSecret) {
    throw new GovpubError(
      'setting_invalid',
      'A notice webhook is configured but GOVPUB_NOTIFY_WEBHOOK_SECRET is not: name the secret that signs the bodies (receivers must be able to tell our notices from forgeries).',
    );
  }

  return {
    schedules: schedules === 'on',
    dailyAt: { hour: Number(m[1]), minute: Number(m[2]) },
    timezone,
    probeEveryMinutes: intIn(env, 'GOVPUB_PROBE_EVERY_MINUTES', 10, 1, 1440, 'a number of minutes'),
    probeTimeoutMs: intIn(env, 'GOVPUB_PROBE_TIMEOUT_MS', 15_000, 100, 120_000, 'a number of milliseconds'),
    probeUrls,
    smtp,
    webhook: {
      ...(webhookUrl ? { url: httpUrl('GOVPUB_NOTIFY_WEBHOOK_URL', webhookUrl) } : {}),
      unitUrls,
      ...(webhookSecret ? { secretName: webhookSecret } : {}),
      timeoutMs: intIn(env, 'GOVPUB_NOTIFY_WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000, 'a number of milliseconds'),
    },
  };
}
