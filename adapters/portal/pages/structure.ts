/**
 * The site's structure from the registry: the column tree in registry order with each column's
 * name and id paths (breadcrumbs, navigation, the site map), its 发展指引 column type, the 17 key
 * areas and the disclosure catalogue. Pure; a column added or renamed in the registry changes
 * the structure, and with it the navigation of every page.
 */
import type { Registry } from '../../../domain/registry.js';
import type { CatalogueItemView, ColumnNode, SiteStructure } from './model.js';

/**
 * ColumnType meta values (政府网站发展指引, 国办发〔2017〕47号: a site's columns are 信息发布,
 * 解读回应, 办事服务, 互动交流 and 专题专栏).
 */
export const COLUMN_TYPES = {
  publishing: '信息发布类',
  interpretation: '解读回应类',
  service: '办事服务类',
  interaction: '互动交流类',
  special: '专题专栏类',
} as const;

/**
 * The registry carries no column type, so it is derived from names, documented here:
 *   1. a column whose own name or an ancestor's names 解读 or 回应 (政策解读, 回应关切) → 解读回应类;
 *   2. otherwise its top-level column decides: a name with 服务 (政务服务) → 办事服务类,
 *      with 互动 or 交流 (互动交流) → 互动交流类, with 专题 or 专栏 (专题专栏) → 专题专栏类;
 *   3. everything else (news, disclosure, the 17 key areas, overviews) → 信息发布类.
 * Only the top level decides rule 2: 街道办事处 and 社区服务 under 政府信息公开 stay 信息发布类.
 */
export function columnTypeOf(path: readonly string[]): string {
  if (path.some((name) => /解读|回应/.test(name))) return COLUMN_TYPES.interpretation;
  const top = path[0] ?? '';
  if (/服务/.test(top)) return COLUMN_TYPES.service;
  if (/互动|交流/.test(top)) return COLUMN_TYPES.interaction;
  if (/专题|专栏/.test(top)) return COLUMN_TYPES.special;
  return COLUMN_TYPES.publishing;
}

/**
 * Which of a package's columns an interpretation's page belongs to, by index into `paths` (the
 * columns listing the package, home first), or -1 for the home column: the 解读回应类 column whose
 * list shows it (entry-list.ts interpretationsShownIn: one named after a form, 文字解读, shows the
 * package's interpretations of that form when it has any, else all; 政策解读 and 回应关切 show all),
 * the one named after its form first. Its breadcrumb, its ColumnName meta tag and its search result
 * name that column, as the column's list leads there; shown in none, it keeps the home column.
 */
export function interpretationColumnIndex(paths: readonly (readonly string[])[], formLabel: string, formsOfPackage: readonly string[]): number {
  const shows = (path: readonly string[]) => {
    const name = path[path.length - 1];
    return !formsOfPackage.includes(name ?? '') || name === formLabel;
  };
  const showing = paths.map((path, index) => ({ path, index })).filter(({ path }) => columnTypeOf(path) === COLUMN_TYPES.interpretation && shows(path));
  return (showing.find(({ path }) => path[path.length - 1] === formLabel) ?? showing[0])?.index ?? -1;
}

/** The column tree (depth first, children in registry order), key areas and catalogue of a registry. */
export function siteStructureFromRegistry(registry: Pick<Registry, 'portal' | 'catalogue'>): SiteStructure {
  const byId = new Map(registry.portal.columns.map((c) => [c.id, c]));
  const children = new Map<string | null, string[]>();
  for (const column of registry.portal.columns) {
    // A parent the registry does not hold cannot happen after its checks; treat it as top level anyway.
    const parent = column.parentId !== null && byId.has(column.parentId) ? column.parentId : null;
    const list = children.get(parent) ?? [];
    list.push(column.id);
    children.set(parent, list);
  }
  const columns: ColumnNode[] = [];
  const visit = (id: string, parentId: string | null, names: string[], ids: string[]) => {
    const column = byId.get(id)!;
    const path = [...names, column.name];
    const idPath = [...ids, id];
    columns.push({
      id,
      name: column.name,
      path,
      idPath,
      parentId,
      children: children.get(id) ?? [],
      updateClass: column.updateClass,
      keyArea: column.keyArea,
      columnType: columnTypeOf(path),
    });
    for (const child of children.get(id) ?? []) visit(child, id, path, idPath);
  };
  const roots = children.get(null) ?? [];
  for (const id of roots) visit(id, null, [], []);
  const catalogue: CatalogueItemView[] = registry.catalogue.map((item) => ({
    id: item.id,
    category: item.category,
    name: item.name,
    content: item.content,
    basis: item.basis,
    subject: item.subject,
    responsibleDepartment: item.responsibleDepartment,
    responsibleSection: item.responsibleSection,
    timeLimit: item.timeLimit,
    audience: item.audience,
    channels: [...item.channels],
    method: item.method,
    attribute: item.attribute,
    portalColumnId: item.portalColumnId,
    contentClass: item.contentClass,
  }));
  return { columns, roots, keyAreas: columns.filter((c) => c.keyArea).map((c) => c.id), catalogue };
}

const indexes = new WeakMap<SiteStructure, { columns: Map<string, ColumnNode>; positions: Map<string, number>; items: Map<string, CatalogueItemView> }>();

function indexOf(structure: SiteStructure) {
  let index = indexes.get(structure);
  if (!index) {
    index = {
      columns: new Map(structure.columns.map((c) => [c.id, c])),
      positions: new Map(structure.columns.map((c, i) => [c.id, i])),
      items: new Map(structure.catalogue.map((i) => [i.id, i])),
    };
    indexes.set(structure, index);
  }
  return index;
}

/**
 * A package's columns in the order its pages show them, the first its home column (breadcrumb,
 * ColumnName/ColumnType, feed category, search): whatever order its deliveries arrived in, a column
 * of the interpretation type comes after the others (a document listed beside its interpretations
 * is not an interpretation), then registry order; columns the registry does not hold last, by id.
 * (The payload carries no editor's order of targets: its packageColumns are sorted ids.)
 */
export function columnsHomeFirst(
  structure: SiteStructure,
  columns: readonly string[],
  /** The path deliveries gave a column the registry does not hold (its type is read from its name). */
  knownPath: (id: string) => readonly string[] | undefined = () => undefined,
): string[] {
  const { positions } = indexOf(structure);
  const rank = (id: string): [number, number, string] => {
    const interpretation = columnOrOrphan(structure, id, knownPath(id)).columnType === COLUMN_TYPES.interpretation ? 1 : 0;
    return [interpretation, positions.get(id) ?? Number.MAX_SAFE_INTEGER, id];
  };
  return [...columns].sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra[0] - rb[0] || ra[1] - rb[1] || (ra[2] < rb[2] ? -1 : ra[2] > rb[2] ? 1 : 0);
  });
}

/** A column of the structure by id (looked up through an index built once per structure). */
export function columnNode(structure: SiteStructure, id: string): ColumnNode | undefined {
  return indexOf(structure).columns.get(id);
}

export function catalogueItemView(structure: SiteStructure, id: string): CatalogueItemView | undefined {
  return indexOf(structure).items.get(id);
}

/**
 * A column as pages show it: the registry's node, or, for a column the registry does not hold
 * (removed since, or a site run without a registry), a top-level node named by the last part of
 * the path its deliveries carried: its ancestors are unknown, so the breadcrumb links it alone.
 */
export function columnOrOrphan(structure: SiteStructure, id: string, knownPath: readonly string[] = []): ColumnNode {
  const node = columnNode(structure, id);
  if (node) return node;
  const name = knownPath.at(-1) ?? id;
  return { id, name, path: [name], idPath: [id], parentId: null, children: [], updateClass: 'other', keyArea: false, columnType: columnTypeOf([name]) };
}

/**
 * A column's name as its page's <title> gives it: its own name when no other column of the registry
 * has it, else followed by its ancestors' names (nearest first) until no other column of that name
 * has the same: 「通知公告 - 区教育局」, so 26 通知公告 pages do not share one title.
 */
export function distinctColumnTitle(structure: SiteStructure, column: ColumnNode): string {
  const namesakes = structure.columns.filter((c) => c.id !== column.id && c.name === column.name);
  for (let depth = 1; depth <= column.path.length; depth++) {
    const tail = column.path.slice(-depth).join('>');
    if (!namesakes.some((c) => c.path.slice(-depth).join('>') === tail)) return column.path.slice(-depth).reverse().join(' - ');
  }
  return column.path.slice().reverse().join(' - ');
}

/** Catalogue categories in registry order with their items. */
export function catalogueCategories(structure: SiteStructure): { category: string; items: CatalogueItemView[] }[] {
  const groups = new Map<string, CatalogueItemView[]>();
  for (const item of structure.catalogue) {
    const list = groups.get(item.category) ?? [];
    list.push(item);
    groups.set(item.category, list);
  }
  return [...groups].map(([category, items]) => ({ category, items }));
}
