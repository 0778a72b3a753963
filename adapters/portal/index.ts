/**
 * The district portal (区政府门户网站) as a channel: a static publisher writing a web root that
 * nginx (production) or `registerPortalRoutes` (serve.ts, local) serves. One delivery = one
 * package revision × one column (`portal:<columnId>`). See README.md in this folder.
 */
import path from 'node:path';
import { GovpubError } from '../../domain/errors.js';
import { DeliveryError, isDeliveryError } from '../errors.js';
import type { ChannelAdapter, RenditionFile, TransmitContext, TransmitResult } from '../types.js';
import { PORTAL_LIMITS, formatPortal } from './format.js';
import { DEFAULT_SITE_NAME, PORTAL_PLATFORM, isSafeSlug, parsePortalExternalId, portalExternalId, renditionNeeds, type PortalPayload } from './payload.js';
import type { DocumentValidity, SiteIdentity, SiteStructure } from './pages/model.js';
import { EMPTY_STRUCTURE, unconfiguredIdentity, type SiteSettings } from './pages/settings.js';
import { eachLimit } from './files.js';
import { DEFAULT_TUNING, PortalSite, type CommitOutcome, type SiteTuning } from './site.js';
import { SiteSearch, type SiteSearchOptions } from './site-search.js';
import { mediaKey, type MediaFile, type PackageSource } from './state.js';
import { portalPageUrls } from './urls.js';
import { interpretationsShownIn } from './pages/entry-list.js';
import { COLUMN_TYPES, columnTypeOf } from './pages/structure.js';

export { formatPortal, interpretationFormLabel, PORTAL_LIMITS } from './format.js';
export { portalExternalId, parsePortalExternalId, renditionNeeds, type PortalPayload } from './payload.js';
export { registerPortalRoutes, type PortalRoutesOptions } from './serve.js';
export { portalColumnUrls, portalPageUrls, portalSiteUrls } from './urls.js';
export { siteStructureFromRegistry } from './pages/structure.js';

export interface PortalAdapterOptions {
  /** Directory the site is written to (generations, `current`); created when missing. */
  webRoot: string;
  /** Where the web root is served, e.g. `http://127.0.0.1:8080/portal` or `https://www.beilin.gov.cn`. */
  publicBaseUrl: string;
  /** Default 西安市碑林区人民政府; identity.siteName when `identity` is given. */
  siteName?: string;
  /**
   * Who runs the site, for the meta tags and the footer (config/site-identity.ts loads and checks
   * config/registry/site.yaml). Without it the footer says 未配置 where the numbers would be.
   */
  identity?: SiteIdentity;
  /**
   * The registry's column tree and catalogue (pages/structure.ts siteStructureFromRegistry): every
   * column and catalogue item has a page from the first start (ensureSite). Without it the site
   * shows the columns it has published to.
   */
  structure?: SiteStructure;
  /** The column's name path from the registry (`政务公开 > 政策文件`); `channel.name` otherwise. */
  columnName?(columnId: string): string | undefined;
  /** Entries per column index page (20), items per feed (50), entries in the home page's latest list (20). */
  pageSize?: number;
  feedSize?: number;
  homeSize?: number;
  /** Generations, lock and durability knobs (site.ts). */
  tuning?: Partial<SiteTuning>;
  /**
   * Site search (site-search.ts): the index follows commits within about a minute, built in the
   * background by this process. The runtime turns it on (runtime/processes.ts); without it
   * search/index.html says search is unavailable until some process builds an index.
   */
  search?: SiteSearchOptions;
}

export type PortalAdapter = ChannelAdapter<PortalPayload> & {
  /** The web root this adapter writes (for serve.ts and tools). */
  readonly site: PortalSite;
  /** The site's search index keeper (null when search is off). */
  readonly search: SiteSearch | null;
  /**
   * Makes sure every column has its page and the site was rendered with today's settings, templates
   * and registry (commits a generation only when there is none or the render key changed). Call at start.
   */
  ensureSite(): Promise<CommitOutcome>;
  /**
   * Changes a document's 有效性 without changing its content: its pages and every list showing it
   * are rendered again. `changed: false` when the package is not on the site or already says so.
   */
  updateDocumentValidity(packageId: string, validity: DocumentValidity | null): Promise<{ generation: number; changed: boolean }>;
};

/** Renditions of one publish read from the media cache and staged at once. */
const STAGING_PARALLELISM = 4;

/** One writer queue per web root and settings in this process, so concurrent deliveries commit together. */
const sites = new Map<string, PortalSite>();
/** One search indexer per site in this process. */
const searches = new Map<PortalSite, SiteSearch>();

export function createPortalAdapter(options: PortalAdapterOptions): PortalAdapter {
  if (!options.webRoot) throw new GovpubError('portal_config', 'The portal adapter needs webRoot: the directory the portal site is written to.');
  let base: URL;
  try {
    base = new URL(options.publicBaseUrl);
  } catch {
    throw new GovpubError(
      'portal_config',
      `The portal's publicBaseUrl "${options.publicBaseUrl}" is not an absolute URL: give e.g. https://www.example.gov.cn or http://127.0.0.1:8080/portal.`,
    );
  }
  const publicBaseUrl = base.toString().replace(/\/+$/, '');
  const identity = options.identity ?? unconfiguredIdentity(options.siteName ?? DEFAULT_SITE_NAME, base.hostname);
  const settings: SiteSettings = {
    siteName: identity.siteName,
    identity,
    structure: options.structure ?? EMPTY_STRUCTURE,
    publicBaseUrl,
    pageSize: options.pageSize ?? 20,
    feedSize: options.feedSize ?? 50,
    homeSize: options.homeSize ?? 20,
  };
  const tuning: SiteTuning = { ...DEFAULT_TUNING, ...options.tuning };
  const key = JSON.stringify([path.resolve(options.webRoot), settings, tuning]);
  let site = sites.get(key);
  if (!site) {
    site = new PortalSite(options.webRoot, settings, tuning);
    sites.set(key, site);
  }
  const portal = site;
  let search: SiteSearch | null = null;
  if (options.search) {
    search = searches.get(portal) ?? new SiteSearch(portal, options.search ?? {});
    searches.set(portal, search);
  }
  /** A commit that changed what the site shows reaches the search index shortly after. */
  const submit = async (change: Parameters<PortalSite['submit']>[0]) => {
    const outcome = await portal.submit(change);
    if (outcome.changed) search?.notify();
    return outcome;
  };

  const liveResult = (payload: Pick<PortalPayload, 'packageId' | 'interpretations' | 'column'>): TransmitResult => ({
    state: 'live',
    externalId: portalExternalId(payload.column.id, payload.packageId),
    publicUrl: columnPageUrl(publicBaseUrl, payload),
  });

  const stageAndSubmit = async (payload: PortalPayload, ctx: TransmitContext): Promise<TransmitResult> => {
    const media: Record<string, MediaFile> = {};
    // The package's other columns may be staging too: a commit waits for them (site.ts).
    const staged = portal.beginStaging(payload.packageId);
    try {
      // In parallel: one after another, each of a picture's renditions waited its turn on a busy event loop.
      const needs = renditionNeeds(payload);
      const files: MediaFile[] = [];
      await eachLimit(needs.keys(), STAGING_PARALLELISM, async (i) => {
        throwIfAborted(ctx);
        const need = needs[i]!;
        const rendition = await getRendition(ctx, need.mediaId, need.spec, need.purpose);
        files[i] = await portal.stage(rendition);
        ctx.heartbeat();
      });
      throwIfAborted(ctx);
      // In the payload's order, whichever finished first: the stored record does not depend on timing.
      needs.forEach((need, i) => (media[mediaKey(need.mediaId, need.spec)] = files[i]!));
    } finally {
      staged();
    }
    const source: PackageSource = { version: 1, payload, media };
    await submit({ kind: 'publish', columnId: payload.column.id, columnPath: payload.column.path, source });
    return liveResult(payload);
  };

  return {
    platform: PORTAL_PLATFORM,
    site: portal,
    search,

    async ensureSite() {
      const outcome = await portal.ensureSite();
      // The index's cache of unchanged shards is on disk: after a restart this is mostly reuse.
      search?.notify();
      return outcome;
    },

    async updateDocumentValidity(packageId, validity) {
      if (!isSafeSlug(packageId)) throw new DeliveryError('rejected', `"${packageId}" is not a package id the portal can hold.`);
      return submit({ kind: 'annotate', packageId, validity, at: new Date().toISOString() });
    },
    capabilities: {
      publishing: 'api',
      canDelete: true,
      limits: { ...PORTAL_LIMITS },
    },

    format(unit, channel) {
      return formatPortal(unit, channel, { columnName: options.columnName });
    },

    async transmit(payload, ctx) {
      checkPayload(payload);
      // Other processes' commits stop waiting for this column: it commits here (site.ts).
      const announced = await portal.announceTransmit(payload.packageId, payload.column.id);
      try {
        return await stageAndSubmit(payload, ctx);
      } finally {
        await announced();
      }
    },

    async reconcile(payload, _ctx) {
      checkPayload(payload);
      const record = await portal.readPackage(payload.packageId);
      const entry = record?.entry;
      if (!entry || !entry.columns.includes(payload.column.id) || entry.revision < payload.revision) return null;
      return liveResult(payload);
    },

    async takeDown(externalId, _ctx) {
      const parsed = parsePortalExternalId(externalId);
      if (!parsed) {
        throw new DeliveryError('rejected', `"${externalId}" is not a portal delivery id (<column id>/<package id>); check the delivery row's external id.`);
      }
      await submit({ kind: 'unpublish', columnId: parsed.columnId, packageId: parsed.packageId });
    },
  };
}

function checkPayload(payload: PortalPayload): void {
  if (payload?.version !== 1 || !payload.column?.id || !payload.packageId) {
    throw new DeliveryError('rejected', 'The portal payload snapshot is not in the version this adapter writes (version 1): format the package again.');
  }
}

function throwIfAborted(ctx: TransmitContext): void {
  if (ctx.signal?.aborted) throw new DeliveryError('retryable', 'Publishing to the portal was cancelled before the site was changed.');
}

/** Content problems of an original cannot be fixed by retrying; everything else can. */
const CONTENT_MEDIA_ERRORS = new Set([
  'media_wrong_kind',
  'media_corrupt',
  'media_empty',
  'media_unsupported',
  'media_too_large',
  'media_too_small',
  'media_too_long',
  'media_too_short',
  'media_cap_unreachable',
  'media_not_found',
]);

async function getRendition(ctx: TransmitContext, mediaId: string, spec: string, purpose: string): Promise<RenditionFile> {
  try {
    return await ctx.renditions.get(mediaId, spec);
  } catch (error) {
    if (isDeliveryError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof GovpubError && CONTENT_MEDIA_ERRORS.has(error.code)) {
      throw new DeliveryError('rejected', `The portal cannot use the ${purpose} (${spec}): ${message}`, {
        problems: [{ field: purpose, message, messageZh: error.messageZh }],
        cause: error,
      });
    }
    throw new DeliveryError('retryable', `Preparing the ${purpose} (${spec}) for the portal failed: ${message}`, { cause: error });
  }
}

/**
 * The page a delivery to a column leads to, as that column's list links it: in a 解读回应类 column
 * (文字解读, 政策解读, …) the first interpretation the list shows there, else the document's page.
 * An operator following the delivery's address from 文字解读 reads the 文字解读, not the policy.
 */
export function columnPageUrl(publicBaseUrl: string, payload: Pick<PortalPayload, 'packageId' | 'interpretations' | 'column'>): string {
  const urls = portalPageUrls(publicBaseUrl, payload.packageId, payload.interpretations.length);
  if (columnTypeOf(payload.column.path) !== COLUMN_TYPES.interpretation) return urls.document;
  const shown = interpretationsShownIn({ interpretations: payload.interpretations }, payload.column.path.at(-1) ?? null);
  return shown.length > 0 ? urls.interpretations[shown[0]!.index]! : urls.document;
}
