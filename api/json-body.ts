/**
 * The API's JSON body parser. Beyond JSON.parse it refuses what JSON.parse lets through silently:
 *
 * - a field given twice in one object (`{"title": "a", "title": "b"}`: JSON.parse keeps the last,
 *   a reviewer may have read the first), answered 400 with the field's path;
 * - `__proto__` as a field name (prototype poisoning, as Fastify's own parser refuses it);
 * - nesting deeper than MAX_DEPTH levels.
 *
 * An empty body is no body: the route's schema then says which fields are required.
 */
import { GovpubError } from '../domain/errors.js';

export const MAX_DEPTH = 64;

function invalid(path: string, message: string): GovpubError {
  return new GovpubError('invalid_body', `${path || '(body)'}: ${message}`, { status: 400, issues: [{ path, message }] });
}

type Frame = { kind: 'object'; path: string; keys: Set<string>; key: string | undefined; expectKey: boolean } | { kind: 'array'; path: string; index: number };

function childPath(parent: Frame | undefined): string {
  if (!parent) return '';
  if (parent.kind === 'array') return `${parent.path}[${parent.index}]`;
  return parent.path ? `${parent.path}.${parent.key}` : (parent.key ?? '');
}

/** End index (exclusive) of the string literal that starts at `start` (a `"`). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return text.length;
    let backslashes = 0;
    for (let j = quote - 1; j > start && text.charCodeAt(j) === 92; j--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

/**
 * Walks valid JSON text once (iteratively: deep nesting cannot overflow the stack) and throws on
 * the first repeated field name, `__proto__` or excessive depth.
 */
export function checkJsonStructure(text: string): void {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      const top = stack[stack.length - 1];
      const path = childPath(top);
      if (stack.length >= MAX_DEPTH) throw invalid(path, `nested deeper than ${MAX_DEPTH} levels`);
      stack.push(c === 123 ? { kind: 'object', path, keys: new Set(), key: undefined, expectKey: true } : { kind: 'array', path, index: 0 });
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
    } else if (c === 44 /* , */) {
      const top = stack[stack.length - 1];
      if (top?.kind === 'array') top.index++;
      else if (top?.kind === 'object') top.expectKey = true;
    } else if (c === 34 /* " */) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top?.kind === 'object' && top.expectKey) {
        const key = JSON.parse(text.slice(i, end)) as string;
        const path = top.path ? `${top.path}.${key}` : key;
        if (key === '__proto__') throw invalid(path, 'the field name __proto__ is not allowed');
        if (top.keys.has(key)) throw invalid(path, 'appears twice in the same object; send each field once');
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = end - 1;
    }
  }
}

/** Parses a JSON request body; undefined for an empty one. Throws GovpubError (400) with the path. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GovpubError('invalid_json', `The body is not valid JSON: ${(error as Error).message}.`, { status: 400 });
  }
  checkJsonStructure(text);
  return value;
}
