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

/** The 31 characters of a 统一社会信用代码 (GB 32100-2015: no I, O, S, V, Z), in the order of their values. */
const CREDIT_CODE_CHARACTERS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/** 组织机构代码 (GB 11714-1997): eight characters weighted, the ninth their check. */
const ORGANIZATION_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

export interface OrganCodeCheckProblem {
  /** The code system its length says it is. */
  system: '统一社会信用代码' | '组织机构代码';
  /** The check character the other characters call for, or null when one of them is not used in the system at all. */
  expected: string | null;
  /** A character the system does not use (I, O, S, V or Z in a 统一社会信用代码). */
  unused?: string;
}

/**
 * Why an organ code is not a real one, or null (it checks, or it is not 9 or 18 characters). Both
 * code systems end in a check character computed from the others, so a placeholder
 * (11610103MB2968XXXX) or a mistyped code is told from a unit's real one; the portal shows the code
 * in every document's 索引号, where an inspector reads it.
 */
export function organCodeCheckProblem(code: string): OrganCodeCheckProblem | null {
  if (code.length === 18) {
    const unused = [...code].find((ch) => !CREDIT_CODE_CHARACTERS.includes(ch));
    if (unused) return { system: '统一社会信用代码', expected: null, unused };
    const sum = CREDIT_CODE_WEIGHTS.reduce((total, weight, i) => total + weight * CREDIT_CODE_CHARACTERS.indexOf(code[i]!), 0);
    const expected = CREDIT_CODE_CHARACTERS[(31 - (sum % 31)) % 31]!;
    return code[17] === expected ? null : { system: '统一社会信用代码', expected };
  }
  if (code.length === 9) {
    const values = [...code.slice(0, 8)].map((ch) => (/[0-9]/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 55));
    const sum = ORGANIZATION_CODE_WEIGHTS.reduce((total, weight, i) => total + weight * values[i]!, 0);
    const check = 11 - (sum % 11);
    const expected = check === 10 ? 'X' : check === 11 ? '0' : String(check);
    return code[8] === expected ? null : { system: '组织机构代码', expected };
  }
  return null;
}

/**
 * What `govpub config check` warns of the scheme's organ codes, one sentence each, beginning with
 * `placeOf(field)` (the file and line). A warning, not a refusal: the sample configuration ships
 * placeholders, and a development run needs no real code.
 */
export function organCodeWarnings(scheme: IndexNumberScheme, placeOf: (field: string) => string, zh = false): string[] {
  const codes: [string, string][] = [
    ['defaultOrganCode', scheme.defaultOrganCode],
    ...Object.entries(scheme.unitOrganCodes).map(([unit, code]): [string, string] => [`units.${unit}`, code]),
  ];
  return codes.flatMap(([where, code]) => {
    const problem = organCodeCheckProblem(code);
    if (!problem) return [];
    const standard = problem.system === '统一社会信用代码' ? 'GB 32100-2015' : 'GB 11714-1997';
    const last = problem.system === '统一社会信用代码' ? 18 : 9;
    if (zh)
      return [
        `${placeOf(where)}：${where} ${code} 不是有效的${problem.system}（${standard}）：${problem.unused ? `不使用字符“${problem.unused}”（不用 I、O、S、V、Z）` : `按前 ${last - 1} 位，第 ${last} 位校验码应为 ${problem.expected}`}。这是示例或录错的代码，门户网站每个文件的索引号都带有它：请填写该机关真实的${problem.system}。`,
      ];
    return [
      `${placeOf(where)}: ${where} ${code} is not a valid ${problem.system} (${standard}): ${problem.unused ? `it holds "${problem.unused}", which the code never uses (no I, O, S, V or Z)` : `its check character, the ${last}th, should be ${problem.expected} for the ${last - 1} before it`}. A sample or mistyped code: every document's 索引号 on the portal carries it; write the organ's real ${problem.system}.`,
    ];
  });
}

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
