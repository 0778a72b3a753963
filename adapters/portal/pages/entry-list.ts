// The lists of packages that column pages, the home page and catalogue items show: title, cover thumbnail, interpretations, date.
import { createHash } from 'node:crypto';
import { chinaDate } from '../format.js';
import { portalPagePaths } from '../urls.js';
import type { ListEntry, SiteStructure } from './model.js';
import { columnNode } from './structure.js';
import { esc } from './text.js';

/** Where a column's list and a column page say there is nothing: the words inspectors look for. */
export const EMPTY_COLUMN_TEXT = '本栏目暂无信息';

/**
 * One package in a list; with `structure`, a column is named beside it (lists that mix columns): the
 * sub-column it is listed in on a parent column's page, else its home column.
 */
/** 已失效 / 已废止 for a document no longer in force; null while it is in force (lists and search results say it alike). */
export function endedValidityLabel(validity: { state: 'valid' | 'expired' | 'repealed' } | null | undefined): string | null {
  if (!validity || validity.state === 'valid') return null;
  return validity.state === 'expired' ? '已失效' : '已废止';
}

/** 已失效 / 已废止 after a document's title in a list (with its leading space); nothing while it is in force. */
export function endedValidityMark(validity: ListEntry['validity']): string {
  const label = endedValidityLabel(validity);
  return label ? ` <span class="validity-${validity!.state}">${label}</span>` : '';
}

export function listEntryHtml(entry: ListEntry, root: string, structure: SiteStructure | null = null): string {
  const thumb = entry.cover
    ? `<img class="thumb" src="${esc(root + entry.cover.file)}" alt="${esc(entry.cover.alt)}" width="160" height="90" loading="lazy" decoding="async"> `
    : '';
  const pages = portalPagePaths(entry.packageId, entry.interpretations?.length ?? 0).interpretations;
  const interpretations = (entry.interpretations ?? []).map((i, n) => `<a href="${esc(root + pages[n]!)}">${esc(i.formLabel)}</a>`).join(' ');
  const namedColumn = entry.listedIn ?? entry.homeColumnId;
  const column = structure && namedColumn ? columnNode(structure, namedColumn) : undefined;
  return (
    `<li class="entry">${thumb}<a class="entry-title" href="${esc(root + entry.path)}">${esc(entry.title)}</a>` +
    endedValidityMark(entry.validity) +
    `${interpretations ? ` <span class="entry-jd">解读：${interpretations}</span>` : ''}` +
    `${column ? ` <span class="entry-column">${esc(column.name)}</span>` : ''}` +
    ` <span class="entry-date">${chinaDate(entry.releasedAt)}</span></li>`
  );
}

/**
 * The interpretations a 解读回应类 column shows of a package, with their page numbers (0-based): those
 * whose form is the column's name (文字解读, 视频解读, 主要负责人解读), else all of them (政策解读,
 * 回应关切; null, no column: the catalogue's 政策文件解读). None for a package without
 * interpretations: such a column lists its document.
 */
export function interpretationsShownIn(
  entry: Pick<ListEntry, 'interpretations'>,
  columnName: string | null,
): { index: number; title: string; formLabel: string }[] {
  const all = (entry.interpretations ?? []).map((i, index) => ({ ...i, index }));
  const ofForm = columnName === null ? [] : all.filter((i) => i.formLabel === columnName);
  return ofForm.length > 0 ? ofForm : all;
}

/**
 * A package in a 解读回应类 column: each interpretation it shows there (interpretationsShownIn) as an
 * item of its own, its title leading to its page and its document named as 政策原文; a package
 * without interpretations as the usual entry.
 */
export function interpretationEntriesHtml(entry: ListEntry, root: string, columnName: string | null, structure: SiteStructure | null = null): string {
  const shown = interpretationsShownIn(entry, columnName);
  if (shown.length === 0) return listEntryHtml(entry, root, structure);
  const pages = portalPagePaths(entry.packageId, entry.interpretations?.length ?? 0).interpretations;
  const column = structure && entry.listedIn ? columnNode(structure, entry.listedIn) : undefined;
  return shown
    .map(
      (i) =>
        `<li class="entry entry-interpretation"><a class="entry-title" href="${esc(root + pages[i.index]!)}">${esc(i.title)}</a>` +
        ` <span class="entry-form">${esc(i.formLabel)}</span>` +
        // A reader of the interpretation learns here that the document it explains no longer applies.
        ` <span class="entry-source">政策原文：<a href="${esc(root + entry.path)}">${esc(entry.title)}</a>${endedValidityMark(entry.validity)}</span>` +
        `${column ? ` <span class="entry-column">${esc(column.name)}</span>` : ''}` +
        ` <span class="entry-date">${chinaDate(entry.releasedAt)}</span></li>`,
    )
    .join('\n');
}

/** The list of entry items, or a sentence saying there is nothing (already escaped HTML). */
export function entryList(items: string[], emptyHtml: string): string {
  return items.length > 0 ? `<ul class="article-list">\n${items.join('\n')}\n</ul>` : emptyHtml;
}

/**
 * Stable paging: a list's pages are numbered from the oldest entry, so a page's file never changes
 * when newer entries arrive. With `size` entries a page and n entries:
 *
 *   page k (k = 1 … archived)   the entries (k−1)·size … k·size−1 counted from the oldest, newest
 *                               first on the page; full, so written once (again only when an entry
 *                               older than its newest one is added or removed)
 *   the list's index.html       the newest entries, the ones no page holds: between min(n, size)
 *                               and 2·size−1 (the entries past the last full page plus that page,
 *                               which is archived when the next one fills)
 *
 * Publishing the newest entry therefore changes the index page alone, and every size-th publish
 * also writes the page that became archived and the one before it (its 上一页 now leads there).
 */
export interface StablePaging<T> {
  /** The index page's entries, newest first. */
  latest: T[];
  /** Archived pages, oldest first (`number` from 1); each page's entries newest first. */
  archived: { number: number; entries: T[] }[];
}

/** Archived pages a list of `count` entries has: every full page but the newest (which the index page shows). */
export function archivedPageCount(count: number, size: number): number {
  return Math.max(0, Math.floor(count / size) - 1);
}

export function stablePaging<T>(newestFirst: readonly T[], size: number): StablePaging<T> {
  const n = newestFirst.length;
  const archivedCount = archivedPageCount(n, size);
  const archived = Array.from({ length: archivedCount }, (_, i) => ({
    number: i + 1,
    entries: newestFirst.slice(n - (i + 1) * size, n - i * size),
  }));
  return { latest: newestFirst.slice(0, n - archivedCount * size), archived };
}

/**
 * What a stable page's markup depends on besides the site's settings and templates (which re-render
 * everything when they change): a key to compare with the previous version's, so an unchanged page
 * is kept rather than rendered and written again.
 */
export function stablePageKey(context: unknown, page: number, newestArchived: boolean, entries: readonly unknown[]): string {
  return createHash('sha256')
    .update(JSON.stringify([context, page, newestArchived, entries]))
    .digest('base64url')
    .slice(0, 22);
}

/**
 * The pager of a stably paged list. `page`: null for the index page (the newest entries), else the
 * archived page's number. 上一页 leads to newer entries (the next page up, or the index page from
 * the newest archived page), 下一页 to older ones; 最新 is the index page and 最早 page 1. Archived
 * pages show their own number only (a total would change with every new page); the index page
 * shows how many entries the list holds.
 */
export function stablePagerHtml(page: number | null, archived: number, total: number, href: (n: number | null) => string): string {
  if (archived === 0) return '';
  const link = (n: number | null, label: string, rel?: string) => `<a href="${esc(href(n))}"${rel ? ` rel="${rel}"` : ''}>${label}</a>`;
  const parts =
    page === null
      ? [
          `<span aria-current="page">最新</span>`,
          link(archived, '下一页', 'next'),
          link(1, '最早一页'),
          `<span class="note">共 ${total} 条；更早的信息按页存档，页码从最早一页起算</span>`,
        ]
      : [
          link(null, '最新'),
          link(page < archived ? page + 1 : null, '上一页', 'prev'),
          `<span aria-current="page">第 ${page} 页</span>`,
          page > 1 ? link(page - 1, '下一页', 'next') : '',
          page > 1 ? link(1, '最早一页') : '',
          `<span class="note">页码从最早一页起算</span>`,
        ];
  return `<nav class="pager" aria-label="分页">${parts.filter(Boolean).join(' ')}</nav>`;
}

/**
 * Pages an archived page of a stably paged list may keep from the list's previous version: given
 * the previous keys (by file), `keep(file, key)` says whether the file can stay as it is. Filled
 * with every archived page's key as it is rendered or kept (the next version's previous keys).
 */
export interface PageReuse {
  previous: Readonly<Record<string, string>>;
  keys: Record<string, string>;
}

/**
 * A stably paged list's pages (index page and archived pages) by site-root-relative path. `context`
 * is what `render` shows besides the entries (the column or item, its children): it goes into
 * each archived page's key. With `reuse`, an archived page whose key has not changed is left out
 * (the caller keeps the previous version's file) and not even rendered.
 */
export function renderStablePages<T>(p: {
  entries: readonly T[];
  size: number;
  paths: { directory: string; index: string; page(n: number): string };
  context: unknown;
  reuse?: PageReuse;
  render(page: { path: string; number: number | null; entries: T[]; pager: string }): string;
}): Map<string, string> {
  const out = new Map<string, string>();
  const paging = stablePaging(p.entries, p.size);
  const archived = paging.archived.length;
  const href = (n: number | null) => (n === null ? p.paths.index : p.paths.page(n)).slice(p.paths.directory.length + 1);
  out.set(
    p.paths.index,
    p.render({ path: p.paths.index, number: null, entries: paging.latest, pager: stablePagerHtml(null, archived, p.entries.length, href) }),
  );
  for (const page of paging.archived) {
    const file = p.paths.page(page.number);
    if (p.reuse) {
      const key = stablePageKey(p.context, page.number, page.number === archived, page.entries);
      p.reuse.keys[file] = key;
      if (p.reuse.previous[file] === key) continue;
    }
    out.set(file, p.render({ path: file, number: page.number, entries: page.entries, pager: stablePagerHtml(page.number, archived, p.entries.length, href) }));
  }
  return out;
}
