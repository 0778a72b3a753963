/**
 * Checks `units.yaml`: the owner units, the portal columns each maintains and which runs the media
 * center; then, across files, that every account's ownerUnit is a listed unit and every listed
 * portal column exists. Problems carry file and line like every other registry check.
 */
import type { NewMediaAccount, Unit } from '../../domain/registry.js';
import { PORTAL_DEFAULT_UNIT_NAME } from '../../domain/units.js';
import { didYouMean } from '../did-you-mean.js';
import { IdSet, readSlug, SLUG_RULE } from '../registry-ids.js';
import { readBool, readEntries, readListUnder, readSeq, readString, type Shape } from '../yaml-fields.js';
import type { At, FileCheck } from '../yaml-lines.js';

const UNIT_SHAPE: Shape = { required: ['id', 'name'], optional: ['portalColumns', 'mediaCenter'] };

export interface UnitsContext {
  /** Portal column ids, when portal-columns.yaml could be read. */
  portalIds: Set<string> | undefined;
  portalFile: string;
}

/** The units, or `undefined` when any has a problem (all reported). */
export function checkUnits(fc: FileCheck, root: At, ctx: UnitsContext): Unit[] | undefined {
  const items = readListUnder(fc, root, 'units', 'the unit list', 'units');
  if (!items) return undefined;
  const ids = new IdSet(fc, 'unit id');
  const names = new Map<string, At>();
  const columnOwners = new Map<string, At>();
  const { entries, complete } = readEntries(fc, items, UNIT_SHAPE, 'a unit', (fields): Unit | undefined => {
    const idAt = fields.get('id');
    const id = readSlug(fc, idAt);
    const nameAt = fields.get('name');
    const name = readString(fc, nameAt);
    let ok = ids.add(id, idAt);
    if (name !== undefined && nameAt) {
      const first = names.get(name);
      if (first) {
        fc.issue(nameAt.path, `duplicate unit name "${name}" (first used at line ${first.line ?? '?'}, ${first.path})`, nameAt.line);
        ok = false;
      } else names.set(name, nameAt);
    }
    const portalColumns = readColumns(fc, fields.get('portalColumns'), ctx, columnOwners);
    const mediaCenterAt = fields.get('mediaCenter');
    const mediaCenter = mediaCenterAt ? readBool(fc, mediaCenterAt) : false;
    if (!ok || id === undefined || name === undefined || !portalColumns || mediaCenter === undefined) return undefined;
    return { id, name, portalColumns, mediaCenter };
  });
  if (!complete) return undefined;

  let ok = true;
  if (!entries.some((u) => u.name === PORTAL_DEFAULT_UNIT_NAME)) {
    fc.issue('units', `must list ${PORTAL_DEFAULT_UNIT_NAME}: it maintains every portal column no other unit lists`, root.line);
    ok = false;
  }
  const mediaCenters = entries.filter((u) => u.mediaCenter);
  if (mediaCenters.length !== 1) {
    const which = mediaCenters.length === 0 ? 'none does' : `${mediaCenters.map((u) => u.id).join(', ')} do`;
    fc.issue('units', `exactly one unit must say mediaCenter: true (it owns the media-center columns); ${which}`, root.line);
    ok = false;
  }
  return ok ? entries : undefined;
}

/** A unit's portal columns: known ids, each listed by one unit only. */
function readColumns(fc: FileCheck, at: At | undefined, ctx: UnitsContext, owners: Map<string, At>): string[] | undefined {
  if (!at) return [];
  const items = readSeq(fc, at, 'portal column ids');
  if (!items) return undefined;
  const out: string[] = [];
  let ok = true;
  for (const item of items) {
    const column = readString(fc, item, SLUG_RULE);
    if (column === undefined) {
      ok = false;
      continue;
    }
    if (ctx.portalIds && !ctx.portalIds.has(column)) {
      fc.issue(item.path, `unknown portal column "${column}" (not in ${ctx.portalFile})${didYouMean(column, ctx.portalIds)}`, item.line);
      ok = false;
      continue;
    }
    const first = owners.get(column);
    if (first) {
      fc.issue(item.path, `portal column "${column}" is already maintained by the unit at line ${first.line ?? '?'} (${first.path}); list it once`, item.line);
      ok = false;
      continue;
    }
    owners.set(column, item);
    out.push(column);
  }
  return ok ? out : undefined;
}

/** Every account's ownerUnit must be the name of a listed unit; problems point at accounts.yaml. */
export function checkAccountUnits(accountsFc: FileCheck, accounts: NewMediaAccount[], units: Unit[], unitsFile: string): boolean {
  const names = new Set(units.map((u) => u.name));
  let ok = true;
  accounts.forEach((account, i) => {
    if (names.has(account.ownerUnit)) return;
    const keyPath = `accounts[${i}].ownerUnit`;
    accountsFc.issue(
      keyPath,
      `owner unit "${account.ownerUnit}" is not listed in ${unitsFile}${didYouMean(account.ownerUnit, names)}; add the unit there or correct the name`,
      accountsFc.lines.get(keyPath),
    );
    ok = false;
  });
  return ok;
}
