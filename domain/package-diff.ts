/**
 * What changed between two revisions of a package body, field by field, with the field's name in
 * Chinese for the console (标题, 解读 2 正文). Pure: the services load the two bodies, this compares
 * them. HTML bodies are compared as text with their markup; the console renders a word diff.
 *
 * Targets are a set (adding one channel is one change, not a shift of every later index);
 * interpretations and attachments are compared by position, as the form shows them.
 */

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface FieldChange {
  /** JSON pointer into the package body, e.g. `/interpretations/1/body` or `/targets/3`. */
  path: string;
  /** The field's name in Chinese, e.g. 解读 2 正文. */
  label: string;
  before: unknown;
  after: unknown;
  kind: ChangeKind;
  /** For a channel added or removed: the channel as people call it (微博 · 碑林发布); the values stay its id. */
  valueText?: string;
}

const TOP_LABELS: Record<string, string> = {
  title: '标题',
  catalogueItem: '目录事项',
  document: '文件',
  interpretations: '解读',
  targets: '发布渠道',
  releaseAt: '发布时间',
  cover: '封面',
};

const DOCUMENT_LABELS: Record<string, string> = {
  title: '文件标题',
  body: '文件正文',
  issuingUnit: '发文单位',
  documentNumber: '文号',
  formedAt: '成文日期',
  attachments: '附件',
  topic: '主题分类',
  keywords: '主题词',
  validity: '有效性',
};

const INTERPRETATION_LABELS: Record<string, string> = {
  form: '形式',
  title: '标题',
  body: '正文',
  mediaId: '媒体文件',
  url: '链接',
  interpreter: '解读人',
  captionsMediaId: '字幕',
  transcript: '文字实录',
};

const ATTACHMENT_LABELS: Record<string, string> = { name: '名称', url: '链接', mediaId: '文件' };
const COVER_LABELS: Record<string, string> = { mediaId: '封面图片', alt: '封面说明文字' };

/** Escapes one JSON-pointer segment (RFC 6901). */
function segment(key: string | number): string {
  return String(key).replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The Chinese name of the field at `keys` (a path from the body's root). */
export function fieldLabel(keys: readonly (string | number)[]): string {
  const [top, second, third, fourth] = keys;
  if (top === undefined) return '发布包';
  const topName = TOP_LABELS[String(top)] ?? String(top);
  if (second === undefined) return topName;
  if (top === 'interpretations') {
    const n = `解读 ${Number(second) + 1}`;
    return third === undefined ? n : `${n} ${INTERPRETATION_LABELS[String(third)] ?? String(third)}`;
  }
  if (top === 'document') {
    if (second === 'attachments' && third !== undefined) {
      const n = `附件 ${Number(third) + 1}`;
      return fourth === undefined ? n : `${n} ${ATTACHMENT_LABELS[String(fourth)] ?? String(fourth)}`;
    }
    return DOCUMENT_LABELS[String(second)] ?? `文件 ${String(second)}`;
  }
  if (top === 'cover') return COVER_LABELS[String(second)] ?? `封面 ${String(second)}`;
  if (top === 'targets') return topName;
  return `${topName} ${keys.slice(1).join(' ')}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!sameValue(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** Absent and null both mean "not there" (an optional field left out, or a document set to null). */
const absent = (value: unknown) => value === undefined || value === null;

function compare(before: unknown, after: unknown, keys: (string | number)[], out: FieldChange[]): void {
  const path = keys.map((k) => `/${segment(k)}`).join('');
  const push = (kind: ChangeKind) =>
    out.push({ path, label: fieldLabel(keys), before: absent(before) ? null : before, after: absent(after) ? null : after, kind });
  if (absent(before) && absent(after)) return;
  if (absent(before)) {
    push('added');
    return;
  }
  if (absent(after)) {
    push('removed');
    return;
  }
  if (keys.length === 1 && keys[0] === 'targets' && Array.isArray(before) && Array.isArray(after)) return compareTargets(before, after, out);
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) compare(before[i], after[i], [...keys, i], out);
    return;
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    const names = [...Object.keys(before), ...Object.keys(after).filter((k) => !(k in before))];
    for (const name of names) compare(before[name], after[name], [...keys, name], out);
    return;
  }
  if (!sameValue(before, after)) push('changed');
}

/** Channels added or dropped; the path is the channel's index in the revision that has it. */
function compareTargets(before: unknown[], after: unknown[], out: FieldChange[]): void {
  const had = new Set(before.map(String));
  const has = new Set(after.map(String));
  before.forEach((t, i) => {
    if (!has.has(String(t))) out.push({ path: `/targets/${i}`, label: TOP_LABELS.targets!, before: t, after: null, kind: 'removed' });
  });
  after.forEach((t, i) => {
    if (!had.has(String(t))) out.push({ path: `/targets/${i}`, label: TOP_LABELS.targets!, before: null, after: t, kind: 'added' });
  });
}

/** Every field that differs between two package bodies, in the order of the body's fields. */
export function diffPackageBodies(before: unknown, after: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  if (!isPlainObject(before) || !isPlainObject(after)) {
    if (!sameValue(before, after)) out.push({ path: '', label: fieldLabel([]), before, after, kind: 'changed' });
    return out;
  }
  compare(before, after, [], out);
  return out;
}
