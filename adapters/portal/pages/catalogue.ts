/**
 * 政府信息公开目录: xxgk/index.html lists the disclosure catalogue's categories and items with the
 * number of documents published under each; xxgk/<itemId>/index.html (archived page_1.html, …) shows an
 * item's 13 elements and the documents published under it, newest first, paged. An item of content
 * class `interpretation` (政策文件解读) lists the interpretations of the packages listed under it
 * (state.ts interpretationItemOf), each leading to its page.
 */
import { chinaDate } from '../format.js';
import { SITE_PATHS, catalogueCategoryPath, catalogueItemPaths, portalColumnPaths, rootFrom } from '../urls.js';
import { EMPTY_COLUMN_TEXT, entryList, interpretationEntriesHtml, renderStablePages, type PageReuse } from './entry-list.js';
import { pageShell, type ColumnMeta } from './layout.js';
import type { CatalogueItemView, DocumentValidity, ListEntry } from './model.js';
import type { SiteSettings } from './settings.js';
import { catalogueCategories, columnNode } from './structure.js';
import { chineseDate, esc } from './text.js';

export const CATALOGUE_TITLE = '政府信息公开目录';

const ATTRIBUTE_LABELS: Record<CatalogueItemView['attribute'], string> = { proactive: '主动公开', on_request: '依申请公开' };

const VALIDITY_LABELS: Record<DocumentValidity['state'], string> = { valid: '有效', expired: '失效', repealed: '废止' };

/** 有效 / 失效 / 废止 (short form for lists). */
export function validityLabel(validity: DocumentValidity): string {
  return VALIDITY_LABELS[validity.state];
}

/** 有效性 with its dates, as the metadata block writes it: 有效（施行日期：2025年07月01日）. */
export function validityText(validity: DocumentValidity): string {
  const dates = [
    validity.effectiveFrom ? `施行日期：${chineseDate(validity.effectiveFrom)}` : '',
    validity.endedAt ? `${validity.state === 'repealed' ? '废止日期' : '失效日期'}：${chineseDate(validity.endedAt)}` : '',
  ].filter(Boolean);
  return `${VALIDITY_LABELS[validity.state]}${dates.length > 0 ? `（${dates.join('，')}）` : ''}`;
}

/** The catalogue index is named 政府信息公开目录 itself: said once, not 「政府信息公开目录：政府信息公开目录」. */
function catalogueMeta(site: SiteSettings, name: string): ColumnMeta {
  if (name === CATALOGUE_TITLE) return { name, description: `${site.identity.siteName}${CATALOGUE_TITLE}`, keywords: [CATALOGUE_TITLE], type: '信息发布类' };
  return { name, description: `${site.identity.siteName}${CATALOGUE_TITLE}：${name}`, keywords: [CATALOGUE_TITLE, name], type: '信息发布类' };
}

/** Id of a category's heading on xxgk/index.html. */
function categoryAnchor(index: number): string {
  return `category-${index + 1}`;
}

/** xxgk/index.html. `counts`: documents published under each item id (absent = 0). */
export function renderCatalogueIndex(counts: Readonly<Record<string, number>>, site: SiteSettings): string {
  const root = rootFrom(SITE_PATHS.catalogue);
  const categories = catalogueCategories(site.structure);
  const sections = categories.map(({ category, items }, i) => {
    const total = items.reduce((sum, item) => sum + (counts[item.id] ?? 0), 0);
    const rows = items
      .map(
        (item) =>
          `<li><a href="${esc(root + catalogueItemPaths(item.id).index)}">${esc(item.name)}</a> <span class="count">（${counts[item.id] ?? 0}）</span></li>`,
      )
      .join('\n');
    return `<section class="catalogue-category" aria-labelledby="${categoryAnchor(i)}"><h2 id="${categoryAnchor(i)}"><a href="${esc(root + catalogueCategoryPath(category))}">${esc(category)}</a> <span class="count">（${total}）</span></h2>
<ul>
${rows}
</ul></section>`;
  });
  return pageShell({
    site,
    root,
    title: CATALOGUE_TITLE,
    path: SITE_PATHS.catalogue,
    breadcrumb: [{ label: CATALOGUE_TITLE, href: 'index.html' }],
    nav: 'catalogue',
    columnMeta: catalogueMeta(site, CATALOGUE_TITLE),
    main: `<h1>${CATALOGUE_TITLE}</h1>
<p class="note">共 ${categories.length} 类 ${site.structure.catalogue.length} 项公开事项；括号内为已公开信息条数。</p>
${sections.join('\n')}`,
  });
}

/**
 * xxgk/lb-<hash>.html for every category (or only `only`): the category's items, each with its
 * 公开内容, 公开时限, 责任部门, 公开属性 and the number of documents published under it.
 */
export function renderCatalogueCategoryPages(counts: Readonly<Record<string, number>>, site: SiteSettings, only?: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const { category, items } of catalogueCategories(site.structure)) {
    if (only && !only.has(category)) continue;
    const file = catalogueCategoryPath(category);
    const root = rootFrom(file);
    const total = items.reduce((sum, item) => sum + (counts[item.id] ?? 0), 0);
    const rows = items
      .map(
        (item) =>
          `<tr><th scope="row"><a href="${esc(root + catalogueItemPaths(item.id).index)}">${esc(item.name)}</a></th><td>${esc(item.content)}</td><td>${esc(item.timeLimit)}</td><td>${esc(item.responsibleDepartment)}</td><td>${ATTRIBUTE_LABELS[item.attribute]}</td><td class="count">${counts[item.id] ?? 0}</td></tr>`,
      )
      .join('\n');
    out.set(
      file,
      pageShell({
        site,
        root,
        title: `${category} - ${CATALOGUE_TITLE}`,
        path: file,
        breadcrumb: [
          { label: CATALOGUE_TITLE, href: `${root}${SITE_PATHS.catalogue}` },
          { label: category, href: file.slice(file.lastIndexOf('/') + 1) },
        ],
        nav: 'catalogue',
        columnMeta: catalogueMeta(site, category),
        main: `<h1>${esc(category)}</h1>
<p class="note">本类共 ${items.length} 项公开事项，已公开信息 ${total} 条。</p>
<table class="doc-table">
<caption>${esc(category)}的公开事项</caption>
<thead><tr><th scope="col">公开事项名称</th><th scope="col">公开内容</th><th scope="col">公开时限</th><th scope="col">责任部门</th><th scope="col">公开属性</th><th scope="col">已公开信息</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`,
      }),
    );
  }
  return out;
}

/**
 * xxgk/<itemId>/index.html (the newest documents) and its archived pages (page_1.html holds the
 * oldest; stably paged, entry-list.ts): the item's 13 elements and its documents (`entries`, newest
 * first). The total count is on the index page only, so archived pages stay as they are.
 */
export function renderCatalogueItemPages(item: CatalogueItemView, entries: readonly ListEntry[], site: SiteSettings, reuse?: PageReuse): Map<string, string> {
  const paths = catalogueItemPaths(item.id);
  const root = rootFrom(paths.index);
  const elements = elementsTable(item, site, root);
  const column = columnNode(site.structure, item.portalColumnId);
  // 政策文件解读: its packages are listed by their interpretations, each leading to its page, the document as 政策原文.
  const interpretive = item.contentClass === 'interpretation';
  return renderStablePages({
    entries,
    size: site.pageSize,
    paths,
    context: { item, column: column ? { id: column.id, path: column.path } : null, nav: site.structure.roots },
    reuse,
    render: (page) => {
      const documents = interpretive
        ? entryList(
            // Every form: the item covers 文字、图解、视频等形式 (no column name to pick one by).
            page.entries.map((e) => interpretationEntriesHtml(e, root, null)),
            `<p class="empty">${EMPTY_COLUMN_TEXT}。</p>`,
          )
        : page.entries.length > 0
          ? `<table class="doc-table">
<thead><tr><th scope="col">索引号</th><th scope="col">标题</th><th scope="col">发文字号</th><th scope="col">发布日期</th><th scope="col">有效性</th></tr></thead>
<tbody>
${page.entries.map((e) => documentRow(e, root)).join('\n')}
</tbody>
</table>`
          : `<p class="empty">${EMPTY_COLUMN_TEXT}。</p>`;
      const count = page.number === null ? ` <span class="count">（${entries.length}）</span>` : '';
      return pageShell({
        site,
        root,
        title: page.number !== null ? `${item.name}（第${page.number}页）` : item.name,
        path: page.path,
        breadcrumb: [
          { label: CATALOGUE_TITLE, href: `${root}${SITE_PATHS.catalogue}` },
          { label: item.category, href: `${root}${catalogueCategoryPath(item.category)}` },
          { label: item.name, href: 'index.html' },
        ],
        nav: 'catalogue',
        columnMeta: catalogueMeta(site, item.name),
        main: `<h1>${esc(item.name)}</h1>
${elements}
<section aria-labelledby="documents-heading"><h2 id="documents-heading">已公开信息${count}</h2>
${documents}
${page.pager}
</section>`,
      });
    },
  });
}

/** The item's 13 elements (公开事项类别 … 网站对应栏目) as a table. */
function elementsTable(item: CatalogueItemView, site: SiteSettings, root: string): string {
  const column = columnNode(site.structure, item.portalColumnId);
  const columnCell = column ? `<a href="${esc(root + portalColumnPaths(column.id).index)}">${esc(column.path.join(' > '))}</a>` : esc(item.portalColumnId);
  const rows: [string, string][] = [
    ['公开事项类别', esc(item.category)],
    ['公开事项名称', esc(item.name)],
    ['公开内容', esc(item.content)],
    ['公开依据', esc(item.basis)],
    ['公开主体', esc(item.subject)],
    ['责任部门', esc(item.responsibleDepartment)],
    ['责任科室', esc(item.responsibleSection)],
    ['公开时限', esc(item.timeLimit)],
    ['公开对象', esc(item.audience)],
    ['公开渠道', esc(item.channels.join('、'))],
    ['公开方式', esc(item.method)],
    ['公开属性', ATTRIBUTE_LABELS[item.attribute]],
    ['网站对应栏目', columnCell],
  ];
  return `<table class="catalogue-elements">
<caption class="visually-hidden">公开事项要素</caption>
<tbody>
${rows.map(([label, value]) => `<tr><th scope="row">${label}</th><td>${value}</td></tr>`).join('\n')}
</tbody>
</table>`;
}

function documentRow(entry: ListEntry, root: string): string {
  const validity = entry.validity ? `<span class="validity-${entry.validity.state}">${validityLabel(entry.validity)}</span>` : '—';
  const cells: [string, string][] = [
    ['索引号', entry.indexNumber ? esc(entry.indexNumber) : '—'],
    ['标题', `<a href="${esc(root + entry.path)}">${esc(entry.title)}</a>`],
    ['发文字号', entry.documentNumber ? esc(entry.documentNumber) : '—'],
    ['发布日期', chinaDate(entry.releasedAt)],
    ['有效性', validity],
  ];
  // data-label: on narrow screens each cell shows its column's name (the header row is hidden).
  return `<tr>${cells.map(([label, html]) => `<td data-label="${label}">${html}</td>`).join('')}</tr>`;
}
