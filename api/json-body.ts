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
import { decodeUtf8 } from '../domain/utf8.js';

/** The largest JSON body the API reads (and so the largest package file the CLI sends). */
export const JSON_BODY_LIMIT = 8 * 1024 * 1024;

export const MAX_DEPTH = 64;

const TOO_DEEP = `nested deeper than ${MAX_DEPTH} levels`;
const PROTO_NAME = 'the field name __proto__ is not allowed';
const GIVEN_TWICE = 'appears twice in the same object; send each field once';
/** The Chinese of what the structure check says (the API's issue translation takes them from here). */
export const STRUCTURE_MESSAGES_ZH: Record<string, string> = {
  [TOO_DEEP]: `嵌套超过 ${MAX_DEPTH} 层`,
  [PROTO_NAME]: '不允许使用字段名 __proto__',
  [GIVEN_TWICE]: '在同一对象中出现了两次：每个字段只能发送一次',
};

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
  const fault = jsonStructureFault(text);
  if (fault) throw invalid(fault.path, fault.message);
}

/**
 * The first repeated field name, `__proto__` or excessive depth in valid JSON text, with the
 * field's path and where it stands (`offset`: of the second name given, of the `{` or `[` too deep),
 * so a file's refusal names its line; null when there is none.
 */
export function jsonStructureFault(text: string): { path: string; message: string; messageZh: string; offset: number } | null {
  const fault = (path: string, message: string, offset: number) => ({ path, message, messageZh: STRUCTURE_MESSAGES_ZH[message] ?? message, offset });
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      const top = stack[stack.length - 1];
      const path = childPath(top);
      if (stack.length >= MAX_DEPTH) return fault(path, TOO_DEEP, i);
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
        if (key === '__proto__') return fault(path, PROTO_NAME, i);
        if (top.keys.has(key)) return fault(path, GIVEN_TWICE, i);
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = end - 1;
    }
  }
  return null;
}

/**
 * Where each field of valid JSON text starts, by its path as issues name it (`document.title`,
 * `targets[0]`): the offset of its name for an object's field, of its value for an array's item
 * ('' is the whole value). Recursive: call it on text checkJsonStructure accepted (at most
 * MAX_DEPTH levels). The first of a name given twice is kept.
 */
export function jsonFieldOffsets(text: string): Map<string, number> {
  const offsets = new Map<string, number>();
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const value = (path: string): void => {
    skipSpace();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      skipSpace();
      for (let index = 0; i < text.length && text[i] !== close; index++) {
        let child: string;
        if (c === '{') {
          const start = i;
          const end = stringEnd(text, i);
          const key = JSON.parse(text.slice(i, end)) as string;
          child = path ? `${path}.${key}` : key;
          if (!offsets.has(child)) offsets.set(child, start);
          i = end;
          skipSpace();
          i++; // the colon
        } else {
          skipSpace();
          child = `${path}[${index}]`;
          offsets.set(child, i);
        }
        value(child);
        skipSpace();
        if (text[i] === ',') i++;
        skipSpace();
      }
      i++;
    } else if (c === '"') {
      i = stringEnd(text, i);
    } else {
      while (i < text.length && !',]} \t\n\r'.includes(text[i]!)) i++;
    }
  };
  skipSpace();
  offsets.set('', i);
  value('');
  return offsets;
}

/**
 * Where a field an issue names stands in valid JSON text, as line and column (both from 1): the
 * field itself, or, for one that is missing (a required field left out), the nearest field around
 * it that is there (`document.title` missing: where `document` is). `path` is written as issues
 * write it (`interpretations[0].form`) or as a JSON pointer (`/targets/3`).
 */
export function jsonFieldPlace(text: string, path: string, offsets = jsonFieldOffsets(text)): { line: number; column: number; found: boolean } {
  let wanted = path.startsWith('/')
    ? path
        .split('/')
        .slice(1)
        .map((raw) => raw.replaceAll('~1', '/').replaceAll('~0', '~'))
        .reduce((p, segment) => (/^\d+$/.test(segment) ? `${p}[${segment}]` : p ? `${p}.${segment}` : segment), '')
    : path;
  const found = offsets.has(wanted);
  while (!offsets.has(wanted)) wanted = wanted.replace(/(?:\[\d+\]|\.?[^.[]*)$/, '');
  return { ...lineAndColumn(text, offsets.get(wanted)!), found };
}

/** Line and column (both from 1) of a character offset in text. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/**
 * A JSON body's text, refusing bytes that are not UTF-8 (RFC 8259) with where they are: a GBK file
 * sent as it is would otherwise be stored with its characters replaced by U+FFFD. A leading
 * byte-order mark is kept in a body (and refused by the JSON parser, as RFC 8259 allows) and
 * dropped from a file a person names (`what: 'file'`); UTF-16 is named as such.
 */
export function decodeUtf8Body(body: Uint8Array, what: 'body' | 'file' = 'body'): string {
  const decoded = decodeUtf8(body, { dropByteOrderMark: what === 'file' });
  if ('text' in decoded) return decoded.text;
  // A file's refusal follows its name (`my-package.json: the file is …`).
  const [The, sendIt, SendIt, theZh, sendZh] =
    what === 'body' ? ['The body', 'send the JSON', 'Send JSON', '请求内容', '发送'] : ['the file', 'save it', 'Save it', '文件', '保存'];
  const { problem } = decoded;
  if (problem.kind === 'utf16') {
    // PowerShell's `-Encoding utf8` adds a byte-order mark, which a file may have (dropped) and a body may not.
    const [powerShell, powerShellZh] =
      what === 'file' ? ['; in Windows PowerShell, Out-File -Encoding utf8', '；Windows PowerShell 中用 Out-File -Encoding utf8'] : ['', ''];
    throw new GovpubError(
      'invalid_json',
      `${The} is UTF-16 (it begins ${problem.begins}), not UTF-8: ${sendIt} encoded in UTF-8 (convert it, e.g. iconv -f UTF-16 -t UTF-8${powerShell}).`,
      { status: 400 },
      {
        zh: `${theZh}是 UTF-16 编码（开头为 ${problem.begins}），不是 UTF-8：请以 UTF-8 编码${sendZh} JSON（先转换，例如 iconv -f UTF-16 -t UTF-8${powerShellZh}）。`,
      },
    );
  }
  const { byte, line, bytes } = problem;
  throw new GovpubError(
    'invalid_json',
    `${The} is not UTF-8: byte ${byte} (line ${line}) starts an invalid sequence (${bytes}). ${SendIt} encoded in UTF-8 (a file in GBK: convert it first, e.g. iconv -f GBK -t UTF-8).`,
    { status: 400 },
    {
      zh: `${theZh}不是 UTF-8 编码：第 ${byte} 个字节（第 ${line} 行）起的字节序列无效（${bytes}）。请以 UTF-8 编码${sendZh} JSON（GBK 编码的文件请先转换，例如 iconv -f GBK -t UTF-8）。`,
    },
  );
}

/** A character's code point as U+XXXX when it does not show (a control, a space, a byte-order mark), else null. */
function unseenCodePoint(ch: string): string | null {
  const code = ch.codePointAt(0)!;
  return code < 0x21 || (code >= 0x7f && code <= 0xa0) || code === 0xfeff ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : null;
}

/** A character as a refusal quotes it: itself when it shows, its code point when it does not. */
function shown(ch: string | undefined): string {
  if (ch === undefined) return 'the end of the text';
  const unseen = unseenCodePoint(ch);
  return unseen ? `the character ${unseen}` : `"${ch}"`;
}

/** `shown` for the Chinese sentence. */
function shownZh(ch: string | undefined): string {
  if (ch === undefined) return '文本末尾';
  const unseen = unseenCodePoint(ch);
  return unseen ? `字符 ${unseen}` : `“${ch}”`;
}

/** What to add when a single quote stands where JSON wants a double one (JavaScript's and Python's habit). */
const singleQuoteHint = (ch: string) => (ch === "'" ? { en: ' (JSON quotes with " only)', zh: '（JSON 只用双引号）' } : { en: '', zh: '' });

const ENDED_EARLY = 'the text ends before the JSON does (a closing brace, bracket or quote is missing)';
const ENDED_EARLY_ZH = '内容在 JSON 结束之前就结束了（缺少右花括号、右方括号或引号）';
const VALUE = 'a value (a string in double quotes, a number, true, false, null, an object or an array)';
const VALUE_ZH = '一个值（双引号中的字符串、数字、true、false、null、对象或数组）';

/** Why text is not JSON, and where: the offset of the first character that cannot be there. */
interface JsonSyntaxProblem {
  offset: number;
  problem: string;
  problemZh: string;
}

/**
 * Where and why `text` is not JSON (RFC 8259), or null when it is: the offset of the first
 * character that cannot be there, and what was expected. JSON.parse's own message quotes a
 * stretch of the body around the fault (a password, a token), and often no position; this says
 * where with one character at most. Iterative, so a deeply nested body cannot exhaust the stack.
 */
function jsonSyntaxProblem(text: string): JsonSyntaxProblem | null {
  // RFC 8259 forbids sending one; the API refuses it rather than guess (the CLI drops it from files).
  if (text.charCodeAt(0) === 0xfeff)
    return {
      offset: 0,
      problem: 'a byte-order mark (U+FEFF) stands before the JSON; send the JSON without it',
      problemZh: 'JSON 之前有字节顺序标记（U+FEFF，BOM）：请去掉它再发送',
    };
  const stack: ('{' | '[')[] = [];
  let i = 0;
  // What may come next: a value, a value or the end of an empty array, a field name, a field name
  // or the end of an empty object, the colon, or a comma / the container's end.
  let expect: 'value' | 'valueOrEnd' | 'key' | 'keyOrEnd' | 'colon' | 'next' = 'value';
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const at = (problem: string, problemZh: string): JsonSyntaxProblem => ({ offset: i, problem, problemZh });
  const endedEarly = () => at(ENDED_EARLY, ENDED_EARLY_ZH);
  const trailingComma = (close: string) =>
    at(
      `a comma stands before "${close}": JSON allows none after the last ${close === '}' ? 'field' : 'element'}; remove it`,
      `“${close}”之前多了一个逗号：JSON 的最后一个${close === '}' ? '字段' : '元素'}之后不能有逗号，请删除`,
    );
  /** Past the string that starts at i, or the problem inside it. */
  const string = (): JsonSyntaxProblem | null => {
    i++;
    for (;;) {
      if (i >= text.length) return endedEarly();
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return null;
      }
      if (c === 92) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)))
            return at('"\\u" in a string must be followed by four hexadecimal digits', '字符串中的“\\u”后面应为四位十六进制数字');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else
          return at(
            `a backslash in a string starts an escape (\\n, \\", \\\\, \\u0041 …); ${shown(e)} cannot follow it`,
            `字符串中的反斜杠用于转义（\\n、\\"、\\\\、\\u0041 等），其后不能是${shownZh(e)}`,
          );
        continue;
      }
      if (c < 0x20)
        return at(
          `${shown(text[i])} cannot stand in a string as it is: write it escaped (\\n, \\t, \\u00XX)`,
          `字符串中不能直接出现${shownZh(text[i])}：请写成转义形式（\\n、\\t、\\u00XX）`,
        );
      i++;
    }
  };
  for (;;) {
    skipSpace();
    const c = text[i];
    if (expect === 'next') {
      if (stack.length === 0)
        return c === undefined ? null : at(`${shown(c)} after the end of the JSON; send one value`, `JSON 已经结束，其后又有${shownZh(c)}：只能发送一个值`);
      const close = stack[stack.length - 1] === '{' ? '}' : ']';
      if (c === ',') {
        i++;
        expect = close === '}' ? 'key' : 'value';
      } else if (c === close) {
        i++;
        stack.pop();
      } else if (c === undefined) return endedEarly();
      else return at(`expected "," or "${close}", found ${shown(c)}`, `此处应为“,”或“${close}”，实际为${shownZh(c)}`);
      continue;
    }
    if (c === undefined) return endedEarly();
    if (expect === 'colon') {
      if (c !== ':') return at(`expected ":" after the field name, found ${shown(c)}`, `字段名之后应为“:”，实际为${shownZh(c)}`);
      i++;
      expect = 'value';
      continue;
    }
    if (expect === 'key' || expect === 'keyOrEnd') {
      if (c === '}' && expect === 'keyOrEnd') {
        i++;
        stack.pop();
        expect = 'next';
        continue;
      }
      // A comma after the last field: JavaScript and many editors allow it, JSON does not.
      if (c === '}') return trailingComma(c);
      if (c !== '"')
        return at(
          `expected a field name in double quotes, found ${shown(c)}${singleQuoteHint(c).en}`,
          `此处应为双引号中的字段名，实际为${shownZh(c)}${singleQuoteHint(c).zh}`,
        );
      const problem = string();
      if (problem) return problem;
      expect = 'colon';
      continue;
    }
    // A value (or, in a new array, its end).
    if (c === ']' && expect === 'value' && stack[stack.length - 1] === '[') return trailingComma(c);
    if (c === ']' && expect === 'valueOrEnd') {
      i++;
      stack.pop();
      expect = 'next';
    } else if (c === '{' || c === '[') {
      i++;
      stack.push(c);
      expect = c === '{' ? 'keyOrEnd' : 'valueOrEnd';
    } else if (c === '"') {
      const problem = string();
      if (problem) return problem;
      expect = 'next';
    } else {
      const literal = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null/y;
      literal.lastIndex = i;
      const match = literal.exec(text);
      if (!match) return at(`expected ${VALUE}, found ${shown(c)}${singleQuoteHint(c).en}`, `此处应为${VALUE_ZH}，实际为${shownZh(c)}${singleQuoteHint(c).zh}`);
      i = literal.lastIndex;
      expect = 'next';
    }
  }
}

/** Where text that JSON.parse refused stops being JSON, as line and column (both from 1), and why. */
export function jsonFault(text: string): { line: number; column: number; problem: string; problemZh: string } {
  const fault = jsonSyntaxProblem(text) ?? { offset: text.length, problem: 'not JSON', problemZh: '不是 JSON' };
  return { ...lineAndColumn(text, fault.offset), problem: fault.problem, problemZh: fault.problemZh };
}

/** Parses a JSON request body; undefined for an empty one. Throws GovpubError (400) saying where and why. */
export function parseJsonBody(json: string): unknown {
  if (json.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    const { line, column, problem, problemZh } = jsonFault(json);
    throw new GovpubError(
      'invalid_json',
      `The body is not valid JSON at line ${line}, column ${column}: ${problem}.`,
      { status: 400, line, column },
      { zh: `请求内容不是有效的 JSON：第 ${line} 行第 ${column} 列：${problemZh}。` },
    );
  }
  checkJsonStructure(json);
  return value;
}
