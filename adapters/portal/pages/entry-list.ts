// The list of packages that column index pages and the home page show: title, cover thumbnail, interpretations, date.
import { chinaDate } from '../format.js';
import type { PackageEntry } from '../state.js';
import { portalPagePaths } from '../urls.js';
import { esc } from './text.js';

/** One package in a list; `columnLabel` names its column where the list mixes columns (home). */
export function entryItem(packageId: string, entry: PackageEntry, root: string, columnLabel: string | null): string {
  const paths = portalPagePaths(packageId, entry.interpretations.length);
  const thumb = entry.cover
    ? `<img class="thumb" src="${esc(root + entry.cover.file)}" alt="${esc(entry.cover.alt)}" width="160" height="90" loading="lazy" decoding="async"> `
    : '';
  const interpretations = entry.interpretations.map((i, n) => `<a href="${root}${paths.interpretations[n]}">${esc(i.formLabel)}</a>`).join(' ');
  return (
    `<li class="entry">${thumb}<a class="entry-title" href="${root}${paths.document}">${esc(entry.title)}</a>` +
    `${interpretations ? ` <span class="entry-jd">解读：${interpretations}</span>` : ''}` +
    `${columnLabel ? ` <span class="entry-column">${esc(columnLabel)}</span>` : ''}` +
    ` <span class="entry-date">${chinaDate(entry.releasedAt)}</span></li>`
  );
}

/** The list of entry items, or a sentence saying there is nothing (already escaped HTML). */
export function entryList(items: string[], emptyHtml: string): string {
  return items.length > 0 ? `<ul class="article-list">\n${items.join('\n')}\n</ul>` : emptyHtml;
}
