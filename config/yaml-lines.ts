/** Reads a YAML file keeping the line of every value, so each problem can be reported as `file:line: key.path: …`. */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode, type YAMLMap } from 'yaml';
import { ConfigError, type ConfigIssue } from '../domain/errors.js';
import { decodeUtf8 } from '../domain/utf8.js';

export type Val = YamlNode | null;

/** A value in a file together with its key path and line. */
export interface At {
  node: Val;
  path: string;
  line: number | undefined;
}

/** One file being checked: its parsed document, the issues found in it and the line of each key path read. */
export class FileCheck {
  readonly lines = new Map<string, number>();
  doc: Document.Parsed | undefined;
  private readonly lc = new LineCounter();

  constructor(
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
        this.issue('', yamlSyntaxMessage(err, pos.col), pos.line || undefined);
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

/** A YAML syntax error as the registry's files report it: the parser's sentence, the column and what to do. */
export function yamlSyntaxMessage(err: { code: string; message: string }, column: number): string {
  const hint = SYNTAX_HINTS[err.code];
  return `YAML syntax error: ${firstLine(err.message)} (column ${column}${hint ? `; ${hint}` : ''})`;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/** A value as named in messages: `"text"`, `number 3`, `a list`, … */
export function describe(node: Val): string {
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

/** `base.key`, or `key` at the root. */
export function join(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

/**
 * Visits the keys of a mapping that are text (and match `keyPattern` when given), in file order;
 * every other key is reported at the mapping's path as `${complaint}, got …`. False when any was.
 */
export function forEachKey(
  fc: FileCheck,
  at: At,
  map: YAMLMap,
  complaint: string,
  keyPattern: RegExp | undefined,
  visit: (key: string, value: unknown, keyLine: number | undefined) => void,
): boolean {
  let complete = true;
  for (const pair of map.items) {
    const keyNode = fc.deref(pair.key);
    const keyLine = fc.lineOf(keyNode) ?? at.line;
    if (!isScalar(keyNode) || typeof keyNode.value !== 'string' || (keyPattern && !keyPattern.test(keyNode.value))) {
      fc.issue(at.path, `${complaint}, got ${describe(keyNode)}`, keyLine);
      complete = false;
      continue;
    }
    visit(keyNode.value, pair.value, keyLine);
  }
  return complete;
}

/**
 * A YAML file's bytes as text (a UTF-8 byte-order mark dropped), or why they are not UTF-8 and on
 * which line: a file saved in GBK by an editor set to the system code page was read with every
 * Chinese name turned into U+FFFD, and reported as duplicate names or taken as garbled ones.
 */
export function yamlFileText(bytes: Uint8Array, options: { secret?: boolean } = {}): { text: string } | { message: string; line?: number } {
  const decoded = decodeUtf8(bytes, { dropByteOrderMark: true });
  if ('text' in decoded) return decoded;
  const { problem } = decoded;
  // The bytes are quoted to tell GBK from a stray byte; a secrets file's may be a credential's.
  if (problem.kind === 'utf16')
    return {
      message: `the file is UTF-16 (${options.secret ? 'two bytes a character' : `it begins ${problem.begins}`}), not UTF-8: save it encoded in UTF-8 (convert it, e.g. iconv -f UTF-16 -t UTF-8)`,
    };
  return {
    message: `the file is not UTF-8: byte ${problem.byte} starts an invalid sequence${options.secret ? '' : ` (${problem.bytes})`}; save it encoded in UTF-8 (a file in GBK: convert it first, e.g. iconv -f GBK -t UTF-8)`,
    line: problem.line,
  };
}

/** `yamlFileText`, throwing the ConfigError that names the file (as `shown`) and the line. */
export function yamlFileTextOrThrow(bytes: Uint8Array, shown: string, options: { secret?: boolean } = {}): string {
  const read = yamlFileText(bytes, options);
  if ('text' in read) return read.text;
  throw new ConfigError([{ file: shown, path: '', message: read.message, line: read.line }]);
}
