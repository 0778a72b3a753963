// The lists of packages that column pages, the home page and catalogue items show: title, cover thumbnail, interpretations, date.
import { chinaDate } from '../format.js';
import { portalPagePaths } from '../urls.js';
import type { ListEntry, SiteStructure } from './model.js';
import { columnNode } from './structure.js';
import { esc } from './text.js';

/** Where a column's list and a column page say there is nothing: the words inspectors look for. */
export const EMPTY_COLUMN_TEXT = '本栏目暂无信息';

/** One package in a list; with `structure`, its home column is named (lists that mix columns). */
export function listEntryHtml(entry: ListEntry, root: string, structure: SiteStructure | null = null): string {
  const thumb = entry.cover
    ? `<img class="thumb" src="${esc(root + entry.cover.file)}" alt="${esc(entry.cover.alt)}" width="160" height="90" loading="lazy" decoding="async"> `
    : '';
  const pages = portalPagePaths(entry.packageId, entry.interpretations?.length ?? 0).interpretations;
  const interpretations = (entry.interpretations ?? []).map((i, n) => `<a href="${esc(root + pages[n]!)}">${esc(i.formLabel)}</a>`).join(' ');
  const column = structure && entry.homeColumnId ? columnNode(structure, entry.homeColumnId) : undefined;
  return (
    `<li class="entry">${thumb}<a class="entry-title" href="${esc(root + entry.path)}">${esc(entry.title)}</a>` +
    `${entry.validity && entry.validity.state !== 'valid' ? ` <span class="validity-${entry.validity.state}">${entry.validity.state === 'expired' ? '已失效' : '已废止'}</span>` : ''}` +
    `${interpretations ? ` <span class="entry-jd">解读：${interpretations}</span>` : ''}` +
    `${column ? ` <span class="entry-column">${esc(column.name)}</span>` : ''}` +
    ` <span class="entry-date">${chinaDate(entry.releasedAt)}</span></li>`
  );
}

/** The list of entry items, or a sentence saying there is nothing (already escaped HTML). */
export function entryList(items: string[], emptyHtml: string): string {
  return items.length > 0 ? `<ul class="article-list">\n${items.join('\n')}\n</ul>` : emptyHtml;
}

/** A pager over pages 1…count: 首页, 上一页, 第 n/count 页, 下一页, 尾页; nothing for one page. */
export function pagerHtml(page: number, count: number, href: (n: number) => string): string {
  if (count <= 1) return '';
  const link = (n: number, label: string, rel?: string) => `<a href="${esc(href(n))}"${rel ? ` rel="${rel}"` : ''}>${label}</a>`;
  const parts = [
    page > 1 ? link(1, '首页') : '',
    page > 1 ? link(page - 1, '上一页', 'prev') : '',
    `<span aria-current="page">第 ${page}/${count} 页</span>`,
    page < count ? link(page + 1, '下一页', 'next') : '',
    page < count ? link(count, '尾页') : '',
  ];
  return `<nav class="pager" aria-label="分页">${parts.filter(Boolean).join(' ')}</nav>`;
}
