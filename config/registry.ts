/**
 * Loads the channel registry from `config/registry/*.yaml` and validates it.
 *
 * Every problem is collected (not only the first) and reported with file, line and key path,
 * e.g. `config/registry/accounts.yaml:41: accounts[3].platform: expected one of wechat_oa, …,
 * got "wexin"`; a `ConfigError` lists them all. The returned registry is deeply frozen.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode, type YAMLMap } from 'yaml';
import { ConfigError, type ConfigIssue } from '../domain/errors.js';
import {
  ACCOUNT_PLATFORMS,
  CONTENT_KINDS,
  DISCLOSURE_ATTRIBUTES,
  MEDIA_CENTER_SYSTEMS,
  POLICY_CONTENT_CLASS,
  PUBLISHING_MODES,
  UPDATE_CLASSES,
  type CatalogueItem,
  type ContentKind,
  type DisclosureAttribute,
  type MediaCenterColumn,
  type MediaCenterSystem,
  type NewMediaAccount,
  type Platform,
  type PortalColumn,
  type PublishingMode,
  type Registry,
  type ReviewStage,
  type SecretRef,
  type UpdateClass,
} from '../domain/registry.js';
import { canonicalJson } from '../domain/canonical-json.js';
import { checkAccountAdapter } from './account-adapters.js';

// ---------------------------------------------------------------------------------------------
// Locations
// ---------------------------------------------------------------------------------------------

function findRepoRoot(): string {
  // Nearest ancestor of this module holding package.json (works from the sources and from dist/).
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
    dir = parent;
  }
}

export const REPO_ROOT = findRepoRoot();
export const DEFAULT_REGISTRY_DIR = path.join(REPO_ROOT, 'config', 'registry');

/** The registry files, by role. */
export const REGISTRY_FILES = {
  portal: 'portal-columns.yaml',
  accounts: 'accounts.yaml',
  mediaCenter: 'media-center.yaml',
  catalogue: 'catalogue.yaml',
  review: 'review.yaml',
} as const;
export type RegistryFileKey = keyof typeof REGISTRY_FILES;
const FILE_KEYS = Object.keys(REGISTRY_FILES) as RegistryFileKey[];

/** A path as shown in messages: relative to the repository root when inside it. */
export function displayPath(file: string): string {
  const abs = path.resolve(file);
  const rel = path.relative(REPO_ROOT, abs);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  return abs;
}

/** Where a loaded registry came from, for messages that point back into the YAML. */
export interface RegistrySource {
  dir: string;
  /** Display path of each file. */
  files: Record<RegistryFileKey, string>;
  /** Line of a key path (e.g. `accounts[3].credentials.appSecret`) in one of the files. */
  lineOf(file: RegistryFileKey, keyPath: string): number | undefined;
}

const sources = new WeakMap<Registry, RegistrySource>();

/** The source of a registry returned by `loadRegistry`; `undefined` for one built otherwise. */
export function registrySource(registry: Registry): RegistrySource | undefined {
  return sources.get(registry);
}

// ---------------------------------------------------------------------------------------------
// Reading YAML with locations
// ---------------------------------------------------------------------------------------------

type Val = YamlNode | null;

/** A value in a file together with its key path and line. */
interface At {
  node: Val;
  path: string;
  line: number | undefined;
}

class FileCheck {
  readonly lines = new Map<string, number>();
  doc: Document.Parsed | undefined;
  private readonly lc = new LineCounter();

  constructor(
    readonly key: RegistryFileKey,
    readonly file: string,
    private readonly issues: ConfigIssue[],
  ) {}

  /** Parses the text; reports syntax errors. Returns the root value when the file is usable. */
  parse(text: string): At | undefined {
    const doc = parseDocument(text, { lineCounter: this.lc, prettyErrors: false, uniqueKeys: true });
    this.doc = doc;
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const pos = this.lc.linePos(err.pos[0]);
        const hint = SYNTAX_HINTS[err.code];
        this.issue('', `YAML syntax error: ${firstLine(err.message)} (column ${pos.col}${hint ? `; ${hint}` : ''})`, pos.line || undefined);
      }
      return undefined;
    }
    return { node: this.deref(doc.contents), path: '', line: this.lineOf(doc.contents) ?? 1 };
  }

  issue(keyPath: string, message: string, line?: number): void {
    this.issues.push({ file: this.file, path: keyPath, message, ...(line ? { line } : {}) });
  }

  lineOf(node: Val | undefined): number | undefined {
    const start = node?.range?.[0];
    if (start === undefined) return undefined;
    const { line } = this.lc.linePos(start);
    return line > 0 ? line : undefined;
  }

  deref(node: unknown): Val {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return (node.resolve(this.doc!) as YamlNode | undefined) ?? null;
    return node as YamlNode;
  }

  at(node: unknown, keyPath: string, fallbackLine: number | undefined): At {
    const value = this.deref(node);
    const line = this.lineOf(value) ?? fallbackLine;
    if (line !== undefined && keyPath) this.lines.set(keyPath, line);
    return { node: value, path: keyPath, line };
  }
}

const SYNTAX_HINTS: Partial<Record<string, string>> = {
  BLOCK_AS_IMPLICIT_KEY: 'put text that contains ": " in quotes',
  MULTILINE_IMPLICIT_KEY: 'put text that contains ": " in quotes',
  DUPLICATE_KEY: 'each key may appear only once per entry',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  BAD_INDENT: 'check the indentation against the lines above',
};

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

function describe(node: Val): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'nothing';
    if (typeof v === 'string') return `"${v}"`;
    return `${typeof v} ${String(v)}`;
  }
  return 'an unsupported value';
}

function join(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

interface Shape {
  required: readonly string[];
  optional?: readonly string[];
}

/** Reads a mapping with a known set of keys; reports unknown and missing keys. */
function readMap(fc: FileCheck, at: At, shape: Shape, what: string): Map<string, At> | undefined {
  if (!isMap(at.node)) {
    fc.issue(at.path, `expected ${what} (a mapping), got ${describe(at.node)}`, at.line);
    return undefined;
  }
  const allowed = [...shape.required, ...(shape.optional ?? [])];
  const out = new Map<string, At>();
  for (const pair of (at.node as YAMLMap).items) {
    const keyNode = fc.deref(pair.key);
    const keyLine = fc.lineOf(keyNode) ?? at.line;
    if (!isScalar(keyNode) || typeof keyNode.value !== 'string') {
      fc.issue(at.path, `keys must be plain text, got ${describe(keyNode)}`, keyLine);
      continue;
    }
    const key = keyNode.value;
    const keyPath = join(at.path, key);
    if (!allowed.includes(key)) {
      fc.issue(keyPath, `unknown key (allowed: ${allowed.join(', ')})`, keyLine);
      continue;
    }
    out.set(key, fc.at(pair.value, keyPath, keyLine));
  }
  for (const key of shape.required) {
    if (!out.has(key)) fc.issue(join(at.path, key), `required field is missing`, at.line);
  }
  return out;
}

/** Reads a list; `undefined` (after reporting) when it is not one. */
function readSeq(fc: FileCheck, at: At, what: string): At[] | undefined {
  if (!isSeq(at.node)) {
    fc.issue(at.path, `expected a list of ${what}, got ${describe(at.node)}`, at.line);
    return undefined;
  }
  return at.node.items.map((item, i) => fc.at(item, `${at.path}[${i}]`, at.line));
}

function readString(fc: FileCheck, at: At | undefined, opts: { pattern?: RegExp; patternHint?: string } = {}): string | undefined {
  if (!at) return undefined;
  const node = at.node;
  if (!isScalar(node) || node.value === null) {
    fc.issue(at.path, `expected text, got ${describe(node)}`, at.line);
    return undefined;
  }
  if (typeof node.value !== 'string') {
    fc.issue(at.path, `expected text, got ${describe(node)} (put it in quotes)`, at.line);
    return undefined;
  }
  const value = node.value.trim();
  if (value === '') {
    fc.issue(at.path, 'must not be empty', at.line);
    return undefined;
  }
  if (opts.pattern && !opts.pattern.test(value)) {
    fc.issue(at.path, `${opts.patternHint ?? `must match ${String(opts.pattern)}`}, got "${value}"`, at.line);
    return undefined;
  }
  return value;
}

function readEnum<T extends string>(fc: FileCheck, at: At | undefined, values: readonly T[]): T | undefined {
  if (!at) return undefined;
  const node = at.node;
  if (isScalar(node) && typeof node.value === 'string' && (values as readonly string[]).includes(node.value)) {
    return node.value as T;
  }
  fc.issue(at.path, `expected one of ${values.join(', ')}, got ${describe(node)}`, at.line);
  return undefined;
}

function readBool(fc: FileCheck, at: At | undefined): boolean | undefined {
  if (!at) return undefined;
  if (isScalar(at.node) && typeof at.node.value === 'boolean') return at.node.value;
  fc.issue(at.path, `expected true or false, got ${describe(at.node)}`, at.line);
  return undefined;
}

function readStringList<T extends string = string>(
  fc: FileCheck,
  at: At | undefined,
  what: string,
  opts: { values?: readonly T[]; pattern?: RegExp; patternHint?: string } = {},
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

/** Tracks ids and reports duplicates, naming the first occurrence. */
class IdSet {
  private readonly seen = new Map<string, At>();
  constructor(
    private readonly fc: FileCheck,
    private readonly what: string,
  ) {}

  add(id: string | undefined, at: At | undefined): boolean {
    if (id === undefined || !at) return false;
    const first = this.seen.get(id);
    if (first) {
      this.fc.issue(at.path, `duplicate ${this.what} "${id}" (first used at line ${first.line ?? '?'}, ${first.path})`, at.line);
      return false;
    }
    this.seen.set(id, at);
    return true;
  }

  has(id: string): boolean {
    return this.seen.has(id);
  }

  ids(): string[] {
    return [...this.seen.keys()];
  }
}

const SLUG = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
const SLUG_HINT = 'must be an ASCII slug (lower-case letters, digits, "-" or "_")';
const SECRET_NAME = /^[A-Z][A-Z0-9_]*$/;
const CREDENTIAL_KEY = /^[A-Za-z][A-Za-z0-9_]*$/;
/** Credential keys whose values are secrets and therefore must be given as `{ secret: NAME }`. */
const SECRET_KEY = /secret|token|password|passwd|private/i;

function didYouMean(value: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(value, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(value.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

// ---------------------------------------------------------------------------------------------
// portal-columns.yaml
// ---------------------------------------------------------------------------------------------

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

interface PortalResult {
  columns: PortalColumn[];
  ids: Set<string>;
}

const COLUMN_SHAPE: Shape = { required: ['id', 'name'], optional: ['updateClass', 'keyArea', 'parentId', 'children'] };

/** Stands in for the parent of columns nested under an invalid column (never a valid slug). */
const INVALID_PARENT = '\u0000invalid';

function checkPortal(fc: FileCheck, root: At): PortalResult | undefined {
  const top = readMap(fc, root, { required: ['columns'] }, 'the portal column tree');
  const columnsAt = top?.get('columns');
  if (!columnsAt) return undefined;
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
    const id = readString(fc, idAt, { pattern: SLUG, patternHint: SLUG_HINT });
    const name = readString(fc, fields.get('name'));
    const updateClassAt = fields.get('updateClass');
    const updateClass = updateClassAt ? readEnum(fc, updateClassAt, UPDATE_CLASSES) : undefined;
    const keyAreaAt = fields.get('keyArea');
    const keyArea = keyAreaAt ? readBool(fc, keyAreaAt) : false;
    const parentAt = fields.get('parentId');
    let declaredParent: RawColumn['declaredParent'];
    if (parentAt) {
      const parentId = readString(fc, parentAt, { pattern: SLUG, patternHint: SLUG_HINT });
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

  const topItems = readSeq(fc, columnsAt, 'columns');
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
    const names = new Map<string, RawColumn>();
    for (const child of children.get(raw.id) ?? []) {
      const twin = names.get(child.name);
      if (twin) {
        fc.issue(
          join(child.at.path, 'name'),
          `another column under "${raw.name}" is already named "${child.name}" (line ${twin.at.line ?? '?'}, ${twin.at.path})`,
          child.at.line,
        );
        ok = false;
      } else {
        names.set(child.name, child);
      }
      visit(child, column, raw.keyArea ? raw.id : inKeyArea);
    }
  };
  const rootNames = new Map<string, RawColumn>();
  for (const raw of children.get(null) ?? []) {
    const twin = rootNames.get(raw.name);
    if (twin) {
      fc.issue(
        join(raw.at.path, 'name'),
        `another top-level column is already named "${raw.name}" (line ${twin.at.line ?? '?'}, ${twin.at.path})`,
        raw.at.line,
      );
      ok = false;
    } else {
      rootNames.set(raw.name, raw);
    }
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

// ---------------------------------------------------------------------------------------------
// accounts.yaml
// ---------------------------------------------------------------------------------------------

const ACCOUNT_SHAPE: Shape = { required: ['id', 'name', 'platform', 'ownerUnit', 'publishing'], optional: ['credentials'] };

function checkAccounts(fc: FileCheck, root: At): NewMediaAccount[] | undefined {
  const top = readMap(fc, root, { required: ['accounts'] }, 'the account list');
  const listAt = top?.get('accounts');
  if (!listAt) return undefined;
  const items = readSeq(fc, listAt, 'accounts');
  if (!items) return undefined;
  const ids = new IdSet(fc, 'account id');
  const out: NewMediaAccount[] = [];
  let ok = true;
  for (const at of items) {
    const fields = readMap(fc, at, ACCOUNT_SHAPE, 'an account');
    if (!fields) {
      ok = false;
      continue;
    }
    const idAt = fields.get('id');
    const id = readString(fc, idAt, { pattern: SLUG, patternHint: SLUG_HINT });
    const name = readString(fc, fields.get('name'));
    const platformAt = fields.get('platform');
    const platform = readEnum(fc, platformAt, ACCOUNT_PLATFORMS);
    const ownerUnit = readString(fc, fields.get('ownerUnit'));
    const publishingAt = fields.get('publishing');
    const publishing = readEnum<PublishingMode>(fc, publishingAt, PUBLISHING_MODES);
    const credentialsAt = fields.get('credentials');
    const credentials = credentialsAt ? readCredentials(fc, credentialsAt) : {};
    const unique = ids.add(id, idAt);

    ok = checkAccountAdapter(platform, publishing, (message) => fc.issue(publishingAt!.path, message, publishingAt!.line)) && ok;
    if (publishing === 'api' && credentials && !Object.values(credentials).some((v) => typeof v !== 'string')) {
      fc.issue(
        credentialsAt?.path ?? join(at.path, 'credentials'),
        'an account published through the API needs credentials naming at least one secret, e.g. appSecret: { secret: NAME }',
        credentialsAt?.line ?? at.line,
      );
      ok = false;
    }
    if (id === undefined || name === undefined || !platform || ownerUnit === undefined || !publishing || !credentials || !unique) {
      ok = false;
      continue;
    }
    out.push({ id, name, platform: platform as Platform, ownerUnit, publishing, credentials });
  }
  return ok ? out : undefined;
}

function readCredentials(fc: FileCheck, at: At): Record<string, SecretRef | string> | undefined {
  if (!isMap(at.node)) {
    fc.issue(at.path, `expected credentials (a mapping of name to text or { secret: NAME }), got ${describe(at.node)}`, at.line);
    return undefined;
  }
  const out: Record<string, SecretRef | string> = {};
  let ok = true;
  for (const pair of at.node.items) {
    const keyNode = fc.deref(pair.key);
    const keyLine = fc.lineOf(keyNode) ?? at.line;
    if (!isScalar(keyNode) || typeof keyNode.value !== 'string' || !CREDENTIAL_KEY.test(keyNode.value)) {
      fc.issue(at.path, `credential names must be identifiers like appId or appSecret, got ${describe(keyNode)}`, keyLine);
      ok = false;
      continue;
    }
    const key = keyNode.value;
    const value = fc.at(pair.value, join(at.path, key), keyLine);
    if (isMap(value.node)) {
      const fields = readMap(fc, value, { required: ['secret'] }, 'a secret reference');
      const name = readString(fc, fields?.get('secret'), {
        pattern: SECRET_NAME,
        patternHint: 'must be an environment-variable style name (A-Z, 0-9, _; starting with a letter)',
      });
      if (name === undefined) ok = false;
      else out[key] = { secret: name };
    } else if (SECRET_KEY.test(key)) {
      fc.issue(
        value.path,
        `"${key}" is a secret: name it as { secret: NAME } and supply the value from the environment or the secrets file; secret values never go in the repository`,
        value.line,
      );
      ok = false;
    } else {
      const literal = readString(fc, value);
      if (literal === undefined) ok = false;
      else out[key] = literal;
    }
  }
  return ok ? out : undefined;
}

// ---------------------------------------------------------------------------------------------
// media-center.yaml
// ---------------------------------------------------------------------------------------------

function checkMediaCenter(fc: FileCheck, root: At): MediaCenterColumn[] | undefined {
  const top = readMap(fc, root, { required: MEDIA_CENTER_SYSTEMS }, 'the media-center systems');
  if (!top) return undefined;
  const out: MediaCenterColumn[] = [];
  let ok = true;
  for (const system of MEDIA_CENTER_SYSTEMS) {
    const sysAt = top.get(system);
    if (!sysAt) {
      ok = false;
      continue;
    }
    const sysFields = readMap(fc, sysAt, { required: ['columns'] }, `the ${system} system`);
    const listAt = sysFields?.get('columns');
    const items = listAt ? readSeq(fc, listAt, 'columns') : undefined;
    if (!items) {
      ok = false;
      continue;
    }
    const ids = new IdSet(fc, `${system} column id`);
    for (const at of items) {
      const fields = readMap(fc, at, { required: ['id', 'name', 'contentKinds'] }, 'a media-center column');
      if (!fields) {
        ok = false;
        continue;
      }
      const idAt = fields.get('id');
      const id = readString(fc, idAt, { pattern: SLUG, patternHint: SLUG_HINT });
      const name = readString(fc, fields.get('name'));
      const contentKinds = readStringList<ContentKind>(fc, fields.get('contentKinds'), 'content kinds', { values: CONTENT_KINDS });
      const unique = ids.add(id, idAt);
      if (id === undefined || name === undefined || !contentKinds || !unique) {
        ok = false;
        continue;
      }
      out.push({ id, name, system: system as MediaCenterSystem, contentKinds });
    }
  }
  return ok ? out : undefined;
}

// ---------------------------------------------------------------------------------------------
// review.yaml
// ---------------------------------------------------------------------------------------------

interface ReviewResult {
  stages: ReviewStage[];
  classes: Record<string, string[]>;
}

function checkReview(fc: FileCheck, root: At): ReviewResult | undefined {
  const top = readMap(fc, root, { required: ['stages', 'classes'] }, 'the review configuration');
  if (!top) return undefined;
  let ok = true;
  const stages: ReviewStage[] = [];
  const stageIds = new IdSet(fc, 'stage id');
  const stagesAt = top.get('stages');
  const stageItems = stagesAt ? readSeq(fc, stagesAt, 'review stages') : undefined;
  if (stagesAt && stageItems && stageItems.length === 0) {
    fc.issue(stagesAt.path, 'must define at least one review stage', stagesAt.line);
    ok = false;
  }
  for (const at of stageItems ?? []) {
    const fields = readMap(fc, at, { required: ['id', 'name', 'description', 'roles'] }, 'a review stage');
    if (!fields) {
      ok = false;
      continue;
    }
    const idAt = fields.get('id');
    const id = readString(fc, idAt, { pattern: SLUG, patternHint: SLUG_HINT });
    const name = readString(fc, fields.get('name'));
    const description = readString(fc, fields.get('description'));
    const roles = readStringList(fc, fields.get('roles'), 'roles', { pattern: SLUG, patternHint: SLUG_HINT });
    const unique = stageIds.add(id, idAt);
    if (id === undefined || name === undefined || description === undefined || !roles || !unique) {
      ok = false;
      continue;
    }
    stages.push({ id, name, description, roles });
  }
  if (!stageItems) ok = false;

  const classes: Record<string, string[]> = {};
  const classesAt = top.get('classes');
  if (classesAt) {
    if (!isMap(classesAt.node)) {
      fc.issue(classesAt.path, `expected a mapping of content class to stage ids, got ${describe(classesAt.node)}`, classesAt.line);
      ok = false;
    } else {
      if (classesAt.node.items.length === 0) {
        fc.issue(classesAt.path, 'must configure at least one content class', classesAt.line);
        ok = false;
      }
      const order = new Map(stages.map((s, i) => [s.id, i]));
      for (const pair of classesAt.node.items) {
        const keyNode = fc.deref(pair.key);
        const keyLine = fc.lineOf(keyNode) ?? classesAt.line;
        if (!isScalar(keyNode) || typeof keyNode.value !== 'string' || !/^[a-z][a-z0-9_]*$/.test(keyNode.value)) {
          fc.issue(classesAt.path, `content class names must be ASCII identifiers like policy or news, got ${describe(keyNode)}`, keyLine);
          ok = false;
          continue;
        }
        const cls = keyNode.value;
        const listAt = fc.at(pair.value, join(classesAt.path, cls), keyLine);
        const list = readStringList(fc, listAt, 'stages', { pattern: SLUG, patternHint: SLUG_HINT });
        if (!list) {
          ok = false;
          continue;
        }
        const items = isSeq(listAt.node) ? listAt.node.items : [];
        let last = -1;
        let classOk = true;
        list.forEach((stageId, i) => {
          const itemLine = fc.lineOf(fc.deref(items[i])) ?? listAt.line;
          const pos = order.get(stageId);
          if (pos === undefined) {
            if (stageItems) {
              fc.issue(`${listAt.path}[${i}]`, `unknown review stage "${stageId}" (defined: ${stages.map((s) => s.id).join(', ')})`, itemLine);
            }
            classOk = false;
          } else if (pos < last) {
            fc.issue(
              `${listAt.path}[${i}]`,
              `stage "${stageId}" is out of order: stages run in the order they are defined (${stages.map((s) => s.id).join(' → ')})`,
              itemLine,
            );
            classOk = false;
          } else {
            last = pos;
          }
        });
        if (!classOk) ok = false;
        else classes[cls] = list;
      }
    }
  } else {
    ok = false;
  }
  return ok ? { stages, classes } : undefined;
}

// ---------------------------------------------------------------------------------------------
// catalogue.yaml
// ---------------------------------------------------------------------------------------------

const ITEM_TEXT_FIELDS = [
  'category',
  'name',
  'content',
  'basis',
  'subject',
  'responsibleDepartment',
  'responsibleSection',
  'timeLimit',
  'audience',
  'method',
] as const;

const ITEM_SHAPE: Shape = {
  required: ['id', ...ITEM_TEXT_FIELDS, 'channels', 'attribute', 'portalColumnId', 'contentClass'],
  optional: ['requiresInterpretation'],
};

interface CatalogueContext {
  /** Portal column ids, or `undefined` when the portal file could not be read. */
  portalIds: Set<string> | undefined;
  /** Content classes, or `undefined` when the review file could not be read. */
  classes: Set<string> | undefined;
  portalFile: string;
  reviewFile: string;
}

function checkCatalogue(fc: FileCheck, root: At, ctx: CatalogueContext): CatalogueItem[] | undefined {
  const top = readMap(fc, root, { required: ['items'] }, 'the disclosure catalogue');
  const listAt = top?.get('items');
  if (!listAt) return undefined;
  const items = readSeq(fc, listAt, 'catalogue items');
  if (!items) return undefined;
  const ids = new IdSet(fc, 'catalogue item id');
  const out: CatalogueItem[] = [];
  let ok = true;
  for (const at of items) {
    const fields = readMap(fc, at, ITEM_SHAPE, 'a catalogue item');
    if (!fields) {
      ok = false;
      continue;
    }
    const idAt = fields.get('id');
    const id = readString(fc, idAt, { pattern: SLUG, patternHint: SLUG_HINT });
    const text: Partial<Record<(typeof ITEM_TEXT_FIELDS)[number], string>> = {};
    let itemOk = true;
    for (const key of ITEM_TEXT_FIELDS) {
      const value = readString(fc, fields.get(key));
      if (value === undefined) itemOk = false;
      else text[key] = value;
    }
    const channels = readStringList(fc, fields.get('channels'), 'channels');
    const attribute = readEnum<DisclosureAttribute>(fc, fields.get('attribute'), DISCLOSURE_ATTRIBUTES);

    const columnAt = fields.get('portalColumnId');
    const portalColumnId = readString(fc, columnAt);
    if (portalColumnId !== undefined && ctx.portalIds && !ctx.portalIds.has(portalColumnId)) {
      fc.issue(
        columnAt!.path,
        `unknown portal column "${portalColumnId}" (not in ${ctx.portalFile})${didYouMean(portalColumnId, ctx.portalIds)}`,
        columnAt!.line,
      );
      itemOk = false;
    }
    const classAt = fields.get('contentClass');
    const contentClass = readString(fc, classAt);
    if (contentClass !== undefined && ctx.classes && !ctx.classes.has(contentClass)) {
      fc.issue(
        classAt!.path,
        `content class "${contentClass}" has no review stages in ${ctx.reviewFile} (configured: ${[...ctx.classes].join(', ')})`,
        classAt!.line,
      );
      itemOk = false;
    }
    const interpretationAt = fields.get('requiresInterpretation');
    let requiresInterpretation: boolean | undefined = false;
    if (interpretationAt) {
      requiresInterpretation = readBool(fc, interpretationAt);
    } else if (contentClass === POLICY_CONTENT_CLASS) {
      fc.issue(
        join(at.path, 'requiresInterpretation'),
        'a policy item must say whether it is released with an interpretation (三同步): set true or false',
        at.line,
      );
      itemOk = false;
    }
    const unique = ids.add(id, idAt);
    if (
      !itemOk ||
      !unique ||
      id === undefined ||
      !channels ||
      !attribute ||
      portalColumnId === undefined ||
      contentClass === undefined ||
      requiresInterpretation === undefined
    ) {
      ok = false;
      continue;
    }
    out.push({
      id,
      category: text.category!,
      name: text.name!,
      content: text.content!,
      basis: text.basis!,
      subject: text.subject!,
      responsibleDepartment: text.responsibleDepartment!,
      responsibleSection: text.responsibleSection!,
      timeLimit: text.timeLimit!,
      audience: text.audience!,
      channels,
      method: text.method!,
      attribute,
      portalColumnId,
      contentClass,
      requiresInterpretation,
    });
  }
  return ok ? out : undefined;
}

// ---------------------------------------------------------------------------------------------
// Assembly
// ---------------------------------------------------------------------------------------------

type Texts = Record<RegistryFileKey, { file: string; text?: string; readError?: string }>;

function build(dir: string, texts: Texts): Registry {
  const issues: ConfigIssue[] = [];
  const checks = {} as Record<RegistryFileKey, FileCheck>;
  const roots = {} as Record<RegistryFileKey, At | undefined>;
  for (const key of FILE_KEYS) {
    const { file, text, readError } = texts[key];
    const fc = new FileCheck(key, file, issues);
    checks[key] = fc;
    if (text === undefined) {
      fc.issue('', readError ?? 'cannot read file');
      continue;
    }
    roots[key] = fc.parse(text);
  }

  const portal = roots.portal && checkPortal(checks.portal, roots.portal);
  const accounts = roots.accounts && checkAccounts(checks.accounts, roots.accounts);
  const mediaCenter = roots.mediaCenter && checkMediaCenter(checks.mediaCenter, roots.mediaCenter);
  const review = roots.review && checkReview(checks.review, roots.review);
  const catalogue =
    roots.catalogue &&
    checkCatalogue(checks.catalogue, roots.catalogue, {
      portalIds: portal?.ids,
      classes: review ? new Set(Object.keys(review.classes)) : undefined,
      portalFile: checks.portal.file,
      reviewFile: checks.review.file,
    });

  if (issues.length > 0 || !portal || !accounts || !mediaCenter || !review || !catalogue) {
    if (issues.length === 0) issues.push({ file: displayPath(dir), path: '', message: 'registry is incomplete' });
    const order = new Map(FILE_KEYS.map((k, i) => [checks[k].file, i]));
    issues.sort((a, b) => (order.get(a.file) ?? 99) - (order.get(b.file) ?? 99) || (a.line ?? 0) - (b.line ?? 0));
    throw new ConfigError(issues);
  }

  const registry: Registry = deepFreeze({
    portal: { columns: portal.columns },
    accounts,
    mediaCenter: { columns: mediaCenter },
    catalogue,
    review: { stages: review.stages, classes: review.classes },
  });
  const files = Object.fromEntries(FILE_KEYS.map((k) => [k, checks[k].file])) as Record<RegistryFileKey, string>;
  sources.set(registry, {
    dir,
    files,
    lineOf: (file, keyPath) => checks[file].lines.get(keyPath),
  });
  return registry;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function readError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found (every registry file is required)';
  return `cannot read file: ${(err as Error).message}`;
}

/** Loads and validates the registry; throws `ConfigError` listing every problem. */
export async function loadRegistry(dir: string = DEFAULT_REGISTRY_DIR): Promise<Registry> {
  const entries = await Promise.all(
    FILE_KEYS.map(async (key) => {
      const abs = path.join(dir, REGISTRY_FILES[key]);
      try {
        return [key, { file: displayPath(abs), text: await readFile(abs, 'utf8') }] as const;
      } catch (err) {
        return [key, { file: displayPath(abs), readError: readError(err) }] as const;
      }
    }),
  );
  return build(path.resolve(dir), Object.fromEntries(entries) as Texts);
}

/** Synchronous `loadRegistry`. */
export function loadRegistrySync(dir: string = DEFAULT_REGISTRY_DIR): Registry {
  const texts = {} as Texts;
  for (const key of FILE_KEYS) {
    const abs = path.join(dir, REGISTRY_FILES[key]);
    try {
      texts[key] = { file: displayPath(abs), text: readFileSync(abs, 'utf8') };
    } catch (err) {
      texts[key] = { file: displayPath(abs), readError: readError(err) };
    }
  }
  return build(path.resolve(dir), texts);
}

// ---------------------------------------------------------------------------------------------
// Digest
// ---------------------------------------------------------------------------------------------

/**
 * SHA-256 (hex) of the normalized registry: independent of YAML formatting, comments and key
 * order; changes when any value or any list order (tree order, stage order) changes.
 */
export function registryDigest(registry: Registry): string {
  return createHash('sha256').update(canonicalJson(registry)).digest('hex');
}
