/**
 * Loads the channel registry from `config/registry/*.yaml` and validates it.
 *
 * Every problem is collected (not only the first) and reported with file, line and key path,
 * e.g. `config/registry/accounts.yaml:41: accounts[3].platform: expected one of wechat_oa, …,
 * got "wexin"`; a `ConfigError` lists them all. The returned registry is deeply frozen.
 * Each file has its checker in `config/checks/`; this module reads the files, runs the checkers,
 * assembles the registry and computes its digest.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type ConfigIssue } from '../domain/errors.js';
import { parentColumnIds, type Registry } from '../domain/registry.js';
import { canonicalJson } from '../domain/canonical-json.js';
import { checkAccounts } from './checks/accounts.js';
import { checkCatalogue } from './checks/catalogue.js';
import { checkCompliance } from './checks/compliance.js';
import { checkWorkdays } from './checks/workdays.js';
import { officialCalendar } from './working-calendar.js';
import { checkIndexNumbers } from './checks/index-numbers.js';
import { checkTopics } from './checks/topics.js';
import { checkMediaCenter } from './checks/media-center.js';
import { checkPortal } from './checks/portal-columns.js';
import { checkReview } from './checks/review.js';
import { checkAccountUnits, checkUnits } from './checks/units.js';
import { REPO_ROOT, displayPath } from './repo-paths.js';
import { FileCheck, yamlFileText, type At } from './yaml-lines.js';
import { deepFreeze } from '../domain/deep-freeze.js';

// Where paths are shown from; importers of the registry have always found these here.
export { REPO_ROOT, displayPath };

export const DEFAULT_REGISTRY_DIR = path.join(REPO_ROOT, 'config', 'registry');

/** The registry files, by role. */
export const REGISTRY_FILES = {
  portal: 'portal-columns.yaml',
  accounts: 'accounts.yaml',
  mediaCenter: 'media-center.yaml',
  catalogue: 'catalogue.yaml',
  review: 'review.yaml',
  units: 'units.yaml',
  topics: 'topics.yaml',
  indexNumbers: 'index-numbers.yaml',
  compliance: 'compliance.yaml',
  workdays: 'workdays.yaml',
} as const;
export type RegistryFileKey = keyof typeof REGISTRY_FILES;
const FILE_KEYS = Object.keys(REGISTRY_FILES) as RegistryFileKey[];

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
// Assembly
// ---------------------------------------------------------------------------------------------

type Texts = Record<RegistryFileKey, { file: string; text?: string; readError?: string; readErrorLine?: number }>;

/**
 * Registries built in this process, by the directory and the exact texts they were built from.
 * Parsing the YAML with its line numbers is a quarter of a second of CPU, and a `govpub start`
 * loads the same files several times (its API, worker and checks); the registry is deeply frozen,
 * so the same texts may share one. Only registries that passed every check are kept, a few.
 */
const built = new Map<string, Registry>();
const BUILT_KEPT = 4;

function build(dir: string, texts: Texts): Registry {
  const hash = createHash('sha256').update(`${dir}\0`);
  for (const key of FILE_KEYS) {
    const { file, text, readError } = texts[key];
    hash.update(`${key}\0${file}\0${text === undefined ? `!${readError ?? ''}` : text}\0`);
  }
  const key = hash.digest('hex');
  const known = built.get(key);
  if (known) return known;
  const registry = buildAndCheck(dir, texts);
  if (built.size >= BUILT_KEPT) built.delete(built.keys().next().value!);
  built.set(key, registry);
  return registry;
}

function buildAndCheck(dir: string, texts: Texts): Registry {
  const issues: ConfigIssue[] = [];
  const checks = {} as Record<RegistryFileKey, FileCheck>;
  const roots = {} as Record<RegistryFileKey, At | undefined>;
  for (const key of FILE_KEYS) {
    const { file, text, readError, readErrorLine } = texts[key];
    const fc = new FileCheck(file, issues);
    checks[key] = fc;
    if (text === undefined) {
      fc.issue('', readError ?? 'cannot read file', readErrorLine);
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
      parentColumnIds: portal ? parentColumnIds(portal.columns) : undefined,
      classes: review ? new Set(Object.keys(review.classes)) : undefined,
      portalFile: checks.portal.file,
      reviewFile: checks.review.file,
    });
  // Column ids are checked against a portal that read without problems (else one bad id would cascade).
  const units =
    roots.units && checkUnits(checks.units, roots.units, { portalIds: portal?.columns.length ? portal.ids : undefined, portalFile: checks.portal.file });
  if (accounts && units) checkAccountUnits(checks.accounts, accounts, units, checks.units.file);
  const topics = roots.topics && checkTopics(checks.topics, roots.topics);
  const indexNumbers =
    roots.indexNumbers && checkIndexNumbers(checks.indexNumbers, roots.indexNumbers, { unitIds: units ? new Set(units.map((u) => u.id)) : undefined });

  const compliance = roots.compliance && checkCompliance(checks.compliance, roots.compliance);
  const calendar = officialCalendar();
  const workdays = roots.workdays && checkWorkdays(checks.workdays, roots.workdays, { officialYears: calendar.years, source: calendar.source });

  if (issues.length > 0 || !portal || !accounts || !mediaCenter || !review || !catalogue || !units || !topics || !indexNumbers || !compliance || !workdays) {
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
    units,
    topics,
    indexNumbers,
    compliance,
    workdays,
  });
  const files = Object.fromEntries(FILE_KEYS.map((k) => [k, checks[k].file])) as Record<RegistryFileKey, string>;
  sources.set(registry, {
    dir,
    files,
    lineOf: (file, keyPath) => checks[file].lines.get(keyPath),
  });
  return registry;
}

/** A registry file's text, or why it is not UTF-8 (as a read error, with its line). */
function fileText(abs: string, bytes: Uint8Array): Texts[RegistryFileKey] {
  const read = yamlFileText(bytes);
  return 'text' in read ? { file: displayPath(abs), text: read.text } : { file: displayPath(abs), readError: read.message, readErrorLine: read.line };
}

function readError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found (every registry file is required)';
  return `cannot read file: ${(err as Error).message}`;
}

/**
 * A registry directory that is not there is one problem, not one per file: GOVPUB_CONFIG_DIR set to
 * a mistyped path listed "file not found" twelve times without saying which setting led there.
 */
function assertRegistryDir(dir: string): void {
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return;
  throw new ConfigError([
    {
      file: displayPath(dir),
      path: '',
      message: `no registry directory here: GOVPUB_CONFIG_DIR must name a directory holding registry/ with the registry files (${Object.values(REGISTRY_FILES).slice(0, 3).join(', ')}, …), as the shipped config/ does; fix it or unset it`,
    },
  ]);
}

/** Loads and validates the registry; throws `ConfigError` listing every problem. */
export async function loadRegistry(dir: string = DEFAULT_REGISTRY_DIR): Promise<Registry> {
  assertRegistryDir(dir);
  const entries = await Promise.all(
    FILE_KEYS.map(async (key) => {
      const abs = path.join(dir, REGISTRY_FILES[key]);
      try {
        return [key, fileText(abs, await readFile(abs))] as const;
      } catch (err) {
        return [key, { file: displayPath(abs), readError: readError(err) }] as const;
      }
    }),
  );
  return build(path.resolve(dir), Object.fromEntries(entries) as Texts);
}

/** Synchronous `loadRegistry`. */
export function loadRegistrySync(dir: string = DEFAULT_REGISTRY_DIR): Registry {
  assertRegistryDir(dir);
  const texts = {} as Texts;
  for (const key of FILE_KEYS) {
    const abs = path.join(dir, REGISTRY_FILES[key]);
    try {
      texts[key] = fileText(abs, readFileSync(abs));
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
