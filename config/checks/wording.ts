/**
 * Checks `wording.yaml`, the gate's wording list (错词 → 正词, blocked terms, officials' names and
 * titles): each entry's kind, its forms, its level, and no wrong form listed twice.
 */
import { WORDING_KINDS, WORDING_LEVELS, wordingKey, type WordingEntry } from '../../domain/content-gate/wording.js';
import { unsafeTextProblem } from '../../domain/text.js';
import { readEntries, readEnum, readListUnder, readSeq, readString, type Shape } from '../yaml-fields.js';
import type { At, FileCheck } from '../yaml-lines.js';

const ENTRY_SHAPE: Shape = { required: ['kind', 'wrong', 'level'], optional: ['right', 'allow', 'note'] };
/** A form is a word or a short phrase: one character alone would match everywhere. */
const MIN_FORM = 2;
const MAX_FORM = 50;

function readForm(fc: FileCheck, at: At | undefined): string | undefined {
  const value = readString(fc, at);
  if (value === undefined || !at) return undefined;
  const unsafe = unsafeTextProblem(value);
  if (unsafe) {
    fc.issue(at.path, unsafe, at.line);
    return undefined;
  }
  const length = [...value].length;
  if (length < MIN_FORM || length > MAX_FORM) {
    fc.issue(at.path, `must be ${MIN_FORM} to ${MAX_FORM} characters (a word or a short phrase), got ${length}: "${value}"`, at.line);
    return undefined;
  }
  return value;
}

/** The entries, or `undefined` when any has a problem (all reported). An empty list is allowed. */
export function checkWording(fc: FileCheck, root: At): WordingEntry[] | undefined {
  const items = readListUnder(fc, root, 'entries', 'the wording list (用语核对表)', 'wording entries');
  if (!items) return undefined;
  const firstLine = new Map<string, { line: number | undefined; form: string }>();
  const { entries, complete } = readEntries(fc, items, ENTRY_SHAPE, 'a wording entry', (fields, at): WordingEntry | undefined => {
    const kind = readEnum(fc, fields.get('kind'), WORDING_KINDS);
    const level = readEnum(fc, fields.get('level'), WORDING_LEVELS);
    const wrongAt = fields.get('wrong');
    const wrong = readForm(fc, wrongAt);
    const rightAt = fields.get('right');
    const right = rightAt ? readForm(fc, rightAt) : undefined;
    const note = fields.get('note') ? readString(fc, fields.get('note')) : undefined;
    let ok = kind !== undefined && level !== undefined && wrong !== undefined && (!rightAt || right !== undefined);
    if (kind && kind !== 'blocked' && !rightAt) {
      fc.issue(`${at.path}.right`, `a "${kind}" entry needs its right form (what to write instead of "${wrong ?? '…'}")`, at.line);
      ok = false;
    }
    if (wrong !== undefined && wrongAt && wordingKey(wrong) === '') {
      fc.issue(wrongAt.path, `"${wrong}" is only spacing, marks or invisible characters, which the gate skips: list a word`, wrongAt.line);
      ok = false;
    } else if (wrong !== undefined && right !== undefined && wordingKey(wrong) === wordingKey(right)) {
      // The gate reads traditional as simplified, full-width as half-width and skips spacing inside words.
      const why = wrong === right ? '' : ' once the gate reads it (traditional characters as simplified, full-width as half-width, spacing and marks skipped)';
      fc.issue(rightAt!.path, `the right form "${right}" is the same as the wrong one "${wrong}"${why}: the entry would flag every correct use`, rightAt!.line);
      ok = false;
    }
    if (wrong !== undefined && wrongAt && wordingKey(wrong) !== '') {
      const key = wordingKey(wrong);
      if (firstLine.has(key)) {
        const same = firstLine.get(key)!;
        fc.issue(
          wrongAt.path,
          `"${wrong}" is listed twice (first at line ${same.line ?? '?'}${same.form === wrong ? '' : ` as "${same.form}", which the gate reads the same`}); keep one entry`,
          wrongAt.line,
        );
        ok = false;
      } else firstLine.set(key, { line: wrongAt.line, form: wrong });
    }
    let allow: string[] | undefined;
    const allowAt = fields.get('allow');
    if (allowAt) {
      const words = readSeq(fc, allowAt, 'correct words containing the wrong form');
      allow = [];
      for (const w of words ?? []) {
        const word = readForm(fc, w);
        if (word === undefined) ok = false;
        else if (wrong !== undefined && !wordingKey(word).includes(wordingKey(wrong))) {
          fc.issue(w.path, `"${word}" does not contain the wrong form "${wrong}": list only correct words that contain it`, w.line);
          ok = false;
        } else allow.push(word);
      }
      if (!words) ok = false;
    }
    if (!ok) return undefined;
    return {
      kind: kind!,
      wrong: wrong!,
      level: level!,
      ...(right ? { right } : {}),
      ...(allow?.length ? { allow } : {}),
      ...(note ? { note } : {}),
      line: at.line,
    };
  });
  return complete ? entries : undefined;
}
