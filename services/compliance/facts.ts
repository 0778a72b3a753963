/**
 * The facts the compliance checks read (domain/compliance/facts.ts), gathered in a few set-based
 * queries whatever the size of the year: the deliveries live per channel (retracted and taken-down ones
 * left out), the package revisions for 三同步 timing and Art. 26 disclosure, the portal's manifest when a
 * web root is configured (what the site really shows), the platforms' own post lists (through an
 * injected source) and the site probes of the window.
 */
import type { Kysely } from 'kysely';
import { DEFAULT_TUNING, readRootState } from '../../adapters/portal/site.js';
import { Generations } from '../../adapters/portal/generations.js';
import type { RootState } from '../../adapters/portal/state.js';
import { selectExternalReleases, selectLiveByChannel, selectProbes, selectRevisionTiming, type RevisionTimingRow } from '../../db/compliance.js';
import type { DB } from '../../db/schema.js';
import type { AccountFacts, ColumnFacts, ComplianceFacts, DisclosureFacts, FactSource, InterpretationTimingFacts } from '../../domain/compliance/facts.js';
import type { ComplianceThresholds } from '../../domain/compliance/thresholds.js';
import { catalogueItem, listChannels, parentColumnIds, type Channel, type Registry } from '../../domain/registry.js';
import { channelUnit, unitByName } from '../../domain/units.js';
import { chinaDate, isValidDate } from '../../domain/working-days.js';

/**
 * The newest post of each account as the platform itself lists it (posts made outside govpub count
 * too). Implemented over the platforms' list APIs where they have them (the surface helper's
 * adapters); accounts the platform cannot list are simply absent from the map.
 */
export interface PlatformPostsSource {
  /** Channel id → the newest post the platform lists; `unavailable`: channel id → why its list could not be read. */
  latestPosts(channels: Channel[]): Promise<Map<string, { at: string; source: 'platform' }> & { unavailable?: ReadonlyMap<string, string> }>;
  /** Whether this channel's platform list is asked at all (absent: every channel's is). */
  canList?(channel: Channel): boolean;
}

/** The portal's current manifest (adapters/portal): column counts and freshness, the home page's latest list. */
export interface PortalManifestSource {
  readRoot(): Promise<RootState>;
}

/** Reads the manifest of the current generation under a web root, as the portal adapter wrote it. */
export function portalManifestAt(webRoot: string): PortalManifestSource {
  const generations = new Generations(webRoot, DEFAULT_TUNING);
  return { readRoot: () => generations.withCurrent(async (dir) => (dir ? readRootState(dir) : null)).then((root) => root ?? emptyRoot()) };
}

function emptyRoot(): RootState {
  return { columns: {}, latest: [] } as unknown as RootState;
}

export interface FactsOptions {
  now: Date;
  thresholds: ComplianceThresholds;
  platformPosts?: PlatformPostsSource;
  portal?: PortalManifestSource | null;
}

const DAY_MS = 86_400_000;

function newer(a: string | null, b: string | null): boolean {
  return b === null || (a !== null && Date.parse(a) > Date.parse(b));
}

/** Reads every fact a daily pass needs; the phases' durations go into `timings` (ms). */
export async function gatherFacts(db: Kysely<DB>, registry: Registry, options: FactsOptions, timings: Record<string, number> = {}): Promise<ComplianceFacts> {
  const { now, thresholds } = options;
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      timings[name] = Math.round(performance.now() - start);
    }
  };
  const channels = listChannels(registry);
  const accountsOf = channels.filter((c) => c.kind === 'new_media_account');
  const windowFrom = new Date(now.getTime() - thresholds.site.probeWindowDays * DAY_MS);
  const since = new Date(now.getTime() - thresholds.timing.lookbackDays * DAY_MS);

  const [live, platform, root, probes, revisions, external] = await Promise.all([
    timed('facts.deliveries', () => selectLiveByChannel(db)),
    timed('facts.platforms', async () =>
      options.platformPosts ? options.platformPosts.latestPosts(accountsOf) : (new Map() as Awaited<ReturnType<PlatformPostsSource['latestPosts']>>),
    ),
    timed('facts.portal', async () => (options.portal ? options.portal.readRoot() : null)),
    timed('facts.probes', () => selectProbes(db, windowFrom, now)),
    timed('facts.revisions', () => selectRevisionTiming(db, since)),
    timed('facts.external', () => selectExternalReleases(db, since)),
  ]);
  const liveBy = new Map(live.map((r) => [r.channel_id, r]));

  const accounts: AccountFacts[] = accountsOf.map((channel) => {
    const ours = liveBy.get(channel.id)?.last_live_at.toISOString() ?? null;
    const theirs = platform.get(channel.id)?.at ?? null;
    const platformNewer = theirs !== null && newer(theirs, ours);
    const lastPostAt = platformNewer ? new Date(theirs).toISOString() : ours;
    const source: FactSource | null = lastPostAt === null ? null : platformNewer ? 'platform' : 'govpub';
    const listUnavailable = platform.unavailable?.get(channel.id);
    const listable = options.platformPosts !== undefined && (options.platformPosts.canList?.(channel) ?? true);
    return {
      channelId: channel.id,
      name: channel.name,
      ownerUnit: channelUnit(registry, channel)?.id ?? null,
      lastPostAt,
      source,
      ...(listUnavailable ? { platformListUnavailable: listUnavailable } : {}),
      ...(listable ? {} : { platformListable: false }),
    };
  });

  const parents = parentColumnIds(registry.portal.columns);
  const columns: ColumnFacts[] = registry.portal.columns.map((column) => {
    const channelId = `portal:${column.id}`;
    const fromSite = root?.columns[column.id];
    const fromDb = liveBy.get(channelId);
    const channel = channels.find((c) => c.id === channelId);
    return {
      channelId,
      columnId: column.id,
      name: column.path.join(' > '),
      updateClass: column.updateClass,
      leaf: !parents.has(column.id),
      depth: column.path.length,
      ownerUnit: (channel && channelUnit(registry, channel)?.id) ?? null,
      count: root ? (fromSite?.count ?? 0) : (fromDb?.packages ?? 0),
      lastUpdatedAt: root ? (fromSite?.lastUpdatedAt ?? null) : (fromDb?.last_live_at.toISOString() ?? null),
      source: root ? 'portal' : 'govpub',
    };
  });

  let homeLastUpdatedAt: string | null = null;
  if (root) homeLastUpdatedAt = root.latest[0]?.releasedAt ?? null;
  else
    for (const r of live)
      if (r.channel_id.startsWith('portal:') && newer(r.last_live_at.toISOString(), homeLastUpdatedAt)) homeLastUpdatedAt = r.last_live_at.toISOString();

  const { interpretations, disclosures } = timingFacts(registry, revisions);
  for (const e of external) {
    interpretations.push({
      subjectId: `external:${e.id}`,
      subjectType: 'external',
      title: e.title,
      ownerUnit: e.owner_unit,
      documentLiveAt: new Date(e.document_live_at).toISOString(),
      interpretationLiveAt: e.interpretation_live_at ? new Date(e.interpretation_live_at).toISOString() : null,
      // Published outside govpub: document and interpretation were not released as one unit.
      addedLater: true,
      requiresInterpretation: true,
      retracted: false,
    });
  }

  return {
    accounts,
    columns,
    site: {
      homeLastUpdatedAt,
      homeSource: root ? 'portal' : 'govpub',
      probes: probes.map((p) => ({ at: new Date(p.at).toISOString(), ok: p.ok, durationMs: p.duration_ms })),
      probeWindow: { from: windowFrom.toISOString(), to: now.toISOString() },
    },
    interpretations,
    disclosures,
  };
}

/** Groups the revision rows per package into the timing facts (see domain/compliance/timing.ts). */
export function timingFacts(
  registry: Registry,
  rows: readonly RevisionTimingRow[],
): { interpretations: InterpretationTimingFacts[]; disclosures: DisclosureFacts[] } {
  const byPackage = new Map<string, RevisionTimingRow[]>();
  for (const row of rows) {
    const list = byPackage.get(row.package_id);
    if (list) list.push(row);
    else byPackage.set(row.package_id, [row]);
  }
  const interpretations: InterpretationTimingFacts[] = [];
  const disclosures: DisclosureFacts[] = [];
  for (const [packageId, revisions] of byPackage) {
    const head = revisions[0]!;
    const item = catalogueItem(registry, head.catalogue_item_id);
    const ownerUnit = head.unit ?? (item ? (unitByName(registry, item.responsibleDepartment)?.id ?? null) : null);
    const live = revisions.filter((r) => r.first_live_at !== null).sort((a, b) => a.first_live_at!.getTime() - b.first_live_at!.getTime());
    const firstDoc = live.find((r) => r.has_document);
    if (firstDoc) {
      const atRelease = firstDoc.interpretations;
      const addedBy = atRelease > 0 ? firstDoc : live.find((r) => r.first_live_at! > firstDoc.first_live_at! && r.interpretations > atRelease);
      interpretations.push({
        subjectId: packageId,
        subjectType: 'package',
        title: head.title,
        ownerUnit,
        documentLiveAt: firstDoc.first_live_at!.toISOString(),
        interpretationLiveAt: addedBy ? addedBy.first_live_at!.toISOString() : null,
        addedLater: addedBy !== undefined && addedBy !== firstDoc,
        requiresInterpretation: item?.requiresInterpretation ?? false,
        retracted: head.status === 'retracted' || head.status === 'retracting',
      });
    }
    if (item?.attribute !== 'proactive') continue;
    // The 成文日期 as now published (a later revision may correct a mistyped one, as the finding asks),
    // judged against the first release; a package never live: its current revision.
    const decisive = live.at(-1) ?? revisions.find((r) => r.revision === r.current_revision);
    const formed = decisive?.formed_at;
    if (!decisive || !decisive.has_document || !formed) continue;
    let formedAt: string;
    try {
      formedAt = chinaDate(formed.length > 10 ? formed : formed.slice(0, 10));
    } catch {
      continue;
    }
    if (!isValidDate(formedAt)) continue;
    disclosures.push({
      packageId,
      title: head.title,
      catalogueItemId: head.catalogue_item_id,
      ownerUnit,
      formedAt,
      firstLiveAt: live[0]?.first_live_at?.toISOString() ?? null,
      status: head.status,
    });
  }
  return { interpretations, disclosures };
}
