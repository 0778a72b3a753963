/**
 * The wording list in force: config/registry/wording.yaml, or the file GOVPUB_WORDING_FILE names.
 * Edited without a deploy: each read looks at the file's size and mtime and, when they moved, its
 * hash; a new list is checked (file:line problems) and compiled once. A list that fails its check
 * does not replace the one in force (the gate never runs without a list); the problems are kept
 * for `govpub config check` and the log.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkWording } from '../../config/checks/wording.js';
import { displayPath, REPO_ROOT } from '../../config/repo-paths.js';
import { FileCheck, yamlFileTextOrThrow } from '../../config/yaml-lines.js';
import { compileWording, type WordingEntry, type WordingMatcher } from '../../domain/content-gate/wording.js';
import { ConfigError, type ConfigIssue } from '../../domain/errors.js';

export const DEFAULT_WORDING_FILE = path.join(REPO_ROOT, 'config', 'registry', 'wording.yaml');

/** The wording file in force: GOVPUB_WORDING_FILE, else registry/wording.yaml in the configuration (GOVPUB_CONFIG_DIR, as every registry file). */
export function wordingFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.GOVPUB_WORDING_FILE?.trim();
  if (given) return path.resolve(given);
  const configDir = env.GOVPUB_CONFIG_DIR?.trim();
  return configDir ? path.resolve(configDir, 'registry', 'wording.yaml') : DEFAULT_WORDING_FILE;
}

export interface WordingList {
  file: string;
  /** SHA-256 of the file's text: names this version of the list (the re-scan is keyed by it). */
  digest: string;
  entries: WordingEntry[];
  matcher: WordingMatcher;
}

/** Checks a wording file's text; throws ConfigError with every problem (file:line). */
export function parseWordingList(text: string, file: string): WordingList {
  const issues: ConfigIssue[] = [];
  const fc = new FileCheck(displayPath(file), issues);
  const root = fc.parse(text);
  const entries = root ? checkWording(fc, root) : undefined;
  if (!entries || issues.length > 0) {
    if (issues.length === 0) issues.push({ file: displayPath(file), path: '', message: 'the wording list is incomplete' });
    throw new ConfigError(issues);
  }
  return { file, digest: createHash('sha256').update(text).digest('hex'), entries, matcher: compileWording(entries) };
}

function readProblem(file: string, error: unknown): ConfigError {
  const code = (error as NodeJS.ErrnoException).code;
  const message =
    code === 'ENOENT'
      ? 'file not found (set GOVPUB_WORDING_FILE, or restore registry/wording.yaml in the configuration directory)'
      : `cannot read file: ${(error as Error).message}`;
  return new ConfigError([{ file: displayPath(file), path: '', message }]);
}

/** Loads and checks a wording file (for `govpub config check`). */
export function loadWordingListSync(file: string = wordingFilePath()): WordingList {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw readProblem(file, error);
  }
  return parseWordingList(wordingText(bytes, file), file);
}

/**
 * The file's text. A list saved in GBK (an export from Excel on a Chinese Windows) was read with
 * its Chinese turned into U+FFFD: refused for what it was not (a right form "the same as the wrong
 * one", a word listed twice), or, where the garbled forms stayed apart, taken and matching nothing,
 * so the gate let those words through. Refused as GBK with the file and line instead; the list in
 * force stays.
 */
function wordingText(bytes: Uint8Array, file: string): string {
  return yamlFileTextOrThrow(bytes, displayPath(file));
}

export type WordingChange = (list: WordingList, previous: WordingList | null) => void;

/** The list in force, reloaded when its file changes. */
export class WordingSource {
  private list: WordingList | null = null;
  private seen: { size: number; mtimeMs: number } | null = null;
  /** Problems of the last version of the file that could not replace the list in force. */
  lastProblem: ConfigError | null = null;
  private readonly listeners: WordingChange[] = [];

  constructor(readonly file: string = wordingFilePath()) {}

  /** Called with each new list (the first load included), after it is in force. */
  onChange(listener: WordingChange): void {
    this.listeners.push(listener);
  }

  /** The list in force; the first call fails (ConfigError) when the file is unusable. */
  async current(): Promise<WordingList> {
    let info;
    try {
      info = await stat(this.file);
    } catch (error) {
      if (this.list) {
        this.lastProblem = readProblem(this.file, error);
        return this.list;
      }
      throw readProblem(this.file, error);
    }
    if (this.list && this.seen && this.seen.size === info.size && this.seen.mtimeMs === info.mtimeMs) return this.list;
    const bytes = await readFile(this.file);
    this.seen = { size: info.size, mtimeMs: info.mtimeMs };
    let next: WordingList;
    try {
      const text = wordingText(bytes, this.file);
      if (this.list?.digest === createHash('sha256').update(text).digest('hex')) return this.list;
      next = parseWordingList(text, this.file);
    } catch (error) {
      if (!(error instanceof ConfigError) || !this.list) throw error;
      this.lastProblem = error;
      return this.list;
    }
    const previous = this.list;
    this.list = next;
    this.lastProblem = null;
    for (const listener of this.listeners) listener(next, previous);
    return next;
  }
}
