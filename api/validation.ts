/**
 * How the API checks requests against the route schemas (api/schemas.ts): Ajv compiles each
 * declared TypeBox schema, and failures come out as govpub's issues, one per field path
 * (`document.title`, `interpretations[0].form`, `limit`) with a sentence a person can act on.
 *
 * Bodies are checked as sent (no type coercion, unknown fields refused, every problem listed);
 * query strings, path parameters and headers are text, so "20" may stand for the integer 20 and
 * "true" for true, but nothing else is guessed ("0x10", " 5", "1e3", "020", "+20", "20.0" and ""
 * stay text and are refused where a number is expected).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { characterCount } from '../domain/text.js';
import { STRUCTURE_MESSAGES_ZH } from './json-body.js';
import { WEB_LINK_MESSAGES_ZH } from '../domain/web-link.js';
import { platformNameZh } from '../media/specs.js';
import { kindZh } from '../media/units.js';
import type { FieldIssue } from '../services/package-input.js';
import { ACCOUNT_ID_MESSAGE, EXTERNAL_RELEASE_ID_MESSAGE, RUN_ID_MESSAGE, UNIT_ID_MESSAGE } from './schemas/common.js';

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
 * An integer as it is written canonically: "0", or digits without a leading zero, "-" before them
 * for a negative one. "02026" is not 2026: a year or a limit written so is a typing slip or a
 * different notation (octal to some tools), so it is refused rather than read one way.
 */
const CANONICAL_INTEGER = /^(?:0|-?[1-9]\d{0,299})$/;

/**
 * Types the text of a query, path or header object in place where its schema asks: an integer
 * written canonically ("-1" too, so the limit is what gets reported), `true`/`false` for a
 * boolean. Anything else (Ajv's own coercion would take "0x10" as 16, " 5" as 5, "1e3" as 1000,
 * "2026.0" as 2026 and "" as 0; a plain Number() "02026" and "+2026" as 2026) stays text and fails the type.
 */
function typeText(schema: TextSchema, data: unknown): void {
  if (!data || typeof data !== 'object' || !schema.properties) return;
  const record = data as Record<string, unknown>;
  for (const [key, property] of Object.entries(schema.properties)) {
    const value = record[key];
    if (typeof value !== 'string') continue;
    const types = Array.isArray(property.type) ? property.type : [property.type];
    if ((types.includes('integer') || types.includes('number')) && CANONICAL_INTEGER.test(value)) record[key] = Number(value);
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
  // A union of literals (oldest | newest) fails once per literal: name them all, not only the first.
  const literalsAt = new Map<string, unknown[]>();
  for (const error of errors) {
    if (error.keyword !== 'const') continue;
    const at = pathOf(error.instancePath);
    literalsAt.set(at, [...(literalsAt.get(at) ?? []), (error.params as Record<string, unknown>).allowedValue]);
  }
  for (const error of errors) {
    const base = pathOf(error.instancePath);
    const params = error.params as Record<string, unknown>;
    let path = base;
    if (error.keyword === 'required') path = join(base, String(params.missingProperty));
    else if (error.keyword === 'additionalProperties') path = join(base, String(params.additionalProperty));
    if (part === 'headers') path = path.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => `${dash}${c.toUpperCase()}`);
    if (seen.has(path)) continue;
    const literals = error.keyword === 'const' ? (literalsAt.get(base) ?? []) : [];
    let message = literals.length > 1 ? `expected one of ${literals.map(String).join(', ')}, got ${describeValue(error.data)}` : messageOf(error, part);
    if (part === 'body' && path === '' && error.keyword === 'type') message = 'expected a JSON object';
    seen.add(path);
    issues.push({ path, message, messageZh: issueMessageZh(message) } as LocalizedIssue);
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

// ── The same sentences in Simplified Chinese ────────────────────────────────────

/** An issue as the API sends it: the English sentence scripts read and its Chinese form. */
export type LocalizedIssue = FieldIssue & { messageZh?: string; messageEn?: string };

const TYPE_ZH: Record<string, string> = {
  'a string': '字符串',
  'an integer': '整数',
  'a number': '数字',
  'true or false': 'true 或 false',
  'an object': '对象',
  'an array': '数组',
  null: 'null',
  string: '字符串',
  number: '数字',
  boolean: '布尔值',
  object: '对象',
  undefined: '空值',
};

const FORM_ZH: Record<string, string> = {
  text: '文字',
  graphic: '图解',
  cartoon: '漫画',
  video: '视频',
  audio: '音频',
  h5: 'H5',
  leader_interview: '领导访谈',
};

const STRAY_INVISIBLE_ZH: Record<string, string> = {
  'soft hyphen': '软连字符',
  'zero-width space': '零宽空格',
  'word joiner': '词连接符',
  'byte-order mark': '字节顺序标记',
};

const KIND_ZH: Record<string, string> = { image: '图片', audio: '音频', video: '视频' };

/** Sentences said the same way every time (schema `x-message`s, the package body's checks). */
const EXACT_ZH: Record<string, string> = {
  required: '必填',
  'must not be blank': '不能为空白',
  'is one line: remove the line break (only bodies and transcripts run over lines)': '只能写成一行，请删除换行（只有正文和文字实录可以分行）',
  'holds only invisible characters (zero-width spaces or the like), so every channel would show it empty; write the text':
    '只含不可见字符（零宽空格之类），各渠道都会显示为空白，请填写内容',
  'shows nothing once cleaned (no text and no picture: empty paragraphs, or only scripts and styles, which are removed); write the text':
    '清理后没有任何可显示的内容（没有文字也没有图片：只有空段落，或只有会被删除的脚本、样式），请填写正文',
  'unknown field': '未知字段，请删除',
  'unknown query parameter': '未知的查询参数，请删除',
  'unknown channel': '渠道不存在（见 GET /api/channels）',
  'is not valid': '不符合要求',
  'expected a JSON object': '应为 JSON 对象',
  'expected an object': '应为对象',
  'expected an array': '应为数组',
  'expected an object { mediaId, alt }': '应为对象 { mediaId, alt }',
  'expected a channel id string': '应为渠道编号（字符串）',
  'expected an array of platform names': '应为平台名称数组',
  'expected an array of rendition keys': '应为转码规格数组',
  'expected the id of an uploaded image (64 hex characters, from POST /api/media)': '应为已上传图片的编号（64 位十六进制，由 POST /api/media 返回）',
  'expected the id of an uploaded file (64 hex characters, from POST /api/media)': '应为已上传文件的编号（64 位十六进制，由 POST /api/media 返回）',
  [UNIT_ID_MESSAGE]: '应为单位编号，如 jyj（小写字母、数字、_ 和 -），单位列表见 GET /api/units',
  [ACCOUNT_ID_MESSAGE]: '应为 config/registry/accounts.yaml 中的账号编号（小写字母、数字、_ 和 -）',
  [EXTERNAL_RELEASE_ID_MESSAGE]: '应为以字母或数字开头、由字母、数字、“.”“_”“-”组成的编号，如 bz-2026-12',
  [RUN_ID_MESSAGE]: '应为合规检查返回的 workflowId（字母、数字、“.”“_”“:”“-”）',
  'expected the id of an audit entry (digits), from the last page': '应为上一页最后一条审计记录的编号（数字）',
  'expected an ISO 8601 date-time with its offset, such as 2026-12-01T09:00:00+08:00': '应为带时区的 ISO 8601 时间，例如 2026-12-01T09:00:00+08:00',
  'expected a date such as 2026-11-20': '应为日期，例如 2026-11-20',
  'expected an absolute URL such as https://…': '应为完整网址，例如 https://…',
  'contains a control character (such as NUL) or a direction override; remove it': '含有控制字符（如 NUL）或文字方向强制符，请删除',
  'needs a url or a mediaId': '需要提供 url 或 mediaId',
  // An upload's file name (services/media-upload.ts uploadNameProblem), said after 文件名.
  'shows nothing before its extension (only spaces or invisible characters)': '在扩展名之前没有可显示的内容（只有空格或不可见字符），请重命名',
  'is not valid UTF-8 (a byte that is no character, shown as \ufffd); save it under a name in UTF-8':
    '不是有效的 UTF-8（含有无法识别的字节，显示为 \ufffd），请以 UTF-8 编码的文件名重新保存',
  ...WEB_LINK_MESSAGES_ZH,
  'choose at least one channel': '请至少选择一个渠道',
  'required: an array of channel ids (GET /api/channels)': '必填：渠道编号数组（见 GET /api/channels）',
  'expected an array of channel ids (GET /api/channels)': '应为渠道编号数组（见 GET /api/channels）',
  'an interpretation cannot exist without its document: add the policy document (三同步)': '解读不能脱离其政策文件单独存在：请添加政策文件（三同步）',
  ...STRUCTURE_MESSAGES_ZH,
  'not a unit id from GET /api/units': '不是单位编号（见 GET /api/units）',
  'not a channel id from GET /api/channels': '不是渠道编号（见 GET /api/channels）',
  'required unless specs or channel is given': '未给出 specs 或 channel 时必填',
  'one file part per request': '每次请求只能上传一个文件',
  'expected the id of an event this stream sent (digits)': '应为此事件流发出过的事件编号（数字）',
};

function typesZh(english: string): string {
  return english
    .split(' or ')
    .map((t) => TYPE_ZH[t] ?? t)
    .join('或');
}

function valueZh(english: string): string {
  return TYPE_ZH[english] ?? english;
}

const BOUND_ZH: Record<string, string> = { 'at least': '不小于', 'more than': '大于', 'at most': '不大于', 'less than': '小于' };

/** Patterns of sentences that carry values (limits, what was sent), each with its Chinese form. */
const PATTERN_ZH: [RegExp, (...groups: string[]) => string][] = [
  [/^is (\d+) characters; at most (\d+) allowed$/, (n, max) => `共 ${n} 个字符，最多允许 ${max} 个`],
  [/^expected a year from (\d+) to (\d+)$/, (from, to) => `应为 ${from} 至 ${to} 年之间的年份`],
  [
    /^"([0-9a-f]+)" is the short form of a file's id \(as govpub media list shows it\): write the full 64-character id, which govpub media add prints and govpub media status \1 shows$/,
    (id) => `"${id}" 是文件编号的简写（govpub media list 显示的形式）：请填写完整的 64 位编号（govpub media add 会打印，govpub media status ${id} 可查看）`,
  ],
  [/^is (\d+) characters; at least (\d+) needed$/, (n, min) => `共 ${n} 个字符，至少需要 ${min} 个`],
  [/^expected one of (.+), got (.+)$/s, (list, got) => `应为以下之一：${list}；实际为 ${valueZh(got)}`],
  [/^expected one of (.+)$/s, (list) => `应为以下之一：${list}`],
  [/^expected an ISO 8601 date-time such as (\S+), got (.+)$/s, (example, got) => `应为带时区的 ISO 8601 时间，例如 ${example}；实际为 ${got}`],
  [/^expected the format (\S+), got (.+)$/s, (format, got) => `应为 ${format} 格式，实际为 ${got}`],
  [/^expected 1 to (\d+) printable ASCII characters without spaces, e\.g\. a UUID$/, (n) => `应为 1 到 ${n} 个不含空格的可打印 ASCII 字符，例如 UUID`],
  [/^expected (.+), got (.+)$/s, (types, got) => `应为${typesZh(types)}，实际为${valueZh(got)}`],
  [/^must be (at least|more than|at most|less than) (\S+), got (.+)$/s, (bound, limit, got) => `须${BOUND_ZH[bound]} ${limit}，实际为 ${got}`],
  [/^needs at least (\d+) items?$/, (n) => `至少需要 ${n} 项`],
  [/^has (\S+) items; at most (\d+) allowed$/, (n, max) => `共 ${n} 项，最多允许 ${max} 项`],
  [/^items (\d+) and (\d+) are the same; list each once$/, (j, i) => `第 ${j} 项与第 ${i} 项相同：每项只列一次`],
  [/^(.+) does not have the expected form \((.+)\)$/s, (value, pattern) => `${value} 的格式不正确（应符合 ${pattern}）`],
  [/^nested deeper than (\d+) levels$/, (n) => `嵌套超过 ${n} 层`],
  [
    /^(field name )?contains a lone surrogate \((\\u[0-9a-f]+)\) at position (\d+): not valid Unicode text$/,
    (field, ch, at) => `${field ? '字段名' : ''}第 ${at} 个字符是孤立的代理项（${ch}），不是有效的 Unicode 文本，请删除`,
  ],
  [
    /^(field name )?contains a NUL character \(\\u0000\) at position (\d+); remove it$/,
    (field, at) => `${field ? '字段名' : ''}第 ${at} 个字符是 NUL 字符（\\u0000），请删除`,
  ],
  [
    /^(field name )?contains the control character (\\u[0-9a-f]+) at position (\d+); remove it$/,
    (field, ch, at) => `${field ? '字段名' : ''}第 ${at} 个字符是控制字符 ${ch}，请删除`,
  ],
  [
    /^(field name )?contains the direction override (\\u[0-9a-f]+) at position (\d+), which reverses the text after it; remove it$/,
    (field, ch, at) => `${field ? '字段名' : ''}第 ${at} 个字符是文字方向强制符 ${ch}（不可见，会使其后的文字倒序显示），请删除`,
  ],
  [
    /^contains a tab at position (\d+): a one-line field takes spaces, not tabs; replace it with a space$/,
    (at) => `第 ${at} 个字符是制表符：单行内容请用空格，不用制表符，请改为空格`,
  ],
  [
    /^contains an invisible (soft hyphen|zero-width space|word joiner|byte-order mark) \((\\u[0-9a-f]+)\) at position (\d+), left by a copy from a web page or a chat: readers do not see it, but the site's search indexes a word it splits as two; remove it$/,
    (name, ch, at) =>
      `第 ${at} 个字符是不可见的${STRAY_INVISIBLE_ZH[name] ?? name}（${ch}），多为从网页或聊天中复制时带入：读者看不到它，但站内搜索会把被它隔开的词当作两个词，请删除`,
  ],
  [
    /^(field name )?contains the non-character (\\u[0-9a-f]+) at position (\d+); remove it$/,
    (field, ch, at) => `${field ? '字段名' : ''}第 ${at} 个字符是非字符 ${ch}，请删除`,
  ],
  [
    /^(field name )?holds what looks like an API token \(gp_ followed by 32 characters\), which is not repeated here/,
    (field) =>
      `${field ? '字段名' : ''}含有看似 API 令牌（gp_ 开头、后接 32 个字符）的内容，此处不回显：令牌是凭据，不能作为内容保存或给他人看到。请删除；如果令牌已被他人看到，请用 govpub users rotate-token NAME 换发新令牌`,
  ],
  [
    /^has the character reference (&#\w+;?), which stands for what text may not hold \((.+)\); remove it$/s,
    (reference) => `字符引用 ${reference} 代表不允许出现在文本中的字符（控制字符、文字方向强制符或非字符），请删除`,
  ],
  [/^and (\d+) more problems?, not listed; fix these and send again$/, (n) => `另有 ${n} 个问题未列出，请先修改以上问题后重新提交`],
  [/^the file name (.+)$/s, (problem) => `文件名${issueMessageZh(problem)}`],
  [/^unknown catalogue item "(.*)" \(see GET \/api\/catalogue\)$/s, (id) => `目录事项 "${id}" 不存在（见 GET /api/catalogue）`],
  [/^"(.*)" is not a document number like (.+)$/s, (value, example) => `"${value}" 不是有效的文号，文号形如 ${example}`],
  [
    /^"(.*)" is not written as GB\/T 9704 writes a document number: write (.+)$/s,
    (value, standard) => `"${value}" 的写法不规范（GB/T 9704：年份用六角括号〔〕，序号不加“第”、不编虚位），应写作 ${standard}`,
  ],
  [/^"(.*)" is not a date \(YYYY-MM-DD\)$/s, (value) => `"${value}" 不是日期（YYYY-MM-DD）`],
  // A package's references to uploads (services/packages.ts checkMedia, services/preflight.ts).
  [
    /^no uploaded file has id ([0-9a-f]+)…; upload it first(?: \(POST \/api\/media or `govpub media add FILE`\))?$/,
    (id) => `找不到编号为 ${id}… 的已上传文件（可能未上传成功或已被删除）：请先上传该文件（媒体库，或 POST /api/media），再选择它`,
  ],
  [
    /^expected an uploaded (\w+), but ([0-9a-f]+)… is an? (\w+)$/,
    (expected, id, actual) => `此处应为已上传的${kindZh(expected)}，但 ${id}… 是${kindZh(actual)}：请改选${kindZh(expected)}文件`,
  ],
  [
    /^(\d{4}-\d{2}-\d{2}) is not a plausible date the document was signed \(years (\d+) to (\d+)\); check the year$/,
    (value, from, to) => `${value} 不像是文件的成文日期（应在 ${from} 年至 ${to} 年之间），请核对年份`,
  ],
  [
    /^a (\w+) interpretation needs a mediaId \(POST \/api\/media\) or a url$/,
    (form) => `${FORM_ZH[form] ?? form}解读需要 mediaId（先用 POST /api/media 上传）或 url`,
  ],
  [/^not a review stage: (.+)$/s, (stages) => `不是审核环节，可选：${stages}`],
  [/^"(.*)" is not a review stage of this package; its stages are (.+)$/s, (value, stages) => `"${value}" 不是本稿件的审核环节；本稿件的审核环节为 ${stages}`],
  [/^unknown channel "(.*)" \(see GET \/api\/channels\)$/s, (id) => `渠道 "${id}" 不存在（见 GET /api/channels）`],
  [/^channel "(.*)" is listed twice$/s, (id) => `渠道 "${id}" 重复列出，每个渠道只列一次`],
  [/^(\S+) takes no renditions of (\w+) originals$/, (platform, kind) => `${platformNameZh(platform)}不接受${KIND_ZH[kind] ?? kind}原始文件的转码`],
  [/^unknown rendition "(.*)" \(keys look like (.+)\)$/s, (key, examples) => `转码规格 "${key}" 不存在（规格形如 ${examples}）`],
  [/^unknown rendition "(.*)" \(did you mean (\S+)\?\)$/s, (key, near) => `转码规格 "${key}" 不存在（是否要用 ${near}？）`],
  [/^"(.*)" is not the http\(s\) URL of the post\.$/s, (value) => `"${value}" 不是帖子的 http(s) 网址`],
  [
    /^(\S+ \S+) \(Beijing time\) is in the past; give a time to come, or release now \(POST (\S+), govpub packages release\)$/,
    (at, route) => `${at}（北京时间）已经过去：请填写将来的时间，或立即发布（POST ${route}，govpub packages release）`,
  ],
  [
    /^(\S+ \S+) \(Beijing time\) is in the past; give a time to come, or leave releaseAt out to release as soon as approved$/,
    (at) => `${at}（北京时间）已经过去：请填写将来的时间，或不填发布时间（审核通过后即发布）`,
  ],
  [
    /^(\S+ \S+) \(Beijing time\) is more than (\d+) years ahead \(a mistyped year\?\); give a time within \d+ years$/,
    (at, years) => `${at}（北京时间）距今超过 ${years} 年（年份是否输错？）：请填写 ${years} 年以内的时间`,
  ],
];

/**
 * The Chinese form of an issue's English sentence. Every sentence govpub's checks produce has
 * a form here (the schema checks above, the package body's, the text rule's, the JSON parser's);
 * one nobody listed keeps its English words after a Chinese lead-in rather than going untranslated.
 */
export function issueMessageZh(english: string): string {
  const exact = EXACT_ZH[english];
  if (exact) return exact;
  for (const [pattern, render] of PATTERN_ZH) {
    const match = pattern.exec(english);
    if (match) return render(...match.slice(1).map((g) => g ?? ''));
  }
  return `不符合要求：${english}`;
}

/** The issues with their Chinese sentences: `message` stays English unless the caller asked for Chinese. */
export function localizeIssues(issues: readonly LocalizedIssue[], language: Language): LocalizedIssue[] {
  return issues.map((issue) => {
    const english = issue.messageEn ?? issue.message;
    const zh = issue.messageZh ?? issueMessageZh(english);
    return language === 'zh' ? { ...issue, message: zh, messageZh: zh, messageEn: english } : { ...issue, message: english, messageZh: zh };
  });
}

/** One Chinese sentence listing the issues, e.g. `limit：须不小于 1，实际为 -1`. */
export function describeIssuesZh(issues: readonly LocalizedIssue[], part: string): string {
  const what = part === 'querystring' ? '查询参数' : part === 'params' ? '路径' : part === 'headers' ? '请求头' : '请求体';
  return issues.map((i) => `${i.path || `（${what}）`}：${i.messageZh ?? issueMessageZh(i.messageEn ?? i.message)}`).join('；');
}

export type Language = 'en' | 'zh';

/**
 * The language an `Accept-Language` header prefers between English (the default, what scripts
 * read) and Simplified Chinese: the zh or en range with the highest q wins, the earlier one on a
 * tie; `q=0` refuses a language; `*` and other languages leave English.
 */
export function preferredLanguage(header: string | string[] | undefined): Language {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  let best: { language: Language; q: number } | null = null;
  for (const part of text.split(',').slice(0, 50)) {
    const [tag = '', ...params] = part.trim().split(';');
    const primary = tag.trim().toLowerCase().split('-')[0];
    if (primary !== 'zh' && primary !== 'en') continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.toLowerCase().startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0 || q > 1) continue;
    if (!best || q > best.q) best = { language: primary, q };
  }
  return best?.language ?? 'en';
}
