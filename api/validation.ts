/**
 * How the API checks requests against the route schemas (api/schemas.ts): Ajv compiles each
 * declared TypeBox schema, and failures come out as govpub's issues, one per field path
 * (`document.title`, `interpretations[0].form`, `limit`) with a sentence a person can act on.
 *
 * Bodies are checked as sent (no type coercion, unknown fields refused, every problem listed);
 * query strings, path parameters and headers are text, so "20" may stand for the integer 20 and
 * "true" for true, but nothing else is guessed ("0x10", " 5", "1e3" and "" stay text and are
 * refused where a number is expected).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { characterCount } from '../domain/text.js';
import type { FieldIssue } from '../services/package-input.js';

export type HttpPart = 'body' | 'querystring' | 'params' | 'headers';

/** At most this many issues are reported for one request (the first ones, in document order). */
const MAX_ISSUES = 50;

// ajv-formats is CommonJS: its default export is the plugin function itself.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    allowUnionTypes: true,
    coerceTypes: coerce,
    useDefaults: false,
    removeAdditional: false,
  });
  addFormats(ajv);
  // Documentation-only keywords of the route schemas (OpenAPI extensions).
  ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });
  ajv.addKeyword({ keyword: 'x-content', schemaType: 'object' });
  return ajv;
}

const bodyAjv = makeAjv(false);
// Text parts are typed by typeText below, never by Ajv's coercion.
const textAjv = makeAjv(false);
const compiled = new WeakMap<object, ValidateFunction>();

type TextSchema = { properties?: Record<string, { type?: string | string[] }> };

/**
 * Types the text of a query, path or header object in place where its schema asks: plain
 * decimal digits for an integer ("-1" too, so the limit is what gets reported), `true`/`false`
 * for a boolean. Anything else (Ajv's own coercion would take "0x10" as 16, " 5" as 5, "1e3" as
 * 1000 and "" as 0) stays text and fails the type.
 */
function typeText(schema: TextSchema, data: unknown): void {
  if (!data || typeof data !== 'object' || !schema.properties) return;
  const record = data as Record<string, unknown>;
  for (const [key, property] of Object.entries(schema.properties)) {
    const value = record[key];
    if (typeof value !== 'string') continue;
    const types = Array.isArray(property.type) ? property.type : [property.type];
    if ((types.includes('integer') || types.includes('number')) && /^-?\d{1,300}$/.test(value)) record[key] = Number(value);
    else if (types.includes('boolean') && (value === 'true' || value === 'false')) record[key] = value === 'true';
  }
}

/** The validator for one part of a request (cached per schema object). */
export function compileFor(part: HttpPart, schema: object): ValidateFunction {
  const cached = compiled.get(schema);
  if (cached) return cached;
  let fn: ValidateFunction;
  if (part === 'body') fn = bodyAjv.compile(schema);
  else {
    const validate = textAjv.compile(schema);
    fn = Object.assign((data: unknown) => {
      typeText(schema as TextSchema, data);
      const ok = validate(data);
      fn.errors = validate.errors;
      return ok;
    }, validate) as ValidateFunction;
  }
  compiled.set(schema, fn);
  return fn;
}

/** Checks a value against a schema the way a body is checked; [] when it conforms. */
export function check(schema: object, value: unknown): FieldIssue[] {
  const validate = compileFor('body', schema);
  return validate(value) ? [] : issuesFrom(validate.errors ?? [], 'body');
}

/** `/interpretations/0/form` → `interpretations[0].form`. */
export function pathOf(pointer: string): string {
  if (!pointer) return '';
  return pointer
    .split('/')
    .slice(1)
    .map((raw) => raw.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment), '');
}

function join(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

const ARTICLE_TYPES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

const FORMAT_MESSAGES: Record<string, string> = {
  'date-time': 'expected an ISO 8601 date-time with its offset, such as 2026-12-01T09:00:00+08:00',
  date: 'expected a date such as 2026-11-20',
  uri: 'expected an absolute URL such as https://…',
};

function messageOf(error: ErrorObject, part: HttpPart): string {
  const params = error.params as Record<string, unknown>;
  const data = error.data;
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'required';
    case 'additionalProperties':
      return part === 'querystring' ? 'unknown query parameter' : 'unknown field';
    case 'type': {
      const types = String(params.type).split(',');
      const expected = types.map((t) => ARTICLE_TYPES[t] ?? t).join(' or ');
      return `expected ${expected}, got ${part === 'body' ? (data === null ? 'null' : Array.isArray(data) ? 'an array' : typeof data) : describeValue(data)}`;
    }
    case 'minLength':
      return params.limit === 1 ? 'required' : `is ${characterCount(String(data))} characters; at least ${String(params.limit)} needed`;
    case 'maxLength':
      return `is ${characterCount(String(data))} characters; at most ${String(params.limit)} allowed`;
    case 'pattern':
      return typeof parent['x-message'] === 'string'
        ? parent['x-message']
        : `${describeValue(data)} does not have the expected form (${String(params.pattern)})`;
    case 'format':
      return FORMAT_MESSAGES[String(params.format)] ?? `expected the format ${String(params.format)}, got ${describeValue(data)}`;
    case 'enum':
      return `expected one of ${(params.allowedValues as unknown[]).map(String).join(', ')}, got ${describeValue(data)}`;
    case 'const':
      return `expected ${JSON.stringify(params.allowedValue)}, got ${describeValue(data)}`;
    case 'minimum':
    case 'exclusiveMinimum':
      return `must be ${error.keyword === 'minimum' ? 'at least' : 'more than'} ${String(params.limit)}, got ${describeValue(data)}`;
    case 'maximum':
    case 'exclusiveMaximum':
      return `must be ${error.keyword === 'maximum' ? 'at most' : 'less than'} ${String(params.limit)}, got ${describeValue(data)}`;
    case 'minItems':
      return `needs at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `has ${Array.isArray(data) ? data.length : '?'} items; at most ${String(params.limit)} allowed`;
    case 'uniqueItems':
      return `items ${String(params.j)} and ${String(params.i)} are the same; list each once`;
    default:
      return error.message ?? 'is not valid';
  }
}

/**
 * Ajv's errors as govpub issues: one per path (the first problem found there), in the order Ajv
 * reports them, `anyOf` summaries dropped when a branch already said what is wrong.
 */
export function issuesFrom(errors: ErrorObject[], part: HttpPart): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const base = pathOf(error.instancePath);
    const params = error.params as Record<string, unknown>;
    let path = base;
    if (error.keyword === 'required') path = join(base, String(params.missingProperty));
    else if (error.keyword === 'additionalProperties') path = join(base, String(params.additionalProperty));
    if (part === 'headers') path = path.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => `${dash}${c.toUpperCase()}`);
    if (seen.has(path)) continue;
    let message = messageOf(error, part);
    if (part === 'body' && path === '' && error.keyword === 'type') message = 'expected a JSON object';
    seen.add(path);
    issues.push({ path, message });
    if (issues.length >= MAX_ISSUES) break;
  }
  return issues;
}

/** Merges issues found by several checks: one per path, the first check's sentence kept. */
export function mergeIssues(...lists: FieldIssue[][]): FieldIssue[] {
  const seen = new Set<string>();
  const merged: FieldIssue[] = [];
  for (const list of lists) {
    for (const issue of list) {
      if (seen.has(issue.path)) continue;
      seen.add(issue.path);
      merged.push(issue);
    }
  }
  return merged.slice(0, MAX_ISSUES);
}

/** The error code for a request part that failed its schema. */
export function codeFor(part: string): string {
  switch (part) {
    case 'querystring':
      return 'invalid_query';
    case 'params':
      return 'invalid_params';
    case 'headers':
      return 'invalid_header';
    default:
      return 'invalid_body';
  }
}

/** One sentence listing the issues, e.g. `limit: must be at least 1, got -1`. */
export function describeIssues(issues: FieldIssue[], part: string): string {
  const what = part === 'querystring' ? 'query' : part === 'params' ? 'path' : part === 'headers' ? 'headers' : 'body';
  return issues.map((i) => `${i.path || `(${what})`}: ${i.message}`).join('; ');
}
