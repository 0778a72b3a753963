/** The shapes of the API answers the review pages read (api/schemas/packages.ts, preflight.ts, console.ts). */
import type { Problem } from '../../api';

export interface PackageDecision {
  stage: string;
  decision: 'approve' | 'reject';
  /** The reviewer's user name. */
  reviewer: string;
  /** The reviewer's display name (赵审核), else their user name: what the pages show. */
  reviewerName?: string;
  revision: number;
  comment: string;
  at: string;
  voided: boolean;
  voidedReason: string | null;
}

export interface PackageContent {
  title: string;
  catalogueItem: string;
  document: {
    title: string;
    body: string;
    issuingUnit?: string;
    documentNumber?: string;
    formedAt?: string;
    attachments?: { name: string; url?: string; mediaId?: string }[];
    /** 主题分类 and 主题词, as the portal's metadata block shows them. */
    topic?: string;
    keywords?: string[];
  };
  interpretations?:
    | {
        form: string;
        title: string;
        body?: string;
        mediaId?: string;
        url?: string;
        interpreter?: string;
        /** A video's or audio's captions (an uploaded WebVTT file) and transcript (文字实录, sanitized HTML): released with it. */
        captionsMediaId?: string;
        transcript?: string;
      }[]
    | null;
  targets: string[];
  releaseAt?: string | null;
  cover?: { mediaId: string; alt: string } | null;
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
  approvedRevision: number | null;
  releaseAt: string | null;
  createdBy: string;
  createdAt: string;
  lastRejection: unknown;
  decisions: PackageDecision[];
  content: PackageContent;
}

export interface PackageListItem {
  id: string;
  title: string;
  status: string;
  currentStage: string | null;
  revision: number;
  catalogueItem: string;
  updatedAt: string;
  createdBy?: string;
  createdByName?: string | null;
}

export interface PackageListAnswer {
  packages: PackageListItem[];
  nextCursor?: string | null;
}

export interface RevisionList {
  revisions: { revision: number; createdBy: string; createdByName: string | null; createdAt: string }[];
}

/** One changed field between two revisions: the server's own type (domain/package-diff.ts). */
export type { FieldChange } from '../../../../domain/package-diff';
import type { FieldChange } from '../../../../domain/package-diff';

export interface RevisionDiff {
  from: number;
  to: number;
  changes: FieldChange[];
}

/** What GET /api/packages/:id/preflight and POST /api/preflight answer: the server's own types. */
export type { ChannelPreflight, PreflightResult } from '../../../../adapters/preflight/preflight';
export type { Preview } from '../../../../adapters/preflight/previews';

/** A package-level problem of the content gate (GET /api/packages/:id/preflight): with its place and masked excerpt. */
export interface GateProblem extends Problem {
  excerpt?: string;
  place?: { field: string; within?: string; offset: number; line: number };
}

/** The content gate's codes (domain/content-gate/model.ts GATE_CODES). */
export const GATE_CODES: readonly string[] = [
  'personal_id_number',
  'personal_mobile',
  'personal_bank_card',
  'personal_email',
  'personal_other',
  'wording_wrong',
  'wording_blocked',
  'link_dead',
  'link_refused',
  'attachment_unreadable',
];
