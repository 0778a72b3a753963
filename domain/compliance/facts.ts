/**
 * What the checks read: the facts services/compliance/facts.ts gathers from the database, the portal's
 * manifest, the platforms' own post lists and the probes. Plain JSON-safe data; times are ISO strings.
 */
import type { UpdateClass } from '../registry.js';

/** Where a figure came from: govpub's own deliveries, the platform's list, or the portal's manifest. */
export type FactSource = 'govpub' | 'platform' | 'portal';

export interface AccountFacts {
  /** Channel id, e.g. `wechat_oa:blfb`. */
  channelId: string;
  name: string;
  ownerUnit: string | null;
  /** The newest post known (govpub's or the platform's, whichever is newer); null when none is known. */
  lastPostAt: string | null;
  source: FactSource | null;
  /** Why the platform's own post list could not be read this time (then only govpub's posts count). */
  platformListUnavailable?: string;
  /**
   * false: govpub cannot read this platform's post list at all (Toutiao, WeChat Channels, Xiaohongshu: no
   * public API; or no post-list source configured), so posts made on the platform directly are not seen.
   * Left out: the list was asked.
   */
  platformListable?: boolean;
}

export interface ColumnFacts {
  /** Channel id, `portal:<column id>`. */
  channelId: string;
  columnId: string;
  /** Column path joined with ' > '. */
  name: string;
  updateClass: UpdateClass;
  /** A leaf column (items are published into it; parents list their children's). */
  leaf: boolean;
  depth: number;
  ownerUnit: string | null;
  /** Items now shown in the column. */
  count: number;
  lastUpdatedAt: string | null;
  source: FactSource;
}

export interface SiteFacts {
  /** Newest item on the home page (the site's latest list), null when nothing is published. */
  homeLastUpdatedAt: string | null;
  homeSource: FactSource;
  /** Probes of the window (the monitor reads the window the thresholds name). */
  probes: { at: string; ok: boolean; durationMs: number }[];
  probeWindow: { from: string; to: string };
}

/** A document govpub released (or one registered as published without govpub) and when its interpretations went live. */
export interface InterpretationTimingFacts {
  /** Package id, or `external:<id>` for a registered document. */
  subjectId: string;
  subjectType: 'package' | 'external';
  title: string;
  ownerUnit: string | null;
  /** First time the document was live anywhere. */
  documentLiveAt: string;
  /** First time an interpretation was live: one released with the document (same time), one added by a later revision, or null (none yet). */
  interpretationLiveAt: string | null;
  /** The interpretation went out with a later revision than the document's first release. */
  addedLater: boolean;
  /** The catalogue item requires an interpretation (三同步): a missing one is late too. */
  requiresInterpretation: boolean;
  /** The package was retracted (撤稿): its document is no longer published, so no interpretation is missing any more. */
  retracted: boolean;
}

/** A proactive catalogue item's document: formation date → first release (Art. 26). */
export interface DisclosureFacts {
  packageId: string;
  title: string;
  catalogueItemId: string;
  ownerUnit: string | null;
  /** 成文日期, YYYY-MM-DD (China calendar date). */
  formedAt: string;
  /** First time any channel showed it; null while unreleased. */
  firstLiveAt: string | null;
  /** Package status (unreleased packages that are withdrawn are not judged: see the rule). */
  status: string;
}

export interface ComplianceFacts {
  accounts: AccountFacts[];
  columns: ColumnFacts[];
  site: SiteFacts;
  interpretations: InterpretationTimingFacts[];
  disclosures: DisclosureFacts[];
}
