/** Typed readers of YAML values (mappings of known keys, lists, text, enums, booleans) that report every problem with its line. */
import { isMap, isScalar, isSeq } from 'yaml';
import { describe, join, forEachKey, type At, type FileCheck } from './yaml-lines.js';

export interface Shape {
  required: readonly string[];
  optional?: readonly string[];
  /** Keys an earlier release took, with what to write instead: said in place of "unknown key". */
  replaced?: Readonly<Record<string, string>>;
}

/** Reads a mapping with a known set of keys; reports unknown and missing keys. */
export function readMap(fc: FileCheck, at: At, shape: Shape, what: string): Map<string, At> | undefined {
  if (!isMap(at.node)) {
    fc.issue(at.path, `expected ${what} (a mapping), got ${describe(at.node)}`, at.line);
    return undefined;
  }
  const allowed = [...shape.required, ...(shape.optional ?? [])];
  const out = new Map<string, At>();
  forEachKey(fc, at, at.node, 'keys must be plain text', undefined, (key, value, keyLine) => {
    const keyPath = join(at.path, key);
    if (allowed.includes(key)) out.set(key, fc.at(value, keyPath, keyLine));
    else if (shape.replaced && Object.hasOwn(shape.replaced, key)) fc.issue(keyPath, shape.replaced[key]!, keyLine);
    else fc.issue(keyPath, `unknown key (allowed: ${allowed.join(', ')})`, keyLine);
  });
  for (const key of shape.required) {
    if (!out.has(key)) fc.issue(join(at.path, key), `required field is missing`, at.line);
  }
  return out;
}

/** Reads a list; `undefined` (after reporting) when it is not one. */
export function readSeq(fc: FileCheck, at: At, what: string): At[] | undefined {
  if (!isSeq(at.node)) {
    fc.issue(at.path, `expected a list of ${what}, got ${describe(at.node)}`, at.line);
    return undefined;
  }
  return at.node.items.map((item, i) => fc.at(item, `${at.path}[${i}]`, at.line));
}

/** The list held by the single key `key` of a mapping (`accounts:`, `items:`, `columns:`). */
export function readListUnder(fc: FileCheck, at: At, key: string, what: string, itemsWhat: string): At[] | undefined {
  const listAt = readMap(fc, at, { required: [key] }, what)?.get(key);
  return listAt ? readSeq(fc, listAt, itemsWhat) : undefined;
}

/**
 * Reads each item of a list as a mapping of `shape` through `read`; `complete` is false when any
 * item was not a proper mapping or `read` found a problem in it (and returned `undefined`).
 */
export function readEntries<T>(
  fc: FileCheck,
  items: At[],
  shape: Shape,
  what: string,
  read: (fields: Map<string, At>, at: At) => T | undefined,
): { entries: T[]; complete: boolean } {
  const entries: T[] = [];
  let complete = true;
  for (const at of items) {
    const fields = readMap(fc, at, shape, what);
    const entry = fields && read(fields, at);
    if (entry === undefined) complete = false;
    else entries.push(entry);
  }
  return { entries, complete };
}

export interface TextRule {
  pattern?: RegExp;
  patternHint?: string;
  /** The field names a secret: a value that does not fit may be the secret itself, so it is never quoted back. */
  secretName?: boolean;
}

export function readString(fc: FileCheck, at: At | undefined, opts: TextRule = {}): string | undefined {
  if (!at) return undefined;
  const node = at.node;
  if (!isScalar(node) || node.value === null) {
    fc.issue(at.path, `expected text, got ${describe(node)}`, at.line);
    return undefined;
  }
  if (typeof node.value !== 'string') {
    fc.issue(at.path, `expected text, got ${opts.secretName ? `a ${typeof node.value}` : describe(node)} (put it in quotes)`, at.line);
    return undefined;
  }
  const value = node.value.trim();
  if (value === '') {
    fc.issue(at.path, 'must not be empty', at.line);
    return undefined;
  }
  if (opts.pattern && !opts.pattern.test(value)) {
    const got = opts.secretName ? 'got a value that is not shown (it may be the secret itself: never write one here)' : `got "${value}"`;
    fc.issue(at.path, `${opts.patternHint ?? `must match ${String(opts.pattern)}`}, ${got}`, at.line);
    return undefined;
  }
  return value;
}

export function readEnum<T extends string>(fc: FileCheck, at: At | undefined, values: readonly T[]): T | undefined {
  if (!at) return undefined;
  const node = at.node;
  if (isScalar(node) && typeof node.value === 'string' && (values as readonly string[]).includes(node.value)) {
    return node.value as T;
  }
  fc.issue(at.path, `expected one of ${values.join(', ')}, got ${describe(node)}`, at.line);
  return undefined;
}

export function readBool(fc: FileCheck, at: At | undefined): boolean | undefined {
  if (!at) return undefined;
  if (isScalar(at.node) && typeof at.node.value === 'boolean') return at.node.value;
  fc.issue(at.path, `expected true or false, got ${describe(at.node)}`, at.line);
  return undefined;
}

/** A non-empty list of distinct texts (or of `values`); `undefined` after reporting any problem. */
export function readStringList<T extends string = string>(
  fc: FileCheck,
  at: At | undefined,
  what: string,
  opts: TextRule & { values?: readonly T[] } = {},
): T[] | undefined {
  if (!at) return undefined;
  const items = readSeq(fc, at, what);
  if (!items) return undefined;
  if (items.length === 0) {
    fc.issue(at.path, `must list at least one of the ${what}`, at.line);
    return undefined;
  }
  const out: T[] = [];
  let ok = true;
  const seen = new Map<string, number | undefined>();
  for (const item of items) {
    const value = opts.values
      ? readEnum(fc, item, opts.values)
      : (readString(fc, item, { pattern: opts.pattern, patternHint: opts.patternHint }) as T | undefined);
    if (value === undefined) {
      ok = false;
      continue;
    }
    if (seen.has(value)) {
      fc.issue(item.path, `"${value}" is listed twice (first at line ${seen.get(value) ?? '?'})`, item.line);
      ok = false;
      continue;
    }
    seen.set(value, item.line);
    out.push(value);
  }
  return ok ? out : undefined;
}
