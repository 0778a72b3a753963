/**
 * A channel adapter = declared capabilities + a pure `format` step (approved package revision →
 * platform payload) + a `transmit` step (payload → platform). Workflows never see adapters: the
 * delivery activities pick one by the channel's platform (adapters/index.ts), so adding a
 * platform touches no workflow code.
 *
 * The delivery activities own exactly-once: they keep the delivery row (state, payload snapshot,
 * checkpoint, external id), reconcile before any retry and classify errors. An adapter only has
 * to (a) say what a step did, (b) throw a DeliveryError that says what kind of failure it was,
 * and (c) save the ids of multi-step progress with `ctx.checkpoint` so a retry resumes there.
 */
import type { Channel, NewMediaAccount } from '../domain/registry.js';
import type { ContentProblem } from './errors.js';

// ── What every adapter receives ─────────────────────────────────────────────────────────────

/** What the media probe knows about one uploaded original (mediaId = its SHA-256). */
export interface MediaInfo {
  mediaId: string;
  /** `document`: an attachment (PDF, Word, Excel, OFD) passed through as it is; `captions`: WebVTT. */
  kind: 'image' | 'video' | 'audio' | 'document' | 'captions';
  mime: string;
  sizeBytes: number;
  width?: number;
  height?: number;
  durationSec?: number;
  /** The editor's file name, for messages. */
  name?: string;
}

/** The approved content of one package revision, as every adapter receives it. */
export interface ReleaseUnit {
  packageId: string;
  revision: number;
  contentHash: string;
  title: string;
  catalogue: { id: string; name: string; contentClass: string };
  /** Body fields are sanitized HTML. */
  document: {
    title: string;
    body: string;
    documentNumber?: string;
    issuingUnit?: string;
    formedAt?: string;
    attachments?: { name: string; url?: string; mediaId?: string }[];
    /** 主题分类, e.g. 综合政务\\政务公开 */
    topic?: string;
    /** 主题词 */
    keywords?: string[];
    /** 有效性 now (normative documents): the validity command's value, else the one written. */
    validity?: { state: 'valid' | 'expired' | 'repealed'; effectiveFrom: string | null; endedAt: string | null } | null;
  };
  interpretations: {
    form: string;
    title: string;
    body: string;
    mediaId?: string;
    url?: string;
    interpreter?: string;
    /** Video/audio: uploaded WebVTT captions. */
    captionsMediaId?: string;
    /** Video/audio: sanitized transcript HTML. */
    transcript?: string;
  }[];
  /** 索引号, assigned at the package's first release (null before it, e.g. in preflight). */
  indexNumber?: string | null;
  /** The package's cover image, when the editor chose one. */
  cover?: { mediaId: string; alt: string };
  /** Every original the unit refers to (cover, interpretations, attachments), by mediaId. */
  media: Record<string, MediaInfo>;
  /**
   * Public URLs of the unit's pages on the district portal, for "read the full text" links from
   * new-media posts. Null when the package is not released to any portal column.
   */
  portalLinks: { document: string; interpretations: string[] } | null;
  /** The portal columns this revision goes to (column ids, sorted): a column's commit waits briefly for the others. */
  portalColumns?: string[];
  /** When the release started (ISO 8601); a stable value for every channel of one release. */
  releasedAt: string;
}

// ── What an adapter declares ────────────────────────────────────────────────────────────────

/**
 * What the delivery activities read of an adapter; the rest of what a platform is (accepted forms,
 * cover, video, links) is its declaration (adapters/<platform>/declaration.ts). Whether it polls
 * or reconciles is whether it has `confirm` / `reconcile`.
 */
export interface AdapterCapabilities {
  /** `api`: govpub posts; `manual`: an operator posts a prepared bundle and confirms the URL. */
  publishing: 'api' | 'manual';
  /** Can take a post down through the API; otherwise retraction creates a manual take-down task. */
  canDelete: boolean;
  /** The platform's documented limits this adapter enforces in `format` (with the options it was built with). */
  limits: Record<string, number | string>;
}

/** A rendition the adapter needs before transmit: an original × a media spec key (media/specs.ts). */
export interface RenditionNeed {
  mediaId: string;
  /** e.g. `wechat_oa.thumb`, `douyin.video_1080`. */
  spec: string;
  /** Why, for progress displays: "cover", "interpretation video", … */
  purpose: string;
}

export interface Formatted<Payload> {
  /** Stored as the delivery's payload snapshot: plain JSON, no secrets, no file contents. */
  payload: Payload;
  renditions: RenditionNeed[];
  /** Things the editor should know that do not stop the delivery (e.g. "digest shortened to 120 characters"). */
  warnings: string[];
  /**
   * The same warnings in Simplified Chinese, in the same order (written by the format step itself).
   * Optional so results formatted before it existed still read; then the English is translated.
   */
  warningsZh?: string[];
}

// ── What transmit may use ───────────────────────────────────────────────────────────────────

export interface RenditionFile {
  mediaId: string;
  spec: string;
  path: string;
  mime: string;
  sizeBytes: number;
  sha256: string;
  width?: number;
  height?: number;
  durationSec?: number;
}

export interface RenditionSource {
  /** The rendition as a local file (prepared and cached on first use). */
  get(mediaId: string, spec: string): Promise<RenditionFile>;
  /** True when `get` would answer from the cache, without rendering (optional: false when absent). */
  isCached?(mediaId: string, spec: string): Promise<boolean>;
}

/** Tokens an adapter obtains at run time (access tokens, rotated refresh tokens), kept per channel. */
export interface TokenStore {
  get(name: string): Promise<{ value: string; expiresAt: Date | null } | null>;
  put(name: string, value: string, expiresAt: Date | null): Promise<void>;
  delete(name: string): Promise<void>;
}

export interface TransmitContext<Checkpoint = Record<string, unknown>> {
  /** `${packageId}@${revision}→${channelId}`: derive idempotency keys and markers from it. */
  businessKey: string;
  channel: Channel;
  /** The new-media account behind the channel (undefined for portal / media-center columns). */
  account?: NewMediaAccount;
  /** The account's credentials with secrets resolved. Never log them or put them in errors. */
  credentials: Record<string, string>;
  /** The platform's API base URL (configuration; the simulators locally). */
  baseUrl: string;
  /** Per-channel token storage that survives restarts and is shared by workers. */
  tokens: TokenStore;
  renditions: RenditionSource;
  /** Progress of earlier attempts of this delivery ({} on the first). */
  checkpointed: Partial<Checkpoint>;
  /** Saves multi-step progress (merged into what is saved) before the next step runs. */
  checkpoint(progress: Partial<Checkpoint>): Promise<void>;
  /** Tell Temporal the attempt is alive during long uploads. */
  heartbeat(): void;
  signal?: AbortSignal;
  /**
   * Keeps in the delivery's audit trail a refusal that reconcile found (a post review refused that
   * no status query saw), before the retry forgets the post and posts anew. Call it before the
   * checkpoint forgets the post: a crash in between finds the refusal again on the next retry, and
   * the trail keeps it once (one entry per refused post). Absent where no delivery is recorded
   * (adapter tests, hand-made contexts).
   */
  refusalFound?(refusal: RefusalFound): Promise<void>;
}

/** A post the platform's review refused, as reconcile found it. */
export interface RefusalFound {
  /** The refused post's id on the platform. */
  postId: string;
  /** What the platform's status query said, in govpub's English sentence. */
  message: string;
  /** The platform's word for it (its error-code table names its Chinese sentence). */
  platformCode: string;
}

/** A status query's context: a transmit's, and for platforms that sweep (platforms.yaml `statusSweepSec`), how it may wait. */
export interface ConfirmContext<Checkpoint = Record<string, unknown>> extends TransmitContext<Checkpoint> {
  /**
   * Set where the platform's status queries share one sweep per process: the query waits there up
   * to `waitMs` for the post to be final, and the sweep reads the platform at most every `sweepEveryMs`.
   */
  statusWait?: { waitMs: number; sweepEveryMs: number };
}

export type TransmitResult =
  /** Public now. */
  | { state: 'live'; externalId: string; publicUrl: string | null }
  /** Accepted; publishing finishes asynchronously: `confirm` is polled until final. */
  | { state: 'submitted'; externalId: string; publicUrl?: string | null }
  /** Manual hand-off: the bundle is ready; an operator posts it and confirms with the URL. */
  | { state: 'awaiting_manual'; externalId: string; publicUrl?: null };

export type ConfirmResult =
  | { state: 'live'; publicUrl: string | null; externalId?: string }
  | { state: 'pending'; note?: string }
  /**
   * The platform refused the post after accepting it (review rejected, publish failed); `problems`
   * say what it refused and why, in both languages, as a format step's refusal does.
   */
  | {
      state: 'rejected';
      message: string;
      problems?: ContentProblem[];
      /** What the platform said, recorded as the delivery's code (its Chinese sentence comes from the platform's table). */
      platformCode?: string;
    };

export interface ChannelAdapter<Payload = unknown, Checkpoint = Record<string, unknown>> {
  platform: string;
  capabilities: AdapterCapabilities;
  /** Pure: no I/O, no clock. Throws `rejectedContent(...)` listing every limit the unit breaks. */
  format(unit: ReleaseUnit, channel: Channel): Formatted<Payload>;
  transmit(payload: Payload, ctx: TransmitContext<Checkpoint>): Promise<TransmitResult>;
  /** For `pollsStatus` adapters: where is the submitted post now? */
  confirm?(externalId: string, ctx: ConfirmContext<Checkpoint>): Promise<ConfirmResult>;
  /**
   * For `reconciles` adapters: called before every retry of a transmit whose outcome is unknown.
   * Returns what an earlier attempt created (then nothing is posted again), or null if nothing.
   */
  reconcile?(payload: Payload, ctx: TransmitContext<Checkpoint>): Promise<TransmitResult | null>;
  /** For `canDelete` adapters. Taking down what is already gone succeeds. */
  takeDown?(externalId: string, ctx: TransmitContext<Checkpoint> & { reason: string }): Promise<void>;
  /**
   * For platforms that answer about one post: whether it is still there (public, or in the
   * platform's review and so still able to go public), asked before an operator's "taken down by
   * hand" is accepted. Throws when the platform cannot be asked; then the operator's word stands.
   */
  postStillThere?(externalId: string, ctx: TransmitContext<Checkpoint>): Promise<PostPresence>;
  /**
   * For platforms whose API lists an account's posts: the latest ones, newest first, whoever made
   * them (govpub or a person in the platform's own app). The compliance monitor reads the newest.
   */
  latestPosts?(ctx: PostListContext, limit: number): Promise<PlatformPost[]>;
  /**
   * An authenticated call that changes nothing, made the way a delivery authenticates (stored and
   * configured tokens, refreshes): throws the DeliveryError a delivery would get, needs_reconnect
   * when the credentials are refused. Without it, `latestPosts` (one post) serves as the check.
   */
  checkCredentials?(ctx: PostListContext): Promise<void>;
}

/** A post the platform still has (with what it said), or none. */
export type PostPresence = { there: true; what: string; whatZh: string } | { there: false };

/** What listing an account's posts needs: the account, its credentials and token store (no delivery). */
export type PostListContext = Pick<TransmitContext, 'baseUrl' | 'channel' | 'account' | 'credentials' | 'tokens' | 'signal'>;

/** One post as the platform lists it. */
export interface PlatformPost {
  id: string;
  /** When it went public (ISO 8601). */
  at: string;
  title: string | null;
}
