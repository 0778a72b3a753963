/** Checks `portal-columns.yaml`: the portal's column tree (nesting or parentId, update classes, key areas, sibling names). */
import { UPDATE_CLASSES, type PortalColumn, type UpdateClass } from '../../domain/registry.js';
import { didYouMean } from '../did-you-mean.js';
import { IdSet, readSlug } from '../registry-ids.js';
import { readBool, readEnum, readListUnder, readMap, readSeq, readString, type Shape } from '../yaml-fields.js';
import { join, type At, type FileCheck } from '../yaml-lines.js';

interface RawColumn {
  id: string;
  name: string;
  updateClass: UpdateClass | undefined;
  keyArea: boolean;
  /** Parent given by nesting. */
  nestedParent: string | null;
  /** `parentId` written on a top-level entry. */
  declaredParent: { id: string; at: At } | undefined;
  at: At;
}

export interface PortalResult {
  columns: PortalColumn[];
  ids: Set<string>;
}

const COLUMN_SHAPE: Shape = { required: ['id', 'name'], optional: ['updateClass', 'keyArea', 'parentId', 'children'] };

/** Stands in for the parent of columns nested under an invalid column (never a valid slug). */
const INVALID_PARENT = '\u0000invalid';

/** Reports a column named like an earlier one among `siblings` (e.g. `another top-level column`); true when its name is new. */
function siblingNameCheck(fc: FileCheck, siblings: string): (raw: RawColumn) => boolean {
  const names = new Map<string, RawColumn>();
  return (raw) => {
    const twin = names.get(raw.name);
    if (!twin) {
      names.set(raw.name, raw);
      return true;
    }
    fc.issue(join(raw.at.path, 'name'), `${siblings} is already named "${raw.name}" (line ${twin.at.line ?? '?'}, ${twin.at.path})`, raw.at.line);
    return false;
  };
}

/** The column tree in file order (parents before children); `columns` is empty when any column has a problem. */
export function checkPortal(fc: FileCheck, root: At): PortalResult | undefined {
  const ids = new IdSet(fc, 'column id');
  const raws: RawColumn[] = [];
  let ok = true;

  const walk = (at: At, nestedParent: string | null, topLevel: boolean): void => {
    const fields = readMap(fc, at, COLUMN_SHAPE, 'a portal column');
    if (!fields) {
      ok = false;
      return;
    }
    const idAt = fields.get('id');
    const id = readSlug(fc, idAt);
    const name = readString(fc, fields.get('name'));
    const updateClassAt = fields.get('updateClass');
    const updateClass = updateClassAt ? readEnum(fc, updateClassAt, UPDATE_CLASSES) : undefined;
    const keyAreaAt = fields.get('keyArea');
    const keyArea = keyAreaAt ? readBool(fc, keyAreaAt) : false;
    const parentAt = fields.get('parentId');
    let declaredParent: RawColumn['declaredParent'];
    if (parentAt) {
      const parentId = readSlug(fc, parentAt);
      if (parentId !== undefined && !topLevel) {
        if (parentId !== nestedParent && nestedParent !== INVALID_PARENT) {
          fc.issue(
            parentAt.path,
            `parentId "${parentId}" contradicts the enclosing column "${nestedParent}"; remove parentId (nesting already sets the parent)`,
            parentAt.line,
          );
          ok = false;
        }
      } else if (parentId !== undefined) {
        declaredParent = { id: parentId, at: parentAt };
      } else {
        ok = false;
      }
    }
    const unique = ids.add(id, idAt);
    if (id === undefined || name === undefined || keyArea === undefined || (updateClassAt && !updateClass) || !unique) ok = false;
    if (id !== undefined && name !== undefined && unique) {
      raws.push({ id, name, updateClass, keyArea: keyArea ?? false, nestedParent, declaredParent, at });
    }
    const childrenAt = fields.get('children');
    if (childrenAt) {
      const children = readSeq(fc, childrenAt, 'columns');
      if (!children) ok = false;
      // Children of an invalid or duplicate column are still checked, but kept out of the tree.
      for (const child of children ?? []) walk(child, id !== undefined && unique ? id : INVALID_PARENT, false);
    }
  };

  const topItems = readListUnder(fc, root, 'columns', 'the portal column tree', 'columns');
  if (!topItems) return undefined;
  for (const item of topItems) walk(item, null, true);

  // Resolve parents (nesting, or parentId on a top-level entry) and build the tree.
  const byId = new Map(raws.map((r) => [r.id, r]));
  const children = new Map<string | null, RawColumn[]>();
  const attached: RawColumn[] = [];
  for (const raw of raws) {
    let parent = raw.nestedParent;
    if (raw.declaredParent) {
      const { id: parentId, at } = raw.declaredParent;
      if (!byId.has(parentId)) {
        // A parent whose own entry is invalid was reported already; only a truly unknown id is news.
        if (!ids.has(parentId)) fc.issue(at.path, `unknown parent column "${parentId}"${didYouMean(parentId, byId.keys())}`, at.line);
        ok = false;
        continue;
      }
      parent = parentId;
      attached.push(raw);
    }
    if (parent !== null && !byId.has(parent)) continue; // parent itself was invalid (already reported)
    if (!raw.declaredParent) {
      const list = children.get(parent) ?? [];
      list.push(raw);
      children.set(parent, list);
    }
  }
  // Blocks attached by parentId come after the nested children, in file order.
  for (const raw of attached) {
    const list = children.get(raw.declaredParent!.id) ?? [];
    list.push(raw);
    children.set(raw.declaredParent!.id, list);
  }

  const columns: PortalColumn[] = [];
  const visited = new Set<string>();
  const visit = (raw: RawColumn, parent: PortalColumn | null, inKeyArea: string | null): void => {
    visited.add(raw.id);
    const updateClass = raw.updateClass ?? parent?.updateClass;
    if (!updateClass) {
      fc.issue(join(raw.at.path, 'updateClass'), `required on a top-level column (expected one of ${UPDATE_CLASSES.join(', ')})`, raw.at.line);
      ok = false;
    }
    if (raw.keyArea && !raw.updateClass) {
      fc.issue(join(raw.at.path, 'updateClass'), `required on a key-area column (expected one of ${UPDATE_CLASSES.join(', ')})`, raw.at.line);
      ok = false;
    }
    if (raw.keyArea && inKeyArea) {
      fc.issue(join(raw.at.path, 'keyArea'), `a key-area column cannot sit inside another key area ("${inKeyArea}")`, raw.at.line);
      ok = false;
    }
    const column: PortalColumn = {
      id: raw.id,
      name: raw.name,
      parentId: parent?.id ?? null,
      updateClass: updateClass ?? 'other',
      keyArea: raw.keyArea,
      path: [...(parent?.path ?? []), raw.name],
    };
    columns.push(column);
    const nameIsNew = siblingNameCheck(fc, `another column under "${raw.name}"`);
    for (const child of children.get(raw.id) ?? []) {
      if (!nameIsNew(child)) ok = false;
      visit(child, column, raw.keyArea ? raw.id : inKeyArea);
    }
  };
  const rootNameIsNew = siblingNameCheck(fc, 'another top-level column');
  for (const raw of children.get(null) ?? []) {
    if (!rootNameIsNew(raw)) ok = false;
    visit(raw, null, null);
  }
  // A block attached by parentId to a column inside itself is never reached from a root.
  const parentOf = (raw: RawColumn): string | null => raw.declaredParent?.id ?? raw.nestedParent;
  for (const raw of raws) {
    if (visited.has(raw.id) || !raw.declaredParent) continue;
    let cursor: RawColumn | undefined = raw;
    for (let steps = 0; cursor && steps <= raws.length; steps++) {
      const up = parentOf(cursor);
      if (up === raw.id) {
        fc.issue(raw.declaredParent.at.path, `parentId "${raw.declaredParent.id}" makes a cycle: that column is inside this block`, raw.declaredParent.at.line);
        ok = false;
        break;
      }
      cursor = up === null ? undefined : byId.get(up);
    }
  }
  return ok ? { columns, ids: new Set(ids.ids()) } : { columns: [], ids: new Set(ids.ids()) };
}
