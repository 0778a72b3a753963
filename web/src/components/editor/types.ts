/** What the editor pages read from the API (api/schemas/*.ts and the issue-11 contract), as the console uses it. */
import type { CatalogueItem as RegistryCatalogueItem } from '../../../../domain/registry';
import type { Problem } from '../../api';

export type { Problem };

/** A catalogue item as GET /api/catalogue lists it: the registry's own type with its review stages. */
export type CatalogueItem = RegistryCatalogueItem & { stages: string[] };

export interface ChannelItem {
  id: string;
  platform: string;
  kind: 'portal_column' | 'new_media_account' | 'media_center_column' | string;
  name: string;
  ownerUnit?: string;
  publishing: string;
  paused: boolean;
  /** A portal column with sub-columns: an item goes into one of them, never into it. */
  hasSubColumns?: boolean;
}

export interface MediaView {
  id: string;
  kind: 'image' | 'video' | 'audio' | 'document' | 'captions';
  mime: string;
  sizeBytes: number;
  width: number | null;
  height: number | null;
  durationSec: number | null;
  uploadName: string | null;
  createdAt: string;
  contentUrl: string;
}

export interface MediaJob {
  id: string;
  mediaId: string;
  state: 'queued' | 'running' | 'done' | 'failed' | 'canceled';
  progress: number;
  currentSpec: string | null;
  specs: string[];
  /** Per spec key: what editors call it (labelZh: 微信公众号封面（2.35:1）). */
  specNames?: Record<string, { label: string; labelZh: string }>;
  problems: { spec: string; code: string; message: string; messageZh?: string }[];
  /** Per spec: made ({ ok: true }) or why not ({ ok: false, code, message, messageZh }). */
  results?: Record<string, { ok: boolean; code?: string; message?: string; messageZh?: string; warnings?: string[]; warningsZh?: string[] }>;
}

export interface MediaDetail extends MediaView {
  renditions: unknown[];
  jobs: MediaJob[];
}

export interface PackageListItem {
  id: string;
  title: string;
  status: string;
  currentStage: string | null;
  revision: number;
  catalogueItem: string;
  releaseAt: string | null;
  updatedAt: string;
  createdBy?: string;
  createdByName?: string | null;
  unit?: string | null;
  contentClass?: string;
  /** A draft a reviewer sent back (已退回): the rejection's stage and time; null otherwise. */
  returned?: { stage: string; stageName?: string; at: string } | null;
}

export interface PackageListAnswer {
  packages: PackageListItem[];
  nextCursor?: string | null;
}

export interface Decision {
  stage: string;
  decision: 'approve' | 'reject';
  /** The reviewer's user name; `reviewerName` their display name, else the user name. */
  reviewer: string;
  reviewerName?: string;
  revision: number;
  comment: string;
  at: string;
  voided: boolean;
  voidedReason: string | null;
}

export interface DeliveryRef {
  id: string;
  channelId: string;
  /** What people call the channel (碑林发布); null when it left the registry. */
  channelName?: string | null;
  platform?: string | null;
  state: string;
  task: string | null;
  publicUrl: string | null;
  errorMessage: string | null;
  /** The failure in Chinese (adapters/error-codes.ts): what the console shows. */
  errorMessageZh?: string | null;
}

export interface PackageView {
  id: string;
  title: string;
  catalogueItem: string;
  contentClass: string;
  status: string;
  currentStage: string | null;
  currentStageName: string | null;
  stages: { id: string; name: string }[];
  revision: number;
  contentHash: string;
  approvedRevision: number | null;
  releaseAt: string | null;
  createdBy: string;
  createdAt: string;
  releasedAt: string | null;
  retractedAt: string | null;
  /** 索引号, from the first release on */
  indexNumber?: string | null;
  /** 有效性 now (normative documents) */
  validity?: { state: 'valid' | 'expired' | 'repealed'; effectiveFrom: string | null; endedAt: string | null } | null;
  lastRejection: { stage: string; reviewerId: string; comment: string; at: string } | null;
  retraction: { reason?: string; by?: string; at?: string } | null;
  /** `reviewerName`: the reviewer's display name, else their user name (`reviewer`). */
  approvals: { stage: string; reviewer: string; reviewerName?: string; revision: number; at: string; comment: string }[];
  decisions: Decision[];
  deliverySummary: Record<string, number>;
  deliveries: DeliveryRef[];
  content: unknown;
}

export interface RevisionInfo {
  revision: number;
  contentHash: string;
  createdBy: string;
  createdByName?: string | null;
  createdAt: string;
}

/** GET /api/topics */
export interface TopicsAnswer {
  categories: { name: string; children: string[] }[];
  paths: string[];
}

/** One changed field between two revisions: the server's own type (domain/package-diff.ts). */
export type { FieldChange as DiffChange } from '../../../../domain/package-diff';
import type { FieldChange } from '../../../../domain/package-diff';

export interface DiffAnswer {
  from: number;
  to: number;
  changes: FieldChange[];
}

/** What GET /api/packages/:id/preflight and POST /api/preflight answer: the server's own types. */
export type { ChannelPreflight, PreflightResult } from '../../../../adapters/preflight/preflight';
export type { Preview } from '../../../../adapters/preflight/previews';
