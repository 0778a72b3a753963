/**
 * What the portal's page renderers are given (the contract between the generation builder, which
 * loads state, and the templates, which turn it into HTML). Pure data; no I/O anywhere in pages/.
 *
 *   SiteIdentity   who runs the site (config/registry/site.yaml): meta tags and footer
 *   SiteStructure  the registry's column tree and disclosure catalogue: navigation, column pages,
 *                  the site map page, 政府信息公开 pages; every column has a page from the first start
 *   ListEntry      one package as lists show it (column pages, home, catalogue items, feeds)
 */
import type { CatalogueItem } from '../../../domain/registry.js';

/** From config/registry/site.yaml, checked at load (config/checks/site.ts). 政府网站发展指引 (国办发〔2017〕47号). */
export interface SiteIdentity {
  /** SiteName meta, header, footer: 西安市碑林区人民政府 */
  siteName: string;
  /** SiteDomain meta: www.beilin.gov.cn (no scheme) */
  siteDomain: string;
  /** SiteIDCode meta and 网站标识码 in the footer: 10 characters, e.g. 6101030001 */
  siteIdCode: string;
  /** 主办单位 */
  hostUnit: string;
  /** 承办单位 (optional) */
  operatorUnit: string | null;
  /** ICP备案号, e.g. 陕ICP备05001234号; linked to https://beian.miit.gov.cn/ */
  icpNumber: string;
  /** 公安机关备案号, e.g. 陕公网安备 61010302000123号; its code links to the MPS filing page */
  publicSecurityNumber: string;
  /** 联系我们: address, phone, e-mail as shown in the footer */
  contact: { address: string | null; phone: string | null; email: string | null; postcode: string | null };
  /** The 党政机关 badge links to its verification page (dzjg.cn / conac.cn); null hides it. */
  partyGovernmentBadgeUrl: string | null;
  /**
   * 我为政府网站找错: where readers report an error on the site. Null: the national 找错 platform's
   * page for `siteIdCode` (layout.ts `errorReportHref`).
   */
  errorReportUrl: string | null;
}

/** One registry column as the site shows it. */
export interface ColumnNode {
  id: string;
  name: string;
  /** Names from the top level down to this column. */
  path: string[];
  /** Ids from the top level down to this column (same length as `path`): breadcrumbs link each. */
  idPath: string[];
  parentId: string | null;
  /** Child column ids in registry order. */
  children: string[];
  updateClass: 'news_dynamic' | 'notice_policy' | 'other';
  /** One of the 17 key areas (重点领域). */
  keyArea: boolean;
  /** ColumnType meta (政府网站发展指引): 信息发布类 / 解读回应类 / 办事服务类 / 互动交流类 / 专题专栏类 … */
  columnType: string;
}

/** One disclosure catalogue item with its 13 elements, as the registry holds it (domain/registry.ts). */
export type CatalogueItemView = Pick<
  CatalogueItem,
  | 'id'
  | 'category'
  | 'name'
  | 'content'
  | 'basis'
  | 'subject'
  | 'responsibleDepartment'
  | 'responsibleSection'
  | 'timeLimit'
  | 'audience'
  | 'channels'
  | 'method'
  | 'attribute'
  | 'portalColumnId'
> &
  /** The review class (`interpretation`: the item lists the interpretations of policy documents, pages/catalogue.ts); absent for an item the registry does not hold. */
  Partial<Pick<CatalogueItem, 'contentClass'>>;

export interface SiteStructure {
  /** Every column, in registry (depth-first) order. */
  columns: ColumnNode[];
  /** Top-level column ids in registry order (the main navigation). */
  roots: string[];
  /** The 17 key-area column ids in registry order. */
  keyAreas: string[];
  catalogue: CatalogueItemView[];
}

/** 有效性 of a normative document (行政规范性文件). */
export interface DocumentValidity {
  state: 'valid' | 'expired' | 'repealed'; // 有效 / 失效 / 废止
  /** 生效日期 / 施行日期, YYYY-MM-DD */
  effectiveFrom: string | null;
  /** 失效日期 (expired) or 废止日期 (repealed), YYYY-MM-DD */
  endedAt: string | null;
}

/** One package as lists, feeds and the catalogue pages show it. */
export interface ListEntry {
  packageId: string;
  title: string;
  summary: string;
  /** ISO 8601 */
  releasedAt: string;
  /** Site-root-relative document page path (urls.ts). */
  path: string;
  cover: { file: string; width?: number; height?: number; alt: string } | null;
  /** 索引号, when the package has one */
  indexNumber: string | null;
  /** 发文字号 */
  documentNumber: string | null;
  validity: DocumentValidity | null;
  /** Its interpretations, linked beside the title in lists (pages at urls.ts portalPagePaths). Optional: none when absent. */
  interpretations?: { title: string; formLabel: string }[];
  /** Its home column, named in lists that mix columns (home page, site feed). */
  homeColumnId?: string | null;
  /** On a parent column's page: the sub-column it is listed in (named beside it). */
  listedIn?: string;
}
