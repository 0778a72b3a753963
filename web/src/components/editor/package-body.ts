/**
 * The package form's state and the PackageInput the API takes (api/schemas/packages.ts): empty
 * optional fields are left out rather than sent blank, an empty editor is an empty body, and a
 * field path from the API (a preflight pointer such as /interpretations/1/body, or a validation
 * path such as interpretations[1].body) names the form control that holds it. Pure.
 */

export const INTERPRETATION_FORMS = ['text', 'graphic', 'cartoon', 'video', 'audio', 'h5', 'leader_interview'] as const;
export type InterpretationForm = (typeof INTERPRETATION_FORMS)[number];

/** Which kind of upload each interpretation form takes (none: text and H5). */
export const FORM_MEDIA_KIND: Record<InterpretationForm, 'image' | 'video' | 'audio' | null> = {
  text: null,
  graphic: 'image',
  cartoon: 'image',
  video: 'video',
  audio: 'audio',
  h5: null,
  leader_interview: 'video',
};

/** Whether each form takes a link (a text interpretation's links go in its body; the API refuses a url on one). */
export const FORM_TAKES_URL: Record<InterpretationForm, boolean> = {
  text: false,
  graphic: true,
  cartoon: true,
  video: true,
  audio: true,
  h5: true,
  leader_interview: true,
};

/**
 * The interpretation under another form: what the new form cannot carry goes (a file of another
 * kind, a link on a text interpretation), so nothing hidden by the switch is saved with it.
 */
export function withForm(draft: InterpretationDraft, form: InterpretationForm): InterpretationDraft {
  const keepsFile = FORM_MEDIA_KIND[form] !== null && FORM_MEDIA_KIND[form] === FORM_MEDIA_KIND[draft.form];
  return { ...draft, form, mediaId: keepsFile ? draft.mediaId : '', url: FORM_TAKES_URL[form] ? draft.url : '' };
}

export interface AttachmentDraft {
  key: string;
  name: string;
  url: string;
  mediaId: string;
}

export interface InterpretationDraft {
  key: string;
  form: InterpretationForm;
  title: string;
  body: string;
  mediaId: string;
  url: string;
  interpreter: string;
  /** Video/audio: the uploaded WebVTT captions. */
  captionsMediaId: string;
  /** Video/audio: the transcript (文字实录) as plain text, one paragraph a line (sent as <p> paragraphs). */
  transcript: string;
}

/** 有效性 as the form holds it: '' = not given (the document is 有效 from its release). */
export interface ValidityDraft {
  state: '' | 'valid' | 'expired' | 'repealed';
  /** YYYY-MM-DD or '' */
  effectiveFrom: string;
  endedAt: string;
}

export const VALIDITY_LABELS: Record<Exclude<ValidityDraft['state'], ''>, string> = { valid: '有效', expired: '失效', repealed: '废止' };

/** Which forms have captions and a transcript (sound or picture that runs in time). */
export const TIMED_FORMS: readonly InterpretationForm[] = ['video', 'audio'];

export interface PackageDraft {
  title: string;
  catalogueItem: string;
  document: {
    title: string;
    body: string;
    issuingUnit: string;
    documentNumber: string;
    /** YYYY-MM-DD */
    formedAt: string;
    attachments: AttachmentDraft[];
    /** 主题分类: a path from GET /api/topics, or '' */
    topic: string;
    /** 主题词 */
    keywords: string[];
    /** 有效性, offered for normative catalogue items only */
    validity: ValidityDraft;
  };
  interpretations: InterpretationDraft[];
  targets: string[];
  /** ISO time with offset, or empty: as soon as approved. */
  releaseAt: string;
  cover: { mediaId: string; alt: string };
}

let keySeq = 0;
/** A key for v-for over list items that the person adds and removes. */
export const nextKey = (prefix: string) => `${prefix}-${++keySeq}`;

export function emptyDraft(): PackageDraft {
  return {
    title: '',
    catalogueItem: '',
    document: { title: '', body: '', issuingUnit: '', documentNumber: '', formedAt: '', attachments: [], topic: '', keywords: [], validity: emptyValidity() },
    interpretations: [],
    targets: [],
    releaseAt: '',
    cover: { mediaId: '', alt: '' },
  };
}

export function emptyInterpretation(form: InterpretationForm = 'text'): InterpretationDraft {
  return { key: nextKey('interp'), form, title: '', body: '', mediaId: '', url: '', interpreter: '', captionsMediaId: '', transcript: '' };
}

export function emptyValidity(): ValidityDraft {
  return { state: '', effectiveFrom: '', endedAt: '' };
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** A stored revision's content (GET /api/packages/:id → content) as form state. */
export function draftFromContent(content: unknown): PackageDraft {
  const c = rec(content);
  const d = rec(c.document);
  const cover = rec(c.cover);
  return {
    title: str(c.title),
    catalogueItem: str(c.catalogueItem),
    document: {
      title: str(d.title),
      body: str(d.body),
      issuingUnit: str(d.issuingUnit),
      documentNumber: str(d.documentNumber),
      formedAt: str(d.formedAt),
      attachments: (Array.isArray(d.attachments) ? d.attachments : []).map((a) => {
        const r = rec(a);
        return { key: nextKey('att'), name: str(r.name), url: str(r.url), mediaId: str(r.mediaId) };
      }),
      topic: str(d.topic),
      keywords: Array.isArray(d.keywords) ? d.keywords.filter((k): k is string => typeof k === 'string') : [],
      validity: validityDraft(d.validity),
    },
    interpretations: (Array.isArray(c.interpretations) ? c.interpretations : []).map((i) => {
      const r = rec(i);
      const form = (INTERPRETATION_FORMS as readonly string[]).includes(str(r.form)) ? (r.form as InterpretationForm) : 'text';
      return {
        key: nextKey('interp'),
        form,
        title: str(r.title),
        body: str(r.body),
        mediaId: str(r.mediaId),
        url: str(r.url),
        interpreter: str(r.interpreter),
        captionsMediaId: str(r.captionsMediaId),
        transcript: htmlToLines(str(r.transcript)),
      };
    }),
    targets: Array.isArray(c.targets) ? c.targets.filter((t): t is string => typeof t === 'string') : [],
    releaseAt: str(c.releaseAt),
    cover: { mediaId: str(cover.mediaId), alt: str(cover.alt) },
  };
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A plain-text transcript as HTML: each non-empty line a paragraph. */
export function linesToHtml(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => `<p>${escapeHtml(line)}</p>`)
    .join('');
}

/** Stored transcript HTML back as lines of text (paragraphs and line breaks become new lines). */
export function htmlToLines(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h[1-6])>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('\n');
}

function validityDraft(value: unknown): ValidityDraft {
  const v = rec(value);
  const state = str(v.state);
  if (state !== 'valid' && state !== 'expired' && state !== 'repealed') return emptyValidity();
  return { state, effectiveFrom: str(v.effectiveFrom), endedAt: str(v.endedAt) };
}

/** 有效性 as the API takes it (absent when no state was chosen; an end date only for an ended document). */
function validityInput(v: ValidityDraft): Record<string, unknown> | undefined {
  if (!v.state) return undefined;
  return { state: v.state, effectiveFrom: v.effectiveFrom || null, endedAt: v.state === 'valid' ? null : v.endedAt || null };
}

/** Only the fields that have a value (trimmed), so a blank optional field is absent, not "". */
function present<T extends Record<string, string>>(fields: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [key, value] of Object.entries(fields)) if (value.trim() !== '') (out as Record<string, string>)[key] = value.trim();
  return out;
}

/** The body for POST /api/packages, PUT /api/packages/:id and POST /api/preflight. */
export function toPackageInput(draft: PackageDraft): Record<string, unknown> {
  const attachments = draft.document.attachments
    .filter((a) => a.name.trim() !== '' || a.url.trim() !== '' || a.mediaId !== '')
    .map((a) => ({ name: a.name.trim(), ...present({ url: a.url, mediaId: a.mediaId }) }));
  const keywords = [...new Set(draft.document.keywords.map((k) => k.trim()).filter(Boolean))];
  const validity = validityInput(draft.document.validity);
  return {
    title: draft.title.trim(),
    catalogueItem: draft.catalogueItem,
    document: {
      title: (draft.document.title.trim() || draft.title).trim(),
      body: draft.document.body,
      ...present({ issuingUnit: draft.document.issuingUnit, documentNumber: draft.document.documentNumber, formedAt: draft.document.formedAt }),
      ...(attachments.length > 0 ? { attachments } : {}),
      ...present({ topic: draft.document.topic }),
      ...(keywords.length > 0 ? { keywords } : {}),
      ...(validity ? { validity } : {}),
    },
    interpretations: draft.interpretations.map((i) => {
      const timed = TIMED_FORMS.includes(i.form);
      return {
        form: i.form,
        title: i.title.trim(),
        ...(i.body !== '' ? { body: i.body } : {}),
        // A file only where the form shows one (an older revision's stays out of sight otherwise); a
        // link as typed: on a text interpretation the API's refusal shows beside its field.
        ...present({ mediaId: FORM_MEDIA_KIND[i.form] ? i.mediaId : '', url: i.url, interpreter: i.interpreter }),
        ...(timed ? present({ captionsMediaId: i.captionsMediaId }) : {}),
        ...(timed && i.transcript.trim() !== '' ? { transcript: linesToHtml(i.transcript) } : {}),
      };
    }),
    targets: [...draft.targets],
    ...(draft.releaseAt ? { releaseAt: draft.releaseAt } : {}),
    ...(draft.cover.mediaId ? { cover: { mediaId: draft.cover.mediaId, alt: draft.cover.alt.trim() } } : {}),
  };
}

/** The path parts of a field: "/interpretations/1/body" and "interpretations[1].body" both give [interpretations, 1, body]. */
export function fieldParts(path: string): string[] {
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split(/[/.]/)
    .filter((p) => p !== '')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The id of the form control for a field path (the form gives its controls these ids). */
export function fieldElementId(path: string): string {
  const parts = fieldParts(path);
  return parts.length === 0 ? 'field-title' : `field-${parts.join('-')}`;
}

/**
 * The ids to try, most precise first: a problem about /interpretations/1/mediaId falls back to the
 * interpretation, then to the interpretations section.
 */
export function fieldElementCandidates(path: string): string[] {
  const parts = fieldParts(path);
  const ids: string[] = [];
  for (let n = parts.length; n > 0; n--) ids.push(`field-${parts.slice(0, n).join('-')}`);
  return ids.length > 0 ? ids : ['field-title'];
}

const FIELD_NAMES: Record<string, string> = {
  title: '发布包标题',
  catalogueItem: '公开事项',
  document: '文件',
  interpretations: '解读',
  targets: '发布渠道',
  releaseAt: '发布时间',
  cover: '封面',
  'cover.mediaId': '封面图片',
  'cover.alt': '封面替代文字',
  'document.title': '文件标题',
  'document.body': '正文',
  'document.issuingUnit': '发文单位',
  'document.documentNumber': '文号',
  'document.formedAt': '成文日期',
  'document.attachments': '附件',
  'document.topic': '主题分类',
  'document.keywords': '主题词',
  'document.validity': '有效性',
};
const INTERPRETATION_FIELD_NAMES: Record<string, string> = {
  form: '形式',
  title: '标题',
  body: '正文',
  mediaId: '媒体文件',
  url: '链接',
  interpreter: '解读人',
  captionsMediaId: '字幕',
  transcript: '文字实录',
};

/** A field path in words: /interpretations/1/body → 解读 2 正文, /targets/4 → 发布渠道 5. */
export function fieldLabel(path: string): string {
  const parts = fieldParts(path);
  if (parts.length === 0) return '整个发布包';
  const [head, index, leaf] = parts;
  if (head === 'interpretations' && index !== undefined && /^\d+$/.test(index)) {
    return `解读 ${Number(index) + 1}${leaf ? ` ${INTERPRETATION_FIELD_NAMES[leaf] ?? leaf}` : ''}`;
  }
  if (head === 'targets' && index !== undefined && /^\d+$/.test(index)) return `发布渠道 ${Number(index) + 1}`;
  if (head === 'document' && index === 'attachments' && leaf !== undefined) return `附件 ${Number(leaf) + 1}`;
  return FIELD_NAMES[parts.slice(0, 2).join('.')] ?? FIELD_NAMES[head!] ?? parts.join('.');
}

/** Review stage ids in words (the registry's stage names). */
export const STAGE_LABELS: Record<string, string> = { first: '初审', second: '复审', final: '终审' };
export const stageLabel = (id: string | null | undefined) => (id ? (STAGE_LABELS[id] ?? id) : '—');
