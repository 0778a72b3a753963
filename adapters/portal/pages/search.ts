/**
 * 站内搜索: search/index.html and the two assets it needs (assets/search.js, assets/search.css).
 *
 * The page is a plain GET form (`?q=`): it works keyboard-only and reloads with the query in the
 * address, so a search can be bookmarked and shared. assets/search.js reads `q`, loads the
 * Pagefind index (pagefind/shards.json, then each quarter's index: see ../search.ts) and lists the
 * results. No inline script or style: the pages' CSP is `script-src 'self' 'wasm-unsafe-eval'`.
 * Without JavaScript the page says so and offers the 网站地图.
 */
import { SITE_PATHS, rootFrom } from '../urls.js';
import { SEARCH_QUERY_MAX_CHARS, pageShell } from './layout.js';
import type { SiteSettings } from './settings.js';

export const SEARCH_SCRIPT_PATH = 'assets/search.js';
export const SEARCH_CSS_PATH = 'assets/search.css';
/** How many of a keyword's loose matches search.js reads to confirm the keyword is really in them. */
export const SEARCH_LOOSE_CHECKED = 200;

/** search/index.html. */
export function renderSearchPage(site: SiteSettings): string {
  const root = rootFrom(SITE_PATHS.search);
  return pageShell({
    site,
    root,
    title: '站内搜索',
    path: SITE_PATHS.search,
    breadcrumb: [{ label: '站内搜索', href: 'index.html' }],
    nav: 'search',
    columnMeta: { name: '站内搜索', description: `${site.identity.siteName}站内搜索`, keywords: ['站内搜索'], type: '信息发布类' },
    extraHead: `<link rel="stylesheet" href="${root}${SEARCH_CSS_PATH}">\n<script type="module" src="${root}${SEARCH_SCRIPT_PATH}"></script>\n`,
    main: `<h1>站内搜索</h1>
<form class="search-form" id="search-form" role="search" aria-label="站内搜索（本页）" action="index.html" method="get">
<label for="search-q">搜索关键词</label>
<input id="search-q" name="q" type="search" maxlength="${SEARCH_QUERY_MAX_CHARS}" autocomplete="off" enterkeyhint="search">
<button type="submit">搜索</button>
</form>
<noscript><p class="search-nojs">站内搜索需要浏览器启用 JavaScript。您也可以通过<a href="${root}${SITE_PATHS.siteMap}">网站地图</a>查找本站信息。</p></noscript>
<p id="search-status" class="search-status" role="status" aria-live="polite"></p>
<ol id="search-results" class="search-results"></ol>
<p><button type="button" id="search-more" class="search-more" hidden>显示更多结果</button></p>
<p class="search-help">找不到需要的信息？请浏览<a href="${root}${SITE_PATHS.siteMap}">网站地图</a>。</p>`,
  });
}

export const SEARCH_CSS = `/* govpub portal: 站内搜索 */
.search-form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:1rem 0}
.search-form label{font-weight:bold}
.search-form input{flex:1 1 16rem;font-size:1rem;padding:.45rem .6rem;border:1px solid #767676;border-radius:3px}
.search-form button,.search-more{font-size:1rem;padding:.45rem 1.2rem;border:0;border-radius:3px;background:#0b4a8b;color:#fff;cursor:pointer}
.search-form input:focus,.search-form button:focus,.search-more:focus{outline:3px solid #f2b200;outline-offset:2px}
.search-status{color:#333;font-weight:bold}
.search-results{padding-left:1.5rem}
.search-result{padding:.6rem 0;border-bottom:1px dashed #ddd}
.search-title{font-size:1.1rem}
.search-meta{margin:.2rem 0;color:#555;font-size:.9rem}
.search-meta span{margin-right:1rem}
.search-excerpt{margin:.2rem 0;color:#333}
.search-excerpt mark{background:#fff0a8;color:#222}
.search-nojs{padding:.8rem;background:#fff4e5;border-left:4px solid #a8171b}
`;

/**
 * assets/search.js, an ES module. Runs in the reader's browser: no build step, no dependencies but
 * the index's own pagefind.js. Result URLs are site-root-relative; they are resolved against the
 * site root (one level above assets/), so the site works at a domain root, under /portal/ and
 * from disk alike. Excerpts come from Pagefind with `<`/`>` escaped and `<mark>` around matches:
 * they are turned into text nodes and <mark> elements, never parsed as HTML. String.raw: the
 * script's regular expressions keep their backslashes.
 */
export const SEARCH_SCRIPT = String.raw`// govpub portal: 站内搜索 (see adapters/portal/pages/search.ts)
const PAGE_SIZE = 20;
const MAX_QUERY_CHARS = ${SEARCH_QUERY_MAX_CHARS};
const LOOSE_CHECKED = ${SEARCH_LOOSE_CHECKED};
const siteRoot = new URL('../', import.meta.url);
const form = document.getElementById('search-form');
const input = document.getElementById('search-q');
const status = document.getElementById('search-status');
const list = document.getElementById('search-results');
const more = document.getElementById('search-more');

function say(text) {
  status.textContent = text;
}

/** Pagefind's excerpt: text with < and > escaped, <mark>…</mark> around matches. */
function excerptNodes(excerpt) {
  const nodes = [];
  const parts = String(excerpt).split(/(<mark>|<\/mark>)/);
  let marked = false;
  for (const part of parts) {
    if (part === '<mark>') marked = true;
    else if (part === '</mark>') marked = false;
    else if (part) {
      const text = document.createTextNode(part.replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
      if (marked) {
        const mark = document.createElement('mark');
        mark.append(text);
        nodes.push(mark);
      } else nodes.push(text);
    }
  }
  return nodes;
}

function resultItem(data) {
  const item = document.createElement('li');
  item.className = 'search-result';
  const link = document.createElement('a');
  link.className = 'search-title';
  link.href = new URL(data.raw_url || data.url, siteRoot).href;
  link.textContent = data.meta.title || data.raw_url;
  const meta = document.createElement('p');
  meta.className = 'search-meta';
  for (const [label, value] of [['发布日期', data.meta.date], ['栏目', data.meta.column], ['类别', data.meta.kind], ['有效性', data.meta.validity]]) {
    if (!value) continue;
    const span = document.createElement('span');
    span.textContent = label + '：' + value;
    meta.append(span);
  }
  const excerpt = document.createElement('p');
  excerpt.className = 'search-excerpt';
  excerpt.append(...excerptNodes(data.excerpt));
  item.append(link, meta, excerpt);
  return item;
}

async function loadIndex() {
  const response = await fetch(new URL('pagefind/shards.json', siteRoot), { cache: 'no-cache' });
  if (!response.ok) throw new Error('search index: ' + response.status);
  const manifest = await response.json();
  if (!manifest.shards.length) return null;
  const pagefind = await import(new URL('pagefind/' + manifest.shards[0] + '/pagefind.js', siteRoot).href);
  await pagefind.options({ excerptLength: 40 });
  for (const shard of manifest.shards.slice(1)) await pagefind.mergeIndex(new URL('pagefind/' + shard + '/', siteRoot).href);
  return pagefind;
}

/**
 * Each keyword is searched as an exact phrase first: Pagefind splits 营商环境 into 营|商|环境 and,
 * in an index that lacks 营 or 商, would otherwise match every page with 环境. When the phrase is
 * not found (the browser splits words a little differently from the indexer: 至一|个 there,
 * 一个 here) the keyword is searched loosely. Several keywords (separated by spaces) must all be
 * found; the order is the first keyword's ranking.
 */
async function searchKeyword(pagefind, keyword) {
  const exact = await pagefind.search('"' + keyword + '"');
  if (exact.results.length > 0) return exact.results;
  // A loose search ignores the parts of the keyword the index lacks, so 玄武岩测试 or xyzzy would list
  // every page with 测试 or an x: keep only the pages whose text really holds the keyword.
  const loose = (await pagefind.search(keyword)).results.slice(0, LOOSE_CHECKED);
  const wanted = compact(keyword);
  const found = await Promise.all(loose.map((result) => result.data()));
  return loose.filter((_result, i) => compact(found[i].content).includes(wanted));
}

/** Text compared without its spaces and case: the indexer joins a page's lines, a reader may type Ab for AB. */
function compact(text) {
  return String(text).replace(/\s+/g, '').toLowerCase();
}

/** The query of the address: without control characters (a crafted link), at most as long as the field allows. */
function queryOf(search) {
  const raw = new URLSearchParams(search).get('q') || '';
  return Array.from(raw.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, '')).slice(0, MAX_QUERY_CHARS).join('').trim();
}

async function searchKeywords(pagefind, query) {
  const keywords = query.replace(/["“”]/g, ' ').split(/\s+/).filter(Boolean).slice(0, 5);
  // One after the other: concurrent searches on one Pagefind instance can miss each other's chunks.
  const found = [];
  for (const keyword of keywords) found.push(await searchKeyword(pagefind, keyword));
  const [first, ...others] = found;
  const inAll = others.map((results) => new Set(results.map((result) => result.id)));
  return (first || []).filter((result) => inAll.every((ids) => ids.has(result.id)));
}

async function run() {
  const query = queryOf(location.search);
  input.value = query;
  // Quotes alone leave no keyword (searchKeywords drops them).
  if (!query.replace(/["“”]/g, '').trim()) {
    say('请输入关键词，按回车键或点击“搜索”按钮。');
    return;
  }
  document.title = '“' + query + '”的搜索结果 - ' + document.title;
  say('正在搜索“' + query + '”……');
  let results = [];
  try {
    const pagefind = await loadIndex();
    if (pagefind) results = await searchKeywords(pagefind, query);
  } catch (error) {
    console.error(error);
    say('搜索暂时不可用，请稍后再试，或通过网站地图查找。');
    return;
  }
  if (results.length === 0) {
    say('没有找到与“' + query + '”相关的信息，请换个关键词试试。');
    return;
  }
  let shown = 0;
  async function showMore() {
    const batch = await Promise.all(results.slice(shown, shown + PAGE_SIZE).map((result) => result.data()));
    const items = batch.map(resultItem);
    list.append(...items);
    shown += batch.length;
    more.hidden = shown >= results.length;
    return items;
  }
  await showMore();
  // Announced once the first results are on the page.
  say('找到 ' + results.length + ' 条与“' + query + '”相关的信息。');
  more.addEventListener('click', async () => {
    const items = await showMore();
    // Keyboard users continue where the new results start.
    if (items[0]) items[0].querySelector('a').focus();
  });
}

form.addEventListener('submit', (event) => {
  if (!input.value.trim()) {
    event.preventDefault();
    input.focus();
    say('请输入关键词。');
  }
});

run();
`;

/** The assets the search page loads, by site-root-relative path: written into every generation. */
export const SEARCH_ASSETS: Readonly<Record<string, string>> = {
  [SEARCH_SCRIPT_PATH]: SEARCH_SCRIPT,
  [SEARCH_CSS_PATH]: SEARCH_CSS,
};
