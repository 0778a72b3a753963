/**
 * Portal page renderers. Run: `npx tsx bench/portal-pages-bench.ts [--runs 200]`
 *
 * Prints, per kind of page, the median and 95th-percentile time to render it and its size, over
 * the sample registry (326 columns, 17 key areas, the catalogue) and site.yaml: what one publish
 * costs in rendering (a package's pages, its columns' first pages, the home page) and what a
 * registry change costs (every column's and catalogue item's first page, the site map and the
 * catalogue index: every page shows the navigation). Pure rendering, no file system.
 */
import { parseArgs } from 'node:util';
import { renderArticle, type ArticleInput } from '../adapters/portal/pages/article.js';
import { renderCatalogueIndex, renderCatalogueItemPages } from '../adapters/portal/pages/catalogue.js';
import { renderColumnPages } from '../adapters/portal/pages/column.js';
import { renderHomePage } from '../adapters/portal/pages/home.js';
import type { ListEntry } from '../adapters/portal/pages/model.js';
import type { SiteSettings } from '../adapters/portal/pages/settings.js';
import { renderSiteMapPage } from '../adapters/portal/pages/site-map.js';
import { columnNode, siteStructureFromRegistry } from '../adapters/portal/pages/structure.js';
import { portalPagePaths } from '../adapters/portal/urls.js';
import { loadRegistrySync } from '../config/registry.js';
import { loadSiteIdentitySync } from '../config/site-identity.js';
import { fixtureSettings } from '../test/adapters/portal-site-fixtures.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '200' } } });
const RUNS = Number(values.runs);

const identity = loadSiteIdentitySync();
const structure = siteStructureFromRegistry(loadRegistrySync());
const site: SiteSettings = fixtureSettings(structure, 'https://www.beilin.gov.cn', identity);

const entry = (n: number): ListEntry => {
  const packageId = `pkg-2025-${String(n).padStart(5, '0')}`;
  return {
    packageId,
    title: `关于做好2025年第${n}批老旧小区改造工作的通知`,
    summary: '各街道办事处，区政府各工作部门：为加快推进老旧小区改造，现将有关事项通知如下。',
    releasedAt: new Date(Date.UTC(2025, 5, 1) - n * 3_600_000).toISOString(),
    path: portalPagePaths(packageId, 1).document,
    cover: null,
    indexNumber: `11610103MB2950046X/2025-${String(n).padStart(5, '0')}`,
    documentNumber: `碑政办发〔2025〕${n}号`,
    validity: null,
    interpretations: [{ title: '解读', formLabel: '文字解读' }],
    homeColumnId: 'zwgk-zcwj-gfxwj',
  };
};
const entries = Array.from({ length: 25 }, (_, i) => entry(i + 1));
const body = Array.from(
  { length: 40 },
  (_, i) => `<p>第${i + 1}条　为加快推进老旧小区改造，改善居民居住条件，根据有关规定，结合本区实际，制定本办法。</p>`,
).join('');
const article: ArticleInput = {
  packageId: 'pkg-2025-00001',
  columns: [columnNode(structure, 'zwgk-zcwj-gfxwj')!, columnNode(structure, 'zdly-zdxm')!],
  media: {},
  payload: {
    version: 1,
    column: { id: 'zwgk-zcwj-gfxwj', path: [] },
    packageId: 'pkg-2025-00001',
    revision: 1,
    contentHash: 'h',
    releasedAt: '2025-06-01T02:00:00.000Z',
    summary: '为加快推进老旧小区改造，制定本办法。',
    catalogueName: '区政府行政规范性文件',
    catalogueId: 'qzf-gfxwj',
    document: {
      title: '碑林区老旧小区改造实施办法',
      bodyHtml: body,
      documentNumber: '碑政发〔2025〕12号',
      issuingUnit: '西安市碑林区人民政府',
      formedAt: '2025-05-28',
      indexNumber: '11610103MB2950046X/2025-00012',
      topic: '城乡建设、环境保护\\城市规划',
      keywords: ['城乡建设', '老旧小区'],
      validity: { state: 'valid', effectiveFrom: '2025-07-01', endedAt: null },
      attachments: [],
    },
    interpretations: [
      { form: 'text', formLabel: '文字解读', title: '解读', interpreter: null, bodyHtml: body, lead: null, link: null, captions: null, transcriptHtml: null },
      { form: 'text', formLabel: '图表解读', title: '图解', interpreter: null, bodyHtml: body, lead: null, link: null, captions: null, transcriptHtml: null },
    ],
    figures: [],
    cover: null,
  },
};
const keyAreaLatest = Object.fromEntries(structure.keyAreas.map((id) => [id, entries.slice(0, 5)]));
const item = structure.catalogue.find((i) => i.id === 'qzf-gfxwj')!;

function measure(name: string, render: () => Map<string, string> | string, runs = RUNS): void {
  const times: number[] = [];
  let bytes = 0;
  let files = 0;
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const out = render();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    const list = typeof out === 'string' ? [out] : [...out.values()];
    files = list.length;
    bytes = list.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2);
  console.log(`${name.padEnd(52)} ${at(0.5).padStart(8)} ${at(0.95).padStart(8)} ${String(files).padStart(6)} ${(bytes / 1024).toFixed(1).padStart(9)}`);
}

console.log(`${'page'.padEnd(52)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'files'.padStart(6)} ${'KiB'.padStart(9)}`);
measure('article: document + 2 interpretations', () => renderArticle(article, site));
measure('column: 25 entries (2 pages + rss.xml)', () => renderColumnPages(columnNode(structure, 'zwgk-zcwj-gfxwj')!, entries, site));
measure('empty column (page + rss.xml)', () => renderColumnPages(columnNode(structure, 'zdly-zdxm-xmpz')!, [], site));
measure('home: 20 latest, 17 key areas × 5', () => renderHomePage({ latest: entries, columnLatest: keyAreaLatest }, site));
measure('catalogue item: 13 elements + 25 documents', () => renderCatalogueItemPages(item, entries, site));
measure('catalogue index', () => renderCatalogueIndex({}, site));
measure('site map (326 columns)', () => renderSiteMapPage(site));
measure(
  'registry change: every column + item + map + index',
  () => {
    const out = new Map<string, string>();
    for (const c of structure.columns) for (const [p, html] of renderColumnPages(c, [], site)) out.set(p, html);
    for (const i of structure.catalogue) for (const [p, html] of renderCatalogueItemPages(i, [], site)) out.set(p, html);
    out.set('map/index.html', renderSiteMapPage(site));
    out.set('xxgk/index.html', renderCatalogueIndex({}, site));
    return out;
  },
  Math.max(3, Math.round(RUNS / 20)),
);
