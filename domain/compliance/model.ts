/**
 * Compliance (inspection readiness): what the monitor finds, how findings are keyed and stored, and
 * what the API answers. The inspectors' items are in docs/domain.md ("What inspectors check");
 * the thresholds live in config/registry/compliance.yaml, never in code.
 *
 * A finding is keyed by what it is about (`account_silent:wechat_oa:blfb`), so a run that sees the
 * same fact again updates it and a run that no longer sees it closes it. Each check is authoritative
 * for its own kinds only: the content re-scan after a wording-list change closes its own findings,
 * never the daily run's.
 */

export const SEVERITIES = ['reminder', 'warning', 'veto'] as const;
/** reminder: act soon (day 10 of 14); warning: a failing item on its own; veto: fails the site or account outright. */
export type Severity = (typeof SEVERITIES)[number];

export const FINDING_KINDS = [
  // New-media accounts (section 4: no update within 2 weeks fails the account).
  'account_silent',
  // Portal columns, one finding per column.
  'column_stale',
  'column_long_stale',
  'column_empty',
  // Portal, site level: the counts against the veto thresholds, home page freshness, reachability.
  'site_stale_columns',
  'site_long_stale_columns',
  'site_empty_columns',
  'home_stale',
  'site_unreachable',
  // 三同步 timing and Art. 26 disclosure time limits (working days).
  'interpretation_late',
  'disclosure_late',
  // A date the holiday calendar does not cover: reported, never guessed.
  'calendar_out_of_range',
  // What is already published, scanned again after the wording list changed (content gate).
  'published_wording',
  'published_personal_data',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export type SubjectType = 'account' | 'column' | 'site' | 'package' | 'catalogue_item' | 'calendar';

export interface FindingSubject {
  type: SubjectType;
  /** Channel id for accounts and columns (`wechat_oa:blfb`, `portal:xwdt-blyw`), package id, catalogue item id, `portal` for the site, the year for the calendar. */
  id: string;
  /** As people know it: account name, column path joined with ' > ', package title. */
  name: string;
}

/** What a check reports; the store turns it into a finding (keyed, timed, audited). */
export interface FindingDraft {
  kind: FindingKind;
  severity: Severity;
  subject: FindingSubject;
  /** Owner unit id (config/registry/units.yaml), null when nobody owns it (the site as a whole: 区政府办公室's id). */
  ownerUnit: string | null;
  /** zh-CN: what is wrong, the figure, and what to do next. */
  message: string;
  messageEn: string;
  /** The figures behind it, JSON-safe: e.g. { lastPostAt, daysSilent, limitDays, source: 'platform' | 'govpub' }. */
  facts: Record<string, unknown>;
}

export type FindingStatus = 'open' | 'closed';

export interface Finding extends FindingDraft {
  /** `${kind}:${subject.id}`: stable across runs. */
  key: string;
  status: FindingStatus;
  openedAt: string;
  /** Last time a run changed its severity or facts. */
  updatedAt: string;
  closedAt: string | null;
}

export type FindingChange = 'opened' | 'escalated' | 'eased' | 'updated' | 'closed' | 'reopened';

/** One line of GET /api/compliance/history (also an audit entry, action `compliance.<change>`). */
export interface FindingEvent {
  id: string;
  key: string;
  kind: FindingKind;
  change: FindingChange;
  severity: Severity;
  /** Severity before the change (null when opened). */
  previousSeverity: Severity | null;
  subject: FindingSubject;
  ownerUnit: string | null;
  message: string;
  runId: string;
  at: string;
}

/** A veto threshold at a glance: e.g. 6 stale columns against a limit of 5. */
export interface ThresholdStatus {
  /** `stale_columns`, `long_stale_columns`, `empty_columns`, `home_stale_days`, `unreachable_share`, `silent_accounts`. */
  id: string;
  /** zh-CN label for the console: 未按时更新栏目数 */
  label: string;
  value: number;
  /** The veto limit (value >= limit fails). */
  limit: number;
  failed: boolean;
}

export type RunTrigger = 'schedule' | 'manual' | 'wording_change';

export interface ComplianceRunSummary {
  runId: string;
  trigger: RunTrigger;
  startedAt: string;
  finishedAt: string;
  /** Which checks ran (FindingKind groups: `accounts`, `columns`, `site`, `timing`, `content`). */
  checks: string[];
  opened: number;
  closed: number;
  changed: number;
  /** Open findings after the run, by severity. */
  open: Record<Severity, number>;
  thresholds: ThresholdStatus[];
  durationMs: number;
}

/** GET /api/compliance */
export interface ComplianceView {
  lastRun: ComplianceRunSummary | null;
  thresholds: ThresholdStatus[];
  /** Open findings by severity among those the scope, unit, kind and subjectType select (not narrowed by severity, status or page). */
  counts: Record<Severity, number>;
  findings: Finding[];
  nextCursor: string | null;
  /** Items inspectors check that govpub cannot see, said so: [{ item: 'public_messages', message: '…' }]. */
  notCovered: { item: string; message: string; messageEn: string }[];
}

/** GET /api/compliance query (all optional). `scope=mine` limits an editor to their unit (editors get it by default). */
export interface ComplianceQuery {
  status?: FindingStatus | 'all';
  severity?: Severity;
  kind?: FindingKind;
  unit?: string;
  subjectType?: SubjectType;
  limit?: number;
  cursor?: string;
}
