/**
 * The site's structure from the channel registry: the column tree (navigation, every column's page
 * from the first start, the site map page) and the disclosure catalogue (政府信息公开 pages). Pure.
 * Part of the render key: a column added or renamed in the registry re-renders the site on the
 * next start (PortalSite.ensureSite).
 */
import type { Registry } from '../../domain/registry.js';
import type { CatalogueItemView, ColumnNode, SiteStructure } from './pages/model.js';

/** ColumnType meta (政府网站发展指引): from the column's place in the tree. */
function columnType(path: string[]): string {
  const names = path.join('>');
  if (/解读|回应/.test(names)) return '解读回应类';
  if (/办事|服务/.test(names)) return '办事服务类';
  if (/互动|信箱|征集|访谈/.test(names)) return '互动交流类';
  if (/专题|专栏/.test(names)) return '专题专栏类';
  return '信息发布类';
}

export function siteStructureFromRegistry(registry: Pick<Registry, 'portal' | 'catalogue'>): SiteStructure {
  const byId = new Map(registry.portal.columns.map((c) => [c.id, c]));
  const children = new Map<string, string[]>();
  for (const c of registry.portal.columns) if (c.parentId) children.set(c.parentId, [...(children.get(c.parentId) ?? []), c.id]);
  const idPath = (id: string): string[] => {
    const out: string[] = [];
    for (let c = byId.get(id); c; c = c.parentId ? byId.get(c.parentId) : undefined) out.unshift(c.id);
    return out;
  };
  const columns: ColumnNode[] = registry.portal.columns.map((c) => ({
    id: c.id,
    name: c.name,
    path: c.path,
    idPath: idPath(c.id),
    parentId: c.parentId,
    children: children.get(c.id) ?? [],
    updateClass: c.updateClass,
    keyArea: c.keyArea,
    columnType: columnType(c.path),
  }));
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
    channels: item.channels,
    method: item.method,
    attribute: item.attribute,
    portalColumnId: item.portalColumnId,
  }));
  return {
    columns,
    roots: columns.filter((c) => c.parentId === null).map((c) => c.id),
    keyAreas: columns.filter((c) => c.keyArea).map((c) => c.id),
    catalogue,
  };
}
