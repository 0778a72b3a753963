/**
 * 索引号 (index number) of a published document, as government sites show it in the disclosure
 * metadata block: `<organCode>/<year>-<serial>`, e.g. `11610103MB2968XXXX/2026-00012`.
 *
 *   organCode  the publishing organ's code: the package's unit's code from
 *              config/registry/index-numbers.yaml, else the scheme's default (the district government)
 *   year       the calendar year in China (UTC+8) of the package's FIRST release
 *   serial     1, 2, 3 … per organ and year, zero-padded to `serialWidth` digits
 *
 * Assigned once, when the package first enters "releasing" (db/index-numbers.ts, in the same
 * transaction as that step's bookkeeping), and never changed: revisions, re-releases and
 * validity changes keep it. Pure: imported by workflow code through the registry types.
 */
import type { IndexNumberScheme } from './registry.js';

/** 组织机构代码 (9 characters) or 统一社会信用代码 (18 characters): digits and upper-case letters. */
export const ORGAN_CODE_PATTERN = /^(?:[0-9A-Z]{9}|[0-9A-Z]{18})$/;
export const ORGAN_CODE_HINT = 'an organ code: 9 (组织机构代码) or 18 (统一社会信用代码) digits and upper-case letters';

export const MIN_SERIAL_WIDTH = 3;
export const MAX_SERIAL_WIDTH = 8;

/** The organ code 索引号 use for a package made in this unit (null: no unit → the default). */
export function organCodeFor(scheme: IndexNumberScheme, unit: string | null | undefined): string {
  return (unit && scheme.unitOrganCodes[unit]) || scheme.defaultOrganCode;
}

/** The calendar year in China (UTC+8, no daylight saving) of an instant. */
export function chinaYear(at: Date | string | number): number {
  const ms = at instanceof Date ? at.getTime() : typeof at === 'string' ? Date.parse(at) : at;
  return new Date(ms + 8 * 3600_000).getUTCFullYear();
}

/** `<organCode>/<year>-<serial>`; a serial wider than `serialWidth` keeps all its digits (never truncated). */
export function formatIndexNumber(organCode: string, year: number, serial: number, serialWidth: number): string {
  if (!Number.isInteger(serial) || serial < 1) throw new RangeError(`serial must be a positive integer, got ${serial}`);
  return `${organCode}/${year}-${String(serial).padStart(serialWidth, '0')}`;
}

/** The parts of an index number, or null when it is not one. */
export function parseIndexNumber(value: string): { organCode: string; year: number; serial: number } | null {
  const m = /^([0-9A-Z]{9}|[0-9A-Z]{18})\/(\d{4})-(\d+)$/.exec(value);
  if (!m) return null;
  const serial = Number(m[3]);
  return serial >= 1 ? { organCode: m[1]!, year: Number(m[2]), serial } : null;
}
