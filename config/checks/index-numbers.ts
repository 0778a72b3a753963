/**
 * Checks `index-numbers.yaml`: the 索引号 scheme (domain/index-number.ts): the default organ code,
 * the organ code of units that publish under their own, and the serial's width.
 */
import { isMap, isScalar } from 'yaml';
import { MAX_SERIAL_WIDTH, MIN_SERIAL_WIDTH, ORGAN_CODE_HINT, ORGAN_CODE_PATTERN } from '../../domain/index-number.js';
import type { IndexNumberScheme } from '../../domain/registry.js';
import { readMap, readString } from '../yaml-fields.js';
import { describe, type At, type FileCheck } from '../yaml-lines.js';

const ORGAN_CODE = { pattern: ORGAN_CODE_PATTERN, patternHint: `must be ${ORGAN_CODE_HINT}` };

export interface IndexNumbersContext {
  /** Unit ids, when units.yaml could be read. */
  unitIds: Set<string> | undefined;
}

export function checkIndexNumbers(fc: FileCheck, root: At, ctx: IndexNumbersContext): IndexNumberScheme | undefined {
  const fields = readMap(fc, root, { required: ['defaultOrganCode', 'serialWidth'], optional: ['units'] }, 'the index number scheme (索引号)');
  if (!fields) return undefined;
  const defaultOrganCode = readString(fc, fields.get('defaultOrganCode'), ORGAN_CODE);
  let ok = defaultOrganCode !== undefined;

  const widthAt = fields.get('serialWidth');
  let serialWidth: number | undefined;
  if (widthAt) {
    const value = isScalar(widthAt.node) ? widthAt.node.value : undefined;
    if (typeof value === 'number' && Number.isInteger(value) && value >= MIN_SERIAL_WIDTH && value <= MAX_SERIAL_WIDTH) serialWidth = value;
    else {
      fc.issue(
        widthAt.path,
        `expected a whole number from ${MIN_SERIAL_WIDTH} to ${MAX_SERIAL_WIDTH} (digits of the serial), got ${describe(widthAt.node)}`,
        widthAt.line,
      );
      ok = false;
    }
  }

  const unitOrganCodes: Record<string, string> = {};
  const unitsAt = fields.get('units');
  if (unitsAt && !(isScalar(unitsAt.node) && unitsAt.node.value === null)) {
    // Without units.yaml (its own problems are listed) the unit ids cannot be checked: every key was
    // called unknown, with an empty list of allowed ones, and sent the reader to the wrong file.
    const allowed = ctx.unitIds
      ? [...ctx.unitIds]
      : isMap(unitsAt.node)
        ? unitsAt.node.items.flatMap((p) => (isScalar(p.key) ? [String(p.key.value)] : []))
        : [];
    const units = readMap(fc, unitsAt, { required: [], optional: allowed }, 'unit ids mapped to organ codes');
    if (!units) ok = false;
    else {
      for (const [unit, at] of units) {
        const code = readString(fc, at, ORGAN_CODE);
        if (code === undefined) ok = false;
        else unitOrganCodes[unit] = code;
      }
    }
  }
  if (!ok || defaultOrganCode === undefined || serialWidth === undefined) return undefined;
  return { defaultOrganCode, unitOrganCodes, serialWidth };
}
