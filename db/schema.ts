/**
 * The typed database schema (kysely). The database is the system of record for content,
 * revisions, approvals, deliveries and the audit trail; Temporal records progress.
 */
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { DeliveryState } from '../domain/delivery-state.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string | T, string | T>;
/** A JSON column with a database default: optional on insert. */
type JsonWithDefault<T> = ColumnType<T, string | T | undefined, string | T>;

export interface UsersTable {
  id: string;
  name: string;
  display_name: string | null;
  role: 'editor' | 'reviewer' | 'ops' | 'admin';
  /** Review stages (ids) this user may act at; only meaningful for reviewers and admins. */
  stages: Json<string[]>;
  /** SHA-256 of the bearer token; the token itself is shown once and never stored. */
  token_hash: string;
  created_at: Timestamp;
  disabled_at: NullableTimestamp;
  /** When the current token stops working (null: until rotated or the user is disabled). */
  token_expires_at: NullableTimestamp;
  token_issued_at: NullableTimestamp;
  /** `scrypt$N$r$p$salt$hash` (services/users.ts); null: the user cannot sign in with a password. */
  password_hash: ColumnType<string | null, string | null | undefined, string | null>;
  /** Owner unit id (config/registry/units.yaml); null: no unit. */
  unit: ColumnType<string | null, string | null | undefined, string | null>;
  /** Where compliance reminders reach the user (services/notify/); null: no e-mail. */
  email: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface PackagesTable {
  id: string;
  title: string;
  catalogue_item_id: string;
  content_class: string;
  status: string;
  current_stage: string | null;
  current_revision: number;
  approved_revision: number | null;
  release_at: NullableTimestamp;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  released_at: NullableTimestamp;
  retracted_at: NullableTimestamp;
  /** The creating user's unit id at creation (null: none). */
  unit: ColumnType<string | null, string | null | undefined, string | null>;
  /** 索引号, assigned once at the first release (db/index-numbers.ts); unique. */
  index_number: ColumnType<string | null, string | null | undefined, string | null>;
  /** 有效性 set by the validity command (null: as the document was written); JSON of domain Validity. */
  validity: ColumnType<unknown, string | null | undefined, string | null>;
}

/** The last 索引号 serial given per organ code and China-time year. */
export interface IndexNumberSerialsTable {
  organ_code: string;
  year: number;
  last_serial: number;
}

/** A browser session: only the SHA-256 of its id is stored, so a leaked table opens no session. */
export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

/** Failed sign-ins per user name within the current window (nothing else about a failure is kept). */
export interface SignInFailuresTable {
  name: string;
  failures: number;
  window_started_at: Timestamp;
}

export interface PackageRevisionsTable {
  package_id: string;
  revision: number;
  content: Json<unknown>;
  content_hash: string;
  created_by: string;
  created_at: Timestamp;
}

export interface ReviewDecisionsTable {
  id: Generated<number>;
  package_id: string;
  revision: number;
  stage: string;
  decision: 'approve' | 'reject';
  comment: string;
  reviewer_id: string;
  decided_at: Timestamp;
  /** Set when an edit or withdrawal voids this approval; the row itself is kept. */
  voided_at: NullableTimestamp;
  voided_reason: string | null;
  /** Business key so a retried activity records the decision once. */
  event_key: string;
}

export interface ChannelsTable {
  id: string;
  platform: string;
  kind: string;
  name: string;
  owner_unit: string | null;
  publishing: string;
  ref: string;
  definition: Json<unknown>;
  registry_digest: string;
  synced_at: Timestamp;
  paused_at: NullableTimestamp;
  paused_reason: string | null;
}

export interface DeliveriesTable {
  id: string;
  /** package id @ revision → channel id: one row per (package revision × channel), never two. */
  business_key: string;
  package_id: string;
  revision: number;
  channel_id: string;
  state: DeliveryState;
  payload: Json<unknown> | null;
  attempts: Generated<number>;
  next_attempt_at: NullableTimestamp;
  error_class: string | null;
  error_message: string | null;
  external_id: string | null;
  public_url: string | null;
  live_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  platform: string | null;
  /** Multi-step progress of the transmit (upload ids, draft ids), so a retry resumes there. */
  checkpoint: JsonWithDefault<Record<string, unknown>>;
  /** Renditions the adapter asked for: [{mediaId, spec, purpose}]. */
  renditions: JsonWithDefault<unknown[]>;
  warnings: JsonWithDefault<string[]>;
  /** Rejected content: [{field, message}] for the editor. */
  problems: JsonWithDefault<unknown[]>;
  platform_code: string | null;
  submitted_at: NullableTimestamp;
  last_attempt_at: NullableTimestamp;
  /** An operator's open task: manual_post, manual_takedown, or null. */
  task: string | null;
  reminded_at: NullableTimestamp;
  skipped_reason: string | null;
  taken_down_at: NullableTimestamp;
}

export interface ChannelTokensTable {
  channel_id: string;
  name: string;
  value: string;
  expires_at: NullableTimestamp;
  updated_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: Timestamp;
  actor: string;
  action: string;
  package_id: string | null;
  revision: number | null;
  content_hash: string | null;
  channel_id: string | null;
  details: Json<Record<string, unknown>>;
  /** Business key: an activity retried after a crash appends its entry once. */
  event_key: string | null;
}

/** Media (issue 5): JSON columns with a database default are optional on insert. */
type MediaJson<T> = ColumnType<T, string | undefined, string>;
/** bigint comes back from pg as a string; write numbers. */
type BigIntColumn = ColumnType<string, number | bigint | string, number | bigint | string>;

/** An uploaded original, keyed by the SHA-256 of its bytes (its address in the media store). */
export interface MediaTable {
  id: string;
  /** media/probe.ts MediaKind: `document` = an attachment (PDF, Word, Excel, OFD), `captions` = WebVTT. */
  kind: 'image' | 'video' | 'audio' | 'document' | 'captions';
  mime: string;
  format: string;
  size_bytes: BigIntColumn;
  width: number | null;
  height: number | null;
  duration_sec: number | null;
  /** File name of the first upload of these bytes. */
  upload_name: string | null;
  /** What media/probe.ts found (codecs, fps, EXIF/GPS flags, …). */
  probe: Json<Record<string, unknown>>;
  created_by: string;
  created_at: Timestamp;
}

/** A rendition made from an original: one per (original × spec × watermark). */
export interface MediaRenditionsTable {
  media_id: string;
  spec_key: string;
  cache_key: string;
  sha256: string;
  mime: string;
  size_bytes: BigIntColumn;
  width: number | null;
  height: number | null;
  duration_sec: number | null;
  watermarked: ColumnType<boolean, boolean | undefined, boolean>;
  channel_id: string | null;
  warnings: MediaJson<string[]>;
  /** The same notes in Chinese, in the same order (empty for rows made before migration 0015). */
  warnings_zh: MediaJson<string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type MediaJobState = 'queued' | 'running' | 'done' | 'failed' | 'canceled';

/** A request for renditions, run by the media-renditions workflow; progress written by its activities. */
export interface MediaJobsTable {
  id: string;
  media_id: string;
  specs: Json<string[]>;
  channel_id: string | null;
  state: ColumnType<MediaJobState, MediaJobState | undefined, MediaJobState>;
  progress: ColumnType<number, number | undefined, number>;
  current_spec: string | null;
  spec_progress: MediaJson<Record<string, number>>;
  results: MediaJson<Record<string, unknown>>;
  problems: MediaJson<{ spec: string; code: string; message: string }[]>;
  error: string | null;
  workflow_id: string | null;
  owner: MediaJson<{ packageId?: string; deliveryKey?: string }>;
  requested_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: NullableTimestamp;
}

/** A request made with an Idempotency-Key (api/idempotency.ts): its fingerprint and, once done, its answer. */
export interface IdempotencyKeysTable {
  user_id: string;
  key: string;
  route: string;
  fingerprint: string;
  status_code: number | null;
  response: ColumnType<unknown, string | null, string | null>;
  created_at: ColumnType<Date, Date | undefined, Date>;
  completed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** One pass of the compliance monitor (services/compliance/monitor.ts). */
export interface ComplianceRunsTable {
  id: string;
  /** Start order. */
  seq: Generated<string>;
  trigger: string;
  actor: string;
  started_at: Timestamp;
  /** Null while running, or when the run failed (then `error` says why). */
  finished_at: NullableTimestamp;
  checks: JsonWithDefault<string[]>;
  opened: ColumnType<number, number | undefined, number>;
  closed: ColumnType<number, number | undefined, number>;
  changed: ColumnType<number, number | undefined, number>;
  /** Open findings after the run, by severity. */
  open_counts: JsonWithDefault<Record<string, number>>;
  /** ThresholdStatus[] of the run. */
  thresholds: JsonWithDefault<unknown[]>;
  duration_ms: number | null;
  /** Milliseconds per phase (facts, each check group, reconcile). */
  check_ms: JsonWithDefault<Record<string, number>>;
  error: string | null;
}

/** A finding of the compliance monitor, keyed `${kind}:${subject id}` (domain/compliance/model.ts). */
export interface ComplianceFindingsTable {
  key: string;
  kind: string;
  severity: string;
  subject_type: string;
  subject_id: string;
  subject_name: string;
  owner_unit: string | null;
  message: string;
  message_en: string;
  facts: Json<Record<string, unknown>>;
  status: 'open' | 'closed';
  opened_at: Timestamp;
  updated_at: Timestamp;
  closed_at: NullableTimestamp;
  last_run_id: string;
}

/** A change to a finding (append-only; the audit trail holds the same change). */
export interface ComplianceFindingEventsTable {
  id: Generated<string>;
  event_key: string;
  key: string;
  kind: string;
  change: string;
  severity: string;
  previous_severity: string | null;
  subject_type: string;
  subject_id: string;
  subject_name: string;
  owner_unit: string | null;
  message: string;
  run_id: string;
  at: Timestamp;
}

/** One reachability probe of the public site (written by the probe activity). */
export interface SiteProbesTable {
  id: Generated<string>;
  at: Timestamp;
  url: string;
  ok: boolean;
  duration_ms: number;
  status: number | null;
  error: string | null;
}

/** A document published without govpub, registered so the 3-working-day interpretation rule covers it too. */
export interface ExternalReleasesTable {
  id: string;
  title: string;
  owner_unit: string | null;
  /** 发文字号 in its standard form (碑政发〔2026〕3号); null when the registration gave none. */
  document_number: string | null;
  document_live_at: Timestamp;
  /** Null: no interpretation published yet. */
  interpretation_live_at: NullableTimestamp;
  url: string | null;
  note: string | null;
  recorded_by: string;
  recorded_at: Timestamp;
}

export interface DB {
  compliance_runs: ComplianceRunsTable;
  compliance_findings: ComplianceFindingsTable;
  compliance_finding_events: ComplianceFindingEventsTable;
  site_probes: SiteProbesTable;
  external_releases: ExternalReleasesTable;
  idempotency_keys: IdempotencyKeysTable;
  media: MediaTable;
  media_renditions: MediaRenditionsTable;
  media_jobs: MediaJobsTable;
  users: UsersTable;
  sessions: SessionsTable;
  sign_in_failures: SignInFailuresTable;
  packages: PackagesTable;
  package_revisions: PackageRevisionsTable;
  review_decisions: ReviewDecisionsTable;
  channels: ChannelsTable;
  deliveries: DeliveriesTable;
  audit_log: AuditLogTable;
  channel_tokens: ChannelTokensTable;
  index_number_serials: IndexNumberSerialsTable;
  compliance_notices: ComplianceNoticesTable;
}

export type UserRow = Selectable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type PackageRow = Selectable<PackagesTable>;
export type PackageRevisionRow = Selectable<PackageRevisionsTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;
export type MediaRow = Selectable<MediaTable>;
export type MediaRenditionRow = Selectable<MediaRenditionsTable>;
export type MediaJobRow = Selectable<MediaJobsTable>;

/** A compliance notice sent to an owner unit through one transport (services/notify/): at most once per run. */
export interface ComplianceNoticesTable {
  run_id: string;
  unit_id: string;
  transport: 'email' | 'webhook';
  recipients: JsonWithDefault<string[]>;
  finding_keys: JsonWithDefault<string[]>;
  sent_at: Timestamp;
}
