/**
 * A notice to an owner unit: the findings of one compliance run that opened or got worse for it.
 * Transports (e-mail, webhook) implement `Notifier`; the notice activity decides who gets what and
 * records what was sent, so a transport only has to deliver one notice or throw.
 */
import type { FindingChange, FindingKind, Severity, SubjectType } from '../../domain/compliance/model.js';

export interface NoticeFinding {
  key: string;
  kind: FindingKind;
  change: FindingChange;
  severity: Severity;
  subject: { type: SubjectType; id: string; name: string };
  message: string;
}

export interface Notice {
  /** `compliance:<runId>:<unitId>`: the same notice keeps its id however often it is sent (Message-ID, webhook header). */
  id: string;
  runId: string;
  unitId: string;
  unitName: string;
  /** E-mail addresses of the unit's editors (the webhook receives them too, for its own routing). */
  recipients: string[];
  subject: string;
  text: string;
  findings: NoticeFinding[];
}

export interface Notifier {
  /** Delivers the notice or throws (the activity is retried by Temporal). */
  send(notice: Notice): Promise<void>;
}

export type NoticeTransport = 'email' | 'webhook';
