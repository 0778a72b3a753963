/**
 * The portal's site state and how changes apply to it. Pure: the generation builder (site.ts)
 * loads the pieces of state a batch of changes touches, applies the batch here, and writes and
 * renders what this says changed.
 *
 * The state is sharded so that a commit reads and writes only what it touches, never the whole
 * site (a year of content is ≈ 8,200 packages):
 *
 *   .govpub/site.json                 the root state (RootState): unit map, column summaries,
 *                                     bounded latest lists, sitemap month counts
 *   .govpub/sitemap/<YYYY-MM>.json    the packages released that month (sitemap parts)
 *   art/<b>/<id>/.package.json        a package's entry and source (PackageRecord)
 *   col/<id>/.state.json              a column's list (ListState)
 *   xxgk/<item>/.state.json           a disclosure catalogue item's list (ListState)
 *   media/<b>/.refs.json              which packages use each rendition of that bucket (MediaRefs)
 *
 * Each lives inside the generation (the root state) or inside the unit it describes, so pages and
 * state are swapped in together. Dot files are never served (serve.ts, the nginx config).
 */
import type { DocumentValidity, ListEntry } from './pages/model.js';
import { PORTAL_COVER_SPEC, type PortalPayload } from './payload.js';
import { articleBucket, portalPagePaths } from './urls.js';

/** Inside each generation, beside the pages it describes; dot files are never served. */
export const STATE_DIR = '.govpub';
export const ROOT_STATE_PATH = `${STATE_DIR}/site.json`;
/** Tiny file read by the cleanup of old generations (when each became current). */
export const GENERATION_INFO_PATH = `${STATE_DIR}/generation.json`;
export const PACKAGE_RECORD_FILE = '.package.json';
export const LIST_STATE_FILE = '.state.json';
export const MEDIA_REFS_FILE = '.refs.json';
/** col/<id>/.pages.json, xxgk/<id>/.pages.json: the key of each archived page (PageKeys), so unchanged pages are kept. */
export const PAGE_KEYS_FILE = '.pages.json';
export const STATE_VERSION = 2;

export function sitemapMonthStatePath(month: string): string {
  return `${STATE_DIR}/sitemap/${month}.json`;
}

/** A rendition copied into the site (`media/<b>/<sha256>.<ext>`). */
export interface MediaFile {
  /** Path relative to the site root. */
  file: string;
  mime: string;
  bytes: number;
  width?: number;
  height?: number;
  durationSec?: number;
}

/** Everything needed to render a package's pages again. */
export interface PackageSource {
  version: 1;
  payload: PortalPayload;
  /** By `${mediaId} ${spec}`. */
  media: Record<string, MediaFile>;
}

export function mediaKey(mediaId: string, spec: string): string {
  return `${mediaId} ${spec}`;
}

/** One package as lists show it: the page model's ListEntry plus what today's lists also show. */
export interface ListItem extends ListEntry {
  revision: number;
  interpretations: { title: string; formLabel: string }[];
  /** The column whose name lists mixing columns (home, site feed) show. */
  homeColumnId: string | null;
  catalogueId: string | null;
}

/** What the site knows of one package besides its source. */
export interface PackageState {
  revision: number;
  contentHash: string;
  /** Columns listing the package, home column first (breadcrumbs), in `ApplyOptions.orderColumns` order: never the order deliveries arrived in. */
  columns: string[];
  /** Files under media/ its pages use. */
  media: string[];
  item: ListItem;
}

/** art/<b>/<id>/.package.json */
export interface PackageRecord {
  version: 2;
  entry: PackageState;
  source: PackageSource;
}

/** An item of a sub-column as its ancestor columns show it: `listedIn` names the sub-column it is listed in. */
export interface SubtreeItem extends ListItem {
  listedIn: string;
}

/** col/<id>/.state.json and xxgk/<item>/.state.json: the list, by package id. */
export interface ListState {
  version: 2;
  entries: Record<string, ListItem>;
  /**
   * A column with sub-columns: the newest items listed anywhere below it, newest first, at most
   * `subtreeKeep` (its page and feed show them; a parent never holds its whole subtree). Shorter
   * than that only when the subtree holds no more, so a removal from a full list refills it from
   * the sub-columns' lists.
   */
  subtree?: SubtreeItem[];
}

/** A list unit's archived pages: file (site-root-relative) → the key its content was rendered from (pages/entry-list.ts). */
export interface PageKeys {
  version: 1;
  keys: Record<string, string>;
}

/** media/<b>/.refs.json: rendition file name → packages using it. */
export interface MediaRefs {
  version: 2;
  refs: Record<string, string[]>;
}

/** .govpub/sitemap/<YYYY-MM>.json: the packages released that month and their page counts. */
export interface SitemapMonth {
  version: 2;
  packages: Record<string, { interpretations: number; lastmod: string }>;
}

export interface ColumnSummary {
  path: string[];
  /** Packages listed in the column itself (a parent's sub-columns have their own counts). */
  count: number;
  /** Newest release date its page shows (freshness: a parent's includes its sub-columns'), null when it shows nothing. */
  lastUpdatedAt: string | null;
}

/** The summary of a column from its list: its own entries, and for a parent the newest of its subtree. */
export function columnSummaryFrom(path: string[], list: ListState): ColumnSummary {
  const own = listNewestFirst(list)[0]?.releasedAt ?? null;
  const below = list.subtree?.[0]?.releasedAt ?? null;
  return { path, count: Object.keys(list.entries).length, lastUpdatedAt: own === null || (below !== null && below > own) ? below : own };
}

/** `.govpub/site.json`: small, whatever the size of the site. */
export interface RootState {
  version: 2;
  generation: number;
  /** When this generation became current (cleanup grace periods; never rendered). */
  committedAt: string | null;
  /** Settings, renderer version and registry structure the pages were rendered with: a change re-renders everything. */
  renderKey: string;
  /** Unit ('art/3f', 'media/0a', 'col/zwgk', 'xxgk/item', 'pagefind') → its store directory (`art/3f.g42`). */
  units: Record<string, string>;
  columns: Record<string, ColumnSummary>;
  /** Catalogue items with documents: count. */
  catalogue: Record<string, number>;
  packageCount: number;
  /** Newest packages of the whole site, newest first (home page, site feed), at most `latestKeep`. */
  latest: ListItem[];
  /** Newest packages of each key area (重点领域), its sub-columns' included, newest first, at most `keyAreaKeep` (home page). */
  keyAreaLatest: Record<string, ListItem[]>;
  /** Page URLs per month of release (sitemap parts: one per month, split past 50,000). */
  sitemapMonths: Record<string, number>;
}

export type SiteChange =
  | { kind: 'publish'; columnId: string; columnPath: string[]; source: PackageSource }
  | { kind: 'unpublish'; columnId: string; packageId: string }
  /**
   * Metadata that changes no content (有效性): the package's pages and lists are rendered again.
   * `at`, when the change was made, becomes the pages' sitemap lastmod (crawlers fetch them again).
   */
  | { kind: 'annotate'; packageId: string; validity: DocumentValidity | null; at?: string };

export function emptyRootState(): RootState {
  return {
    version: STATE_VERSION,
    generation: 0,
    committedAt: null,
    renderKey: '',
    units: {},
    columns: {},
    catalogue: {},
    packageCount: 0,
    latest: [],
    keyAreaLatest: {},
    sitemapMonths: {},
  };
}

export function emptyList(): ListState {
  return { version: STATE_VERSION, entries: {} };
}

/** Unit keys. */
export const artUnit = (packageId: string) => `art/${articleBucket(packageId)}`;
export const colUnit = (columnId: string) => `col/${encodeURIComponent(columnId)}`;
export const xxgkUnit = (itemId: string) => `xxgk/${encodeURIComponent(itemId)}`;
export const mediaUnit = (file: string) => file.split('/').slice(0, 2).join('/');
export const SEARCH_UNIT = 'pagefind';

/** YYYY-MM of a release in China time (sitemap parts split by month of publication). */
export function releaseMonth(releasedAt: string): string {
  const t = Date.parse(releasedAt);
  if (!Number.isFinite(t)) return '0000-00';
  return new Date(t + 8 * 3_600_000).toISOString().slice(0, 7);
}

/** A month's page URLs: each package's document page and interpretation pages. */
export function monthUrlCount(month: SitemapMonth): number {
  let n = 0;
  for (const p of Object.values(month.packages)) n += 1 + p.interpretations;
  return n;
}

export function listItemFromSource(source: PackageSource, homeColumnId: string | null): ListItem {
  const p = source.payload;
  const cover = p.cover ? source.media[mediaKey(p.cover.mediaId, PORTAL_COVER_SPEC)] : undefined;
  return {
    packageId: p.packageId,
    title: p.document.title,
    summary: p.summary,
    releasedAt: p.releasedAt,
    path: portalPagePaths(p.packageId, 0).document,
    cover: cover && p.cover ? { file: cover.file, width: cover.width, height: cover.height, alt: p.cover.alt } : null,
    indexNumber: p.document.indexNumber ?? null,
    documentNumber: p.document.documentNumber ?? null,
    validity: p.document.validity ?? null,
    revision: p.revision,
    interpretations: p.interpretations.map((i) => ({ title: i.title, formLabel: i.formLabel })),
    homeColumnId,
    catalogueId: p.catalogueId || null,
  };
}

export function entryFromSource(source: PackageSource, columns: string[]): PackageState {
  return {
    revision: source.payload.revision,
    contentHash: source.payload.contentHash,
    columns,
    media: [...new Set(Object.values(source.media).map((m) => m.file))].sort(),
    item: listItemFromSource(source, columns[0] ?? null),
  };
}

/** Newest first (release date, then id for a stable order). */
export function compareNewestFirst(a: Pick<ListItem, 'releasedAt' | 'packageId'>, b: Pick<ListItem, 'releasedAt' | 'packageId'>): number {
  if (a.releasedAt !== b.releasedAt) return a.releasedAt < b.releasedAt ? 1 : -1;
  return a.packageId < b.packageId ? -1 : a.packageId > b.packageId ? 1 : 0;
}

export function listNewestFirst(list: ListState): ListItem[] {
  return Object.values(list.entries).sort(compareNewestFirst);
}

/** The state a batch of changes reads: the root and the units it touches (loaded by site.ts). */
export interface LoadedState {
  root: RootState;
  /** Package records by id (null: not on the site). */
  packages: Map<string, PackageRecord | null>;
  /** Column and catalogue lists by unit key (`col/<id>`, `xxgk/<id>`); a missing one is empty. */
  lists: Map<string, ListState>;
  media: Map<string, MediaRefs>;
  months: Map<string, SitemapMonth>;
}

/** A catalogue item of content class `interpretation` (政策文件解读): where packages are also listed for their interpretations. */
export interface InterpretationItem {
  id: string;
  /** Its 网站对应栏目. */
  portalColumnId: string;
}

/**
 * The interpretation item a package with interpretations is also listed under, besides its own
 * catalogue item: the one whose column is one of the package's columns (registry order), else the
 * registry's first. Null without interpretations, without such items, or when it is the package's own item.
 */
export function interpretationItemOf(
  item: Pick<ListItem, 'interpretations' | 'catalogueId'>,
  columns: readonly string[],
  items: readonly InterpretationItem[] = [],
): string | null {
  if (item.interpretations.length === 0 || items.length === 0) return null;
  const id = (items.find((i) => columns.includes(i.portalColumnId)) ?? items[0]!).id;
  return id === item.catalogueId ? null : id;
}

/** Package ids a batch names: their records are loaded first. */
export function packagesNamed(changes: SiteChange[]): Set<string> {
  return new Set(changes.map((c) => (c.kind === 'publish' ? c.source.payload.packageId : c.packageId)));
}

/**
 * Every other piece of state the batch may touch, given the records of the packages it names: the
 * lists of a package's columns and of their ancestors (whose pages show their subtree's newest),
 * and for a package with interpretations (before or after) the interpretation items it may be
 * listed under (interpretationItemOf, for its columns before and after the change).
 */
export function unitsNeeded(
  changes: SiteChange[],
  records: Map<string, PackageRecord | null>,
  ancestorsOf: ReadonlyMap<string, readonly string[]> = new Map(),
  interpretationItems: readonly InterpretationItem[] = [],
): { lists: Set<string>; media: Set<string>; months: Set<string> } {
  const lists = new Set<string>();
  const media = new Set<string>();
  const months = new Set<string>();
  const addRecord = (record: PackageRecord | null | undefined) => {
    if (!record) return;
    for (const c of record.entry.columns) lists.add(colUnit(c));
    if (record.entry.item.catalogueId) lists.add(xxgkUnit(record.entry.item.catalogueId));
    for (const f of record.entry.media) media.add(mediaUnit(f));
    months.add(releaseMonth(record.entry.item.releasedAt));
  };
  const addInterpretationItems = (record: PackageRecord | null | undefined, columnId: string | null, incoming: number) => {
    if (interpretationItems.length === 0 || (incoming === 0 && (record?.entry.item.interpretations.length ?? 0) === 0)) return;
    const columns = new Set([...(record?.entry.columns ?? []), ...(columnId === null ? [] : [columnId])]);
    lists.add(xxgkUnit(interpretationItems[0]!.id));
    for (const i of interpretationItems) if (columns.has(i.portalColumnId)) lists.add(xxgkUnit(i.id));
  };
  for (const change of changes) {
    addInterpretationItems(
      change.kind === 'publish' ? records.get(change.source.payload.packageId) : records.get(change.packageId),
      change.kind === 'annotate' ? null : change.columnId,
      change.kind === 'publish' ? change.source.payload.interpretations.length : 0,
    );
    if (change.kind === 'publish') {
      const p = change.source.payload;
      lists.add(colUnit(change.columnId));
      if (p.catalogueId) lists.add(xxgkUnit(p.catalogueId));
      for (const m of Object.values(change.source.media)) media.add(mediaUnit(m.file));
      months.add(releaseMonth(p.releasedAt));
      addRecord(records.get(p.packageId));
    } else {
      if (change.kind === 'unpublish') lists.add(colUnit(change.columnId));
      addRecord(records.get(change.packageId));
    }
  }
  for (const unit of [...lists]) {
    if (!unit.startsWith('col/')) continue;
    for (const ancestor of ancestorsOf.get(decodeURIComponent(unit.slice('col/'.length))) ?? []) lists.add(colUnit(ancestor));
  }
  return { lists, media, months };
}

export interface AppliedChanges {
  state: LoadedState;
  /** False when every change was already in place (an idempotent republish, a repeated take-down). */
  changed: boolean;
  /** Packages whose pages must be (re)written. */
  renderPackages: Set<string>;
  /** Packages no column lists any more: their pages go. */
  removedPackages: Set<string>;
  /** Lists (`col/<id>`, `xxgk/<id>`) whose pages and feed must be rewritten. */
  changedLists: Set<string>;
  changedMedia: Set<string>;
  changedMonths: Set<string>;
  /** The site-wide latest list fell short after removals: rebuild it from every column (rare). */
  refillLatest: boolean;
  /** Key areas whose latest list fell short after removals: rebuilt from their columns' lists. */
  refillKeyAreas: Set<string>;
  /** Parent columns whose subtree list fell short of `subtreeKeep` after removals: refilled from their sub-columns' lists. */
  refillSubtrees: Set<string>;
}

export interface ApplyOptions {
  /** Length of the site-wide latest list kept in the root state. */
  latestKeep: number;
  /** The key areas a column counts towards (itself and its ancestors that are key areas); none when absent. */
  keyAreasOf: ReadonlyMap<string, readonly string[]>;
  keyAreaKeep: number;
  /** A column's ancestors (parent first); none for a top-level column or one the registry does not hold. */
  ancestorsOf: ReadonlyMap<string, readonly string[]>;
  /** Length of a parent column's subtree list (`ListState.subtree`). */
  subtreeKeep: number;
  /**
   * A package's columns in page order, its home column first (pages/structure.ts columnsHomeFirst);
   * by id when absent.
   */
  orderColumns?(columns: readonly string[], knownPath: (columnId: string) => readonly string[] | undefined): string[];
  /**
   * A full render with every package and list loaded: every package's columns put in order (a
   * site written when arrival order decided the home column) and every parent's subtree list
   * rebuilt from the lists (a layout from before subtree lists, or a registry whose tree changed).
   */
  rebuild?: boolean;
  /**
   * The registry's catalogue items of content class `interpretation`, in registry order: a package
   * with interpretations is also listed under one of them (interpretationItemOf). None when absent.
   */
  interpretationItems?: readonly InterpretationItem[];
}

function removeFromList(list: ListItem[] | undefined, packageId: string): boolean {
  if (!list) return false;
  const at = list.findIndex((i) => i.packageId === packageId);
  if (at < 0) return false;
  list.splice(at, 1);
  return true;
}

function upsertLatest<T extends ListItem>(list: T[], item: T, keep: number): void {
  removeFromList(list, item.packageId);
  list.push(item);
  list.sort(compareNewestFirst);
  list.length = Math.min(list.length, keep);
}

/**
 * Applies changes in order to (a clone of) the loaded state. A publish of an older revision than
 * the one on the site (a late retry) lists the package without rolling its pages back; the same
 * revision with the same content is a no-op, so republishing is idempotent.
 */
export function applyChanges(loaded: LoadedState, changes: SiteChange[], options: ApplyOptions): AppliedChanges {
  const state: LoadedState = structuredClone(loaded);
  const { root } = state;
  const renderPackages = new Set<string>();
  const changedLists = new Set<string>();
  const changedMedia = new Set<string>();
  const changedMonths = new Set<string>();
  let changed = false;
  let refillLatest = false;

  const list = (unit: string): ListState => {
    let l = state.lists.get(unit);
    if (!l) state.lists.set(unit, (l = emptyList()));
    return l;
  };
  const summaryOf = (columnId: string, path: string[]): ColumnSummary => {
    let s = root.columns[columnId];
    if (!s) root.columns[columnId] = s = { path, count: 0, lastUpdatedAt: null };
    return s;
  };
  const refreshSummary = (columnId: string) => {
    const s = root.columns[columnId];
    if (s) root.columns[columnId] = columnSummaryFrom(s.path, list(colUnit(columnId)));
  };
  const keyAreasOf = (columnId: string) => options.keyAreasOf.get(columnId) ?? [];
  root.keyAreaLatest ??= {};
  const refillKeyAreas = new Set<string>();
  /** The key-area lists after the package's columns changed: shown where it still counts, gone elsewhere. */
  const spreadKeyAreas = (item: ListItem, columns: readonly string[], previousColumns: readonly string[]) => {
    const now = new Set(columns.flatMap(keyAreasOf));
    for (const area of now) {
      const list = (root.keyAreaLatest[area] ??= []);
      const last = list[list.length - 1];
      const shown = list.some((i) => i.packageId === item.packageId);
      if (shown || list.length < options.keyAreaKeep || !last || compareNewestFirst(item, last) < 0) upsertLatest(list, item, options.keyAreaKeep);
    }
    for (const area of previousColumns.flatMap(keyAreasOf)) {
      if (now.has(area)) continue;
      if (removeFromList(root.keyAreaLatest[area], item.packageId)) refillKeyAreas.add(area);
    }
  };
  const orderColumns = options.orderColumns ?? ((columns: readonly string[]) => [...columns].sort());
  /** The package's columns in page order and its items naming the first as home column; false when both were so already. */
  const putInOrder = (entry: PackageState, columns: readonly string[]): boolean => {
    const ordered = orderColumns(columns, (id) => root.columns[id]?.path);
    const home = ordered[0] ?? null;
    if (ordered.join('\n') === entry.columns.join('\n') && entry.item.homeColumnId === home) return false;
    entry.columns = ordered;
    if (entry.item.homeColumnId !== home) entry.item = { ...entry.item, homeColumnId: home };
    return true;
  };
  const ancestorsOf = (columnId: string) => options.ancestorsOf.get(columnId) ?? [];
  const refillSubtrees = new Set<string>();
  /** The ancestors' subtree lists after the package's columns changed: shown under each ancestor of a column listing it, gone elsewhere. */
  const spreadSubtrees = (item: ListItem, columns: readonly string[], previousColumns: readonly string[]) => {
    const listedIn = new Map<string, string>();
    for (const c of columns) for (const ancestor of ancestorsOf(c)) if (!listedIn.has(ancestor)) listedIn.set(ancestor, c);
    for (const [ancestor, column] of listedIn) {
      const subtree = (list(colUnit(ancestor)).subtree ??= []);
      const last = subtree[subtree.length - 1];
      const shown = subtree.some((i) => i.packageId === item.packageId);
      if (!shown && subtree.length >= options.subtreeKeep && last && compareNewestFirst(item, last) > 0) continue;
      upsertLatest(subtree, { ...item, listedIn: column }, options.subtreeKeep);
      changedLists.add(colUnit(ancestor));
      ensureSummary(ancestor);
    }
    for (const ancestor of new Set(previousColumns.flatMap(ancestorsOf))) {
      if (listedIn.has(ancestor)) continue;
      const subtree = state.lists.get(colUnit(ancestor))?.subtree;
      const wasFull = (subtree?.length ?? 0) >= options.subtreeKeep;
      if (!removeFromList(subtree, item.packageId)) continue;
      // A full list may have left out older items of the subtree: refilled from the sub-columns.
      if (wasFull) refillSubtrees.add(ancestor);
      changedLists.add(colUnit(ancestor));
      ensureSummary(ancestor);
    }
  };
  /** A parent column has a summary (its freshness) even when nothing is listed in it directly. */
  const ensureSummary = (columnId: string) => {
    root.columns[columnId] ??= { path: [], count: 0, lastUpdatedAt: null };
    refreshSummary(columnId);
  };
  const setMediaRefs = (packageId: string, before: string[], after: string[]) => {
    const removed = before.filter((f) => !after.includes(f));
    const added = after.filter((f) => !before.includes(f));
    for (const file of removed) {
      const refs = state.media.get(mediaUnit(file));
      const name = file.split('/').pop()!;
      if (!refs?.refs[name]) continue;
      refs.refs[name] = refs.refs[name].filter((id) => id !== packageId);
      if (refs.refs[name].length === 0) delete refs.refs[name];
      changedMedia.add(mediaUnit(file));
    }
    for (const file of added) {
      const unit = mediaUnit(file);
      let refs = state.media.get(unit);
      if (!refs) state.media.set(unit, (refs = { version: STATE_VERSION, refs: {} }));
      const name = file.split('/').pop()!;
      refs.refs[name] = [...new Set([...(refs.refs[name] ?? []), packageId])];
      changedMedia.add(unit);
    }
  };
  const setMonth = (packageId: string, before: ListItem | null, after: ListItem | null, interpretations: number) => {
    if (before) {
      const month = releaseMonth(before.releasedAt);
      const m = state.months.get(month);
      if (m?.packages[packageId]) {
        delete m.packages[packageId];
        root.sitemapMonths[month] = monthUrlCount(m);
        if (root.sitemapMonths[month] === 0) delete root.sitemapMonths[month];
        changedMonths.add(month);
      }
    }
    if (after) {
      const month = releaseMonth(after.releasedAt);
      let m = state.months.get(month);
      if (!m) state.months.set(month, (m = { version: STATE_VERSION, packages: {} }));
      m.packages[packageId] = { interpretations, lastmod: after.releasedAt };
      root.sitemapMonths[month] = monthUrlCount(m);
      changedMonths.add(month);
    }
  };
  /** The pages changed without a new release (有效性): their sitemap lastmod moves, the month part is written again. */
  const touchMonth = (packageId: string, item: ListItem, at: string) => {
    const month = releaseMonth(item.releasedAt);
    const entry = state.months.get(month)?.packages[packageId];
    if (!entry || entry.lastmod >= at) return;
    entry.lastmod = at;
    changedMonths.add(month);
  };
  const interpretationItem = (item: ListItem, columns: readonly string[]) => interpretationItemOf(item, columns, options.interpretationItems);
  const addToCatalogue = (itemId: string, item: ListItem) => {
    const unit = xxgkUnit(itemId);
    list(unit).entries[item.packageId] = item;
    root.catalogue[itemId] = Object.keys(list(unit).entries).length;
    changedLists.add(unit);
  };
  /**
   * Puts the package's list item everywhere it is shown (its columns, its catalogue item and, with
   * interpretations, an interpretation item, the latest lists). `previousColumns`: its columns
   * before the change (the interpretation item and key areas it leaves).
   */
  const spreadItem = (entry: PackageState, previous: ListItem | null, previousColumns: readonly string[] = entry.columns) => {
    const item = entry.item;
    spreadKeyAreas(item, entry.columns, previousColumns);
    spreadSubtrees(item, entry.columns, previousColumns);
    for (const c of entry.columns) {
      const unit = colUnit(c);
      list(unit).entries[item.packageId] = item;
      changedLists.add(unit);
      refreshSummary(c);
    }
    if (previous?.catalogueId && previous.catalogueId !== item.catalogueId) dropFromCatalogue(previous.catalogueId, item.packageId);
    if (item.catalogueId) addToCatalogue(item.catalogueId, item);
    const before = previous ? interpretationItem(previous, previousColumns) : null;
    const now = interpretationItem(item, entry.columns);
    if (before && before !== now && before !== item.catalogueId) dropFromCatalogue(before, item.packageId);
    if (now) addToCatalogue(now, item);
    const inLatest = root.latest.some((i) => i.packageId === item.packageId);
    const last = root.latest[root.latest.length - 1];
    if (inLatest || root.latest.length < options.latestKeep || !last || compareNewestFirst(item, last) < 0) {
      upsertLatest(root.latest, item, options.latestKeep);
    }
  };
  const dropFromCatalogue = (itemId: string, packageId: string) => {
    const unit = xxgkUnit(itemId);
    const l = list(unit);
    if (!l.entries[packageId]) return;
    delete l.entries[packageId];
    root.catalogue[itemId] = Object.keys(l.entries).length;
    if (root.catalogue[itemId] === 0) delete root.catalogue[itemId];
    changedLists.add(unit);
  };

  for (const change of changes) {
    if (change.kind === 'publish') {
      const incoming = change.source.payload;
      const packageId = incoming.packageId;
      const columnUnit = colUnit(change.columnId);
      const summary = root.columns[change.columnId];
      if (!summary) {
        summaryOf(change.columnId, change.columnPath);
        changedLists.add(columnUnit);
        changed = true;
      } else if (change.columnPath.length > 0 && summary.path.join('>') !== change.columnPath.join('>')) {
        // Renamed in the registry: the column's pages show the new name (article breadcrumbs follow on their next render).
        summary.path = change.columnPath;
        changedLists.add(columnUnit);
        changed = true;
      }
      let record = state.packages.get(packageId) ?? null;
      const replacesContent =
        !record ||
        incoming.revision > record.entry.revision ||
        (incoming.revision === record.entry.revision && incoming.contentHash !== record.entry.contentHash);
      if (replacesContent) {
        const entry = entryFromSource(change.source, record?.entry.columns ?? []);
        if (!record) root.packageCount += 1;
        setMediaRefs(packageId, record?.entry.media ?? [], entry.media);
        setMonth(packageId, record?.entry.item ?? null, entry.item, incoming.interpretations.length);
        const previous = record?.entry.item ?? null;
        record = { version: STATE_VERSION, entry, source: change.source };
        state.packages.set(packageId, record);
        spreadItem(entry, previous);
        renderPackages.add(packageId);
        changed = true;
      }
      const entry = record!.entry;
      if (!entry.columns.includes(change.columnId)) {
        const previous = entry.item;
        const previousColumns = entry.columns;
        putInOrder(entry, [...entry.columns, change.columnId]);
        spreadItem(entry, previous, previousColumns);
        // The page lists its columns (所属栏目).
        renderPackages.add(packageId);
        changed = true;
      }
    } else if (change.kind === 'unpublish') {
      const record = state.packages.get(change.packageId) ?? null;
      const columnList = state.lists.get(colUnit(change.columnId));
      if (!record || !record.entry.columns.includes(change.columnId)) {
        // Not listed there (any more); a list left holding it by an interrupted past is cleaned too.
        if (columnList?.entries[change.packageId]) {
          delete columnList.entries[change.packageId];
          changedLists.add(colUnit(change.columnId));
          refreshSummary(change.columnId);
          changed = true;
        }
        continue;
      }
      const entry = record.entry;
      const previousColumns = entry.columns;
      const previous = entry.item;
      putInOrder(
        entry,
        entry.columns.filter((id) => id !== change.columnId),
      );
      delete list(colUnit(change.columnId)).entries[change.packageId];
      changedLists.add(colUnit(change.columnId));
      refreshSummary(change.columnId);
      changed = true;
      if (entry.columns.length === 0) {
        state.packages.set(change.packageId, null);
        root.packageCount -= 1;
        setMediaRefs(change.packageId, entry.media, []);
        setMonth(change.packageId, entry.item, null, 0);
        if (entry.item.catalogueId) dropFromCatalogue(entry.item.catalogueId, change.packageId);
        const interpreted = interpretationItem(entry.item, previousColumns);
        if (interpreted) dropFromCatalogue(interpreted, change.packageId);
        if (removeFromList(root.latest, change.packageId) && root.latest.length < Math.min(options.latestKeep, root.packageCount)) refillLatest = true;
        spreadKeyAreas(entry.item, [], previousColumns);
        spreadSubtrees(entry.item, [], previousColumns);
        renderPackages.delete(change.packageId);
      } else {
        spreadItem(entry, previous, previousColumns);
        renderPackages.add(change.packageId);
      }
    } else {
      const record = state.packages.get(change.packageId) ?? null;
      if (!record) continue;
      const before = record.source.payload.document.validity ?? null;
      if (JSON.stringify(before) === JSON.stringify(change.validity)) continue;
      record.source = {
        ...record.source,
        payload: { ...record.source.payload, document: { ...record.source.payload.document, validity: change.validity } },
      };
      const previous = record.entry.item;
      record.entry.item = { ...previous, validity: change.validity };
      spreadItem(record.entry, previous);
      if (change.at) touchMonth(change.packageId, record.entry.item, change.at);
      renderPackages.add(change.packageId);
      changed = true;
    }
  }

  if (options.rebuild) {
    for (const [id, record] of state.packages) {
      if (!record) continue;
      const previous = record.entry.item;
      if (!putInOrder(record.entry, record.entry.columns)) continue;
      spreadItem(record.entry, previous);
      renderPackages.add(id);
      changed = true;
    }
    // The interpretation items' lists from the packages (a site from before them, a registry whose items changed).
    for (const { id: itemId } of options.interpretationItems ?? []) {
      for (const id of Object.keys(state.lists.get(xxgkUnit(itemId))?.entries ?? {})) {
        const record = state.packages.get(id);
        if (!record || (record.entry.item.catalogueId !== itemId && interpretationItem(record.entry.item, record.entry.columns) !== itemId)) {
          dropFromCatalogue(itemId, id);
          changed = true;
        }
      }
    }
    for (const record of state.packages.values()) {
      if (!record) continue;
      const itemId = interpretationItem(record.entry.item, record.entry.columns);
      if (!itemId || list(xxgkUnit(itemId)).entries[record.entry.item.packageId]) continue;
      addToCatalogue(itemId, record.entry.item);
      changed = true;
    }
    for (const [ancestor, subtree] of subtreesFromLists(state, options)) {
      list(colUnit(ancestor)).subtree = subtree;
      changedLists.add(colUnit(ancestor));
      ensureSummary(ancestor);
    }
    refillSubtrees.clear();
  }

  const removedPackages = new Set<string>();
  for (const [id, record] of state.packages) if (!record && loaded.packages.get(id)) removedPackages.add(id);
  for (const id of removedPackages) renderPackages.delete(id);
  return { state, changed, renderPackages, removedPackages, changedLists, changedMedia, changedMonths, refillLatest, refillKeyAreas, refillSubtrees };
}

/**
 * Each parent column's subtree list from the column lists in `state` (every list, for a rebuild;
 * a parent's sub-columns' lists, for a refill): the newest `subtreeKeep` items listed below it,
 * packages no longer on the site left out. Parents with nothing below them get an empty list.
 */
export function subtreesFromLists(
  state: Pick<LoadedState, 'lists' | 'packages'>,
  options: Pick<ApplyOptions, 'ancestorsOf' | 'subtreeKeep'>,
  only?: ReadonlySet<string>,
): Map<string, SubtreeItem[]> {
  const byAncestor = new Map<string, Map<string, SubtreeItem>>();
  for (const ancestors of options.ancestorsOf.values()) {
    for (const ancestor of ancestors) if (!only || only.has(ancestor)) byAncestor.set(ancestor, new Map());
  }
  for (const [unit, list] of state.lists) {
    if (!unit.startsWith('col/')) continue;
    const columnId = decodeURIComponent(unit.slice('col/'.length));
    for (const ancestor of options.ancestorsOf.get(columnId) ?? []) {
      const items = byAncestor.get(ancestor);
      if (!items) continue;
      for (const item of Object.values(list.entries)) {
        if (state.packages.get(item.packageId) === null) continue;
        // Listed in several sub-columns: named by one, the same whatever order the lists were read in.
        const named = items.get(item.packageId)?.listedIn;
        if (named === undefined || columnId < named) items.set(item.packageId, { ...item, listedIn: columnId });
      }
    }
  }
  return new Map([...byAncestor].map(([ancestor, items]) => [ancestor, [...items.values()].sort(compareNewestFirst).slice(0, options.subtreeKeep)]));
}

/*
 * Version 1 (one manifest per site, `.govpub/manifest.json`): what older web roots hold. The first
 * commit of this version reads it once and publishes every package again into the new layout
 * (site.ts readLegacySite).
 */
export const LEGACY_MANIFEST_PATH = `${STATE_DIR}/manifest.json`;
export function legacyPackageSourcePath(packageId: string): string {
  return `${STATE_DIR}/packages/${packageId}.json`;
}

/** What a version 1 manifest says of the site (the parts the migration reads). */
export interface LegacyManifest {
  version: 1;
  columns: Record<string, { path: string[]; packages: string[] }>;
  packages: Record<string, { columns: string[] }>;
}
