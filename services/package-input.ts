/**
 * Validation of a release package as editors send it: every problem with its field path, so a
 * form or a script can point at the field. Body HTML is sanitized; nothing invalid is stored.
 */
import sanitizeHtml from 'sanitize-html';
import { DOCUMENT_NUMBER, standardDocumentNumber } from '../domain/document-number.js';
import { GovpubError } from '../domain/errors.js';
import { characterCount, findUnsafeText, oneLineProblem, showsNothing, unsafeTextProblem, visibleText } from '../domain/text.js';
import {
  INTERPRETATION_FORMS,
  interpretationCarriesProblems,
  isCalendarDate,
  normalizedValidity,
  validityProblems,
  type InterpretationForm,
  type Validity,
  type ValidityState,
} from '../domain/package-rules.js';
import { normalizedReleaseTime, releaseTimeProblem } from '../domain/commands.js';
import { catalogueItem, findChannel, portalColumn, subColumnsOf, topicPaths, type CatalogueItem, type Registry } from '../domain/registry.js';
import { webLinkProblem } from '../domain/web-link.js';

export interface Attachment {
  name: string;
  url?: string;
  mediaId?: string;
}

export interface PackageDocument {
  title: string;
  body: string;
  issuingUnit?: string;
  documentNumber?: string;
  formedAt?: string;
  attachments: Attachment[];
  /** 主题分类: a topic path from config/registry/topics.yaml, e.g. 综合政务\\政务公开. */
  topic?: string;
  /** 主题词: at most MAX_KEYWORDS short terms, in the editor's order. */
  keywords?: string[];
  /**
   * 有效性: for normative documents only (catalogue item `normative: true`), refused for others.
   * Left out, a normative document is 有效 from its release (preflight asks for it). After release
   * it changes only through the validity command (services/validity.ts), which never makes a
   * revision: the value now is packages.validity; this is the value the document was written with.
   */
  validity?: Validity;
}

export interface Interpretation {
  form: InterpretationForm;
  title: string;
  body: string;
  /** For video/audio/graphic forms: the uploaded media; for H5: the page link. */
  mediaId?: string;
  url?: string;
  /** For a leader interview (主要负责人解读): who speaks. */
  interpreter?: string;
  /** Video/audio: the uploaded WebVTT captions (字幕, media kind `captions`). */
  captionsMediaId?: string;
  /** Video/audio: the transcript (文字实录), sanitized HTML. GB/T 37668 wants captions or a transcript. */
  transcript?: string;
}

/** The content of one revision, as stored (package_revisions.content). */
export interface PackageContent {
  title: string;
  catalogueItem: string;
  document: PackageDocument | null;
  interpretations: Interpretation[];
  targets: string[];
  releaseAt: string | null;
  /** The cover image (an uploaded image's id) with its alt text, for portal lists and new-media posts. */
  cover?: { mediaId: string; alt: string };
}

export interface FieldIssue {
  path: string;
  message: string;
  /** The Chinese sentence, when the rule wrote its own (else the API translates `message`). */
  messageZh?: string;
}

export class ValidationError extends GovpubError {
  constructor(readonly issues: FieldIssue[]) {
    super('invalid_body', issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; '), { issues });
  }
}

/** 主题词: how many and how long (a term, not a sentence). */
export const MAX_KEYWORDS = 10;
export const MAX_KEYWORD_CHARS = 20;
const MEDIA_ID = /^[0-9a-f]{64}$/;
/** The short form `govpub media list` shows (12 characters), or another start of an id. */
const SHORT_MEDIA_ID = /^[0-9a-f]{6,63}$/;

/** A file's id given in the short form lists show: said so, with where the full one is (null for any other value). */
export function shortMediaIdProblem(value: string): string | null {
  return SHORT_MEDIA_ID.test(value)
    ? `"${value}" is the short form of a file's id (as govpub media list shows it): write the full 64-character id, which govpub media add prints and govpub media status ${value} shows`
    : null;
}
const MAX_TITLE = 200;
const MAX_BODY_CHARS = 200_000;
/** Problems listed in one answer; more are counted in a last one. */
const MAX_LISTED_ISSUES = 50;
/** As the API schema's LIMITS.targets: 376 channels, and room for more. */
export const MAX_TARGETS = 400;
/** 成文日期: a real day, from the People's Republic on, and not centuries ahead (a typo such as 20226 or 9999). */
const FORMED_AT_YEARS = { from: 1949, to: 2099 } as const;
const INVISIBLE_ONLY = 'holds only invisible characters (zero-width spaces or the like), so every channel would show it empty; write the text';
const BODY_SHOWS_NOTHING =
  'shows nothing once cleaned (no text and no picture: empty paragraphs, or only scripts and styles, which are removed); write the text';

/** Whether sanitized body HTML shows anything: text a reader sees, or a picture. */
function bodyShowsSomething(html: string): boolean {
  if (/<img\b/i.test(html)) return true;
  const text = html
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;|&#160;|&#xa0;/gi, ' ')
    .replace(/&[a-z]+;|&#\d+;|&#x[0-9a-f]+;/gi, 'x');
  return !showsNothing(text);
}

/** Why a 成文日期 is not one, or null. */
function formedAtProblem(value: string): string | null {
  if (!isCalendarDate(value)) return `"${value}" is not a date (YYYY-MM-DD)`;
  const year = Number(value.slice(0, 4));
  if (year < FORMED_AT_YEARS.from || year > FORMED_AT_YEARS.to) {
    return `${value} is not a plausible date the document was signed (years ${FORMED_AT_YEARS.from} to ${FORMED_AT_YEARS.to}); check the year`;
  }
  return null;
}

/**
 * Body HTML cleaned, or a problem at `path`. The cleaning decodes character references, so
 * "&#7;" or "&#x202e;" would become the very characters the text rule refuses in what was sent:
 * the cleaned HTML is held to the same rule, and the problem names the reference.
 */
function cleanedBody(raw: string, path: string, fail: (path: string, message: string) => void): string {
  const html = sanitizeBody(raw);
  const problem = unsafeTextProblem(html);
  if (problem) {
    const reference = raw.match(/&#(?:x[0-9a-f]+|[0-9]+);?/gi)?.find((ref) => unsafeTextProblem(decodedReference(ref)) !== null);
    const what = problem.replace(/ at position \d+.*$/, '');
    fail(path, reference ? `has the character reference ${reference}, which stands for what text may not hold (${what}); remove it` : problem);
  }
  return html;
}

/** The character a numeric reference (&#7; &#x1b;) stands for ('' for none). */
function decodedReference(reference: string): string {
  const digits = reference.replace(/^&#|;$/g, '');
  const code = /^x/i.test(digits) ? parseInt(digits.slice(1), 16) : parseInt(digits, 10);
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
}

function sanitizeBody(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'figure', 'figcaption', 'u', 's', 'sub', 'sup'],
    allowedAttributes: { a: ['href', 'title'], img: ['src', 'alt', 'width', 'height'], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'], '*': ['style'] },
    // No data: (or javascript:) URLs: a link or picture in a government page points somewhere a reader can check.
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
    allowProtocolRelative: false,
    allowedStyles: { '*': { 'text-align': [/^(left|right|center|justify)$/] } },
  });
}

/** 主题词: a list of distinct short terms (trimmed); problems by path. */
function parseKeywords(value: unknown, fail: (path: string, message: string) => void): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    fail('document.keywords', 'expected an array of short terms, e.g. ["政务公开", "规范性文件"]');
    return [];
  }
  if (value.length > MAX_KEYWORDS) fail('document.keywords', `${value.length} keywords; at most ${MAX_KEYWORDS} allowed`);
  const out: string[] = [];
  value.forEach((raw, i) => {
    const path = `document.keywords[${i}]`;
    if (typeof raw !== 'string') return fail(path, `expected a string, got ${Array.isArray(raw) ? 'an array' : typeof raw}`);
    const term = raw.trim();
    if (!term) return fail(path, 'must not be blank');
    if (showsNothing(term)) return fail(path, INVISIBLE_ONLY);
    if (characterCount(term) > MAX_KEYWORD_CHARS) return fail(path, `is ${characterCount(term)} characters; a keyword has at most ${MAX_KEYWORD_CHARS}`);
    if (/[\s,，;；、]/.test(term)) return fail(path, 'one term per entry: no spaces, commas or 、 inside a keyword');
    const stray = oneLineProblem(term);
    if (stray) return fail(path, stray);
    // 政务公开 and 政务\u200b公开 read the same: a zero-width character does not make a second term.
    if (out.some((kept) => visibleText(kept) === visibleText(term))) return fail(path, `"${visibleText(term)}" is listed twice`);
    out.push(term);
  });
  return out;
}

/** The field issues of a package body ([] when it is valid): parsePackageInput's refusal, as a list. */
export function packageInputIssues(body: unknown, registry: Registry): FieldIssue[] {
  try {
    parsePackageInput(body, registry);
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.issues;
  }
}

/** Validates and normalizes a package body against the registry; throws ValidationError listing every issue. */
export function parsePackageInput(body: unknown, registry: Registry): { content: PackageContent; item: CatalogueItem } {
  const issues: FieldIssue[] = [];
  // A body can hold thousands of wrong items (unknown fields, say): the first ones are listed,
  // the rest counted, so an answer stays the size of a form's worth of problems.
  let unlisted = 0;
  const fail = (path: string, message: string, messageZh?: string) => {
    if (issues.length < MAX_LISTED_ISSUES) issues.push({ path, message, ...(messageZh ? { messageZh } : {}) });
    else unlisted += 1;
  };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const text = (obj: Record<string, unknown>, key: string, path: string, opts: { required: boolean; max?: number }): string | undefined => {
    const value = obj[key];
    if (value === undefined || value === null || value === '') {
      if (opts.required) fail(path, 'required');
      return undefined;
    }
    if (typeof value !== 'string') {
      fail(path, `expected a string, got ${Array.isArray(value) ? 'an array' : typeof value}`);
      return undefined;
    }
    // Spaces alone leave an optional field out; invisible characters alone (a paste's zero-width
    // spaces) are no absence a person sees in the form, and every page would show the field empty.
    if (value.trim() === '') {
      if (opts.required) fail(path, 'must not be blank');
    } else if (showsNothing(value)) fail(path, INVISIBLE_ONLY);
    const length = opts.max ? characterCount(value) : 0;
    if (opts.max && length > opts.max) fail(path, `is ${length} characters; at most ${opts.max} allowed`);
    // Only bodies and transcripts run over lines: a line break in a title or a name split it in
    // every list, post and page heading (a trailing one is trimmed away). Ids, addresses and
    // times have their own rules, which say what is wrong with them.
    const oneLine = opts.max !== undefined && opts.max !== MAX_BODY_CHARS && !showsNothing(value) ? oneLineProblem(value) : null;
    if (oneLine) fail(path, oneLine);
    return value.trim();
  };

  if (!isObject(body)) throw new ValidationError([{ path: '', message: 'expected a JSON object' }]);
  // NUL, other control characters and lone surrogates are refused anywhere in the body, by path.
  const unsafe = findUnsafeText(body);
  if (unsafe.length > 0) throw new ValidationError(unsafe.slice(0, MAX_LISTED_ISSUES));
  const title = text(body, 'title', 'title', { required: true, max: MAX_TITLE });
  const itemId = text(body, 'catalogueItem', 'catalogueItem', { required: true });
  const item = itemId ? catalogueItem(registry, itemId) : undefined;
  if (itemId && !item) fail('catalogueItem', `unknown catalogue item "${itemId}" (see GET /api/catalogue)`);

  let document: PackageDocument | null = null;
  if (body.document !== undefined && body.document !== null) {
    if (!isObject(body.document)) fail('document', 'expected an object');
    else {
      const d = body.document;
      const docTitle = text(d, 'title', 'document.title', { required: true, max: MAX_TITLE });
      const docBody = text(d, 'body', 'document.body', { required: true, max: MAX_BODY_CHARS });
      const documentNumber = text(d, 'documentNumber', 'document.documentNumber', { required: false, max: 64 });
      if (documentNumber && !DOCUMENT_NUMBER.test(documentNumber)) {
        // A number typed another way (碑政发[2026]07号) is named in its standard form rather than changed silently.
        const standard = standardDocumentNumber(documentNumber);
        fail(
          'document.documentNumber',
          standard
            ? `"${documentNumber}" is not written as GB/T 9704 writes a document number: write ${standard}`
            : `"${documentNumber}" is not a document number like 碑政发〔2026〕3号`,
        );
      }
      const issuingUnit = text(d, 'issuingUnit', 'document.issuingUnit', { required: item?.contentClass === 'policy', max: 100 });
      const formedAt = text(d, 'formedAt', 'document.formedAt', { required: false });
      const formedAtIssue = formedAt ? formedAtProblem(formedAt) : null;
      if (formedAtIssue) fail('document.formedAt', formedAtIssue);
      const attachments: Attachment[] = [];
      if (d.attachments !== undefined) {
        if (!Array.isArray(d.attachments)) fail('document.attachments', 'expected an array');
        else
          d.attachments.forEach((a, i) => {
            const p = `document.attachments[${i}]`;
            if (!isObject(a)) return fail(p, 'expected an object');
            const name = text(a, 'name', `${p}.name`, { required: true, max: 200 });
            const url = text(a, 'url', `${p}.url`, { required: false });
            const mediaId = text(a, 'mediaId', `${p}.mediaId`, { required: false });
            if (!url && !mediaId) fail(p, 'needs a url or a mediaId');
            const short = mediaId ? shortMediaIdProblem(mediaId) : null;
            if (short) fail(`${p}.mediaId`, short);
            const urlProblem = url ? webLinkProblem(url) : null;
            if (urlProblem) fail(`${p}.url`, urlProblem);
            if (name) attachments.push({ name, ...(url ? { url } : {}), ...(mediaId ? { mediaId } : {}) });
          });
      }
      const topic = text(d, 'topic', 'document.topic', { required: false, max: 100 });
      if (topic && !topicPaths(registry).includes(topic)) {
        fail(
          'document.topic',
          `unknown topic "${topic}": choose one of GET /api/topics (written 类别\\主题, e.g. ${topicPaths(registry)[0] ?? '综合政务\\政务公开'})`,
        );
      }
      const keywords = parseKeywords(d.keywords, fail);
      let validity: Validity | undefined;
      if (d.validity !== undefined && d.validity !== null) {
        if (item && !item.normative) {
          fail('document.validity', `catalogue item "${item.id}" is not a normative document (行政规范性文件): only those carry a validity; leave it out`);
        } else {
          const problems = validityProblems(d.validity);
          for (const p of problems) fail(p.field ? `document.validity.${p.field}` : 'document.validity', p.message, p.messageZh);
          if (problems.length === 0) {
            const v = d.validity as { state: ValidityState; effectiveFrom?: string | null; endedAt?: string | null };
            validity = normalizedValidity(v);
          }
        }
      }
      const docHtml = docBody === undefined ? undefined : cleanedBody(docBody, 'document.body', fail);
      if (docHtml !== undefined && docBody?.trim() && !bodyShowsSomething(docHtml)) fail('document.body', BODY_SHOWS_NOTHING);
      if (docTitle && docHtml !== undefined) {
        document = {
          title: docTitle,
          body: docHtml,
          attachments,
          ...(issuingUnit ? { issuingUnit } : {}),
          ...(documentNumber ? { documentNumber } : {}),
          ...(formedAt ? { formedAt } : {}),
          ...(topic ? { topic } : {}),
          ...(keywords.length > 0 ? { keywords } : {}),
          ...(validity ? { validity } : {}),
        };
      }
    }
  }

  const interpretations: Interpretation[] = [];
  if (body.interpretations !== undefined && body.interpretations !== null) {
    if (!Array.isArray(body.interpretations)) fail('interpretations', 'expected an array');
    else
      body.interpretations.forEach((raw, i) => {
        const p = `interpretations[${i}]`;
        if (!isObject(raw)) return fail(p, 'expected an object');
        const form = raw.form;
        const knownForm = typeof form === 'string' && (INTERPRETATION_FORMS as readonly string[]).includes(form);
        if (!knownForm) fail(`${p}.form`, `expected one of ${INTERPRETATION_FORMS.join(', ')}, got ${JSON.stringify(form)}`);
        const iTitle = text(raw, 'title', `${p}.title`, { required: true, max: MAX_TITLE });
        const iBody = text(raw, 'body', `${p}.body`, { required: form === 'text' || form === 'leader_interview', max: MAX_BODY_CHARS });
        const mediaId = text(raw, 'mediaId', `${p}.mediaId`, { required: false });
        const shortMedia = mediaId ? shortMediaIdProblem(mediaId) : null;
        if (shortMedia) fail(`${p}.mediaId`, shortMedia);
        const url = text(raw, 'url', `${p}.url`, { required: form === 'h5' });
        // An H5 page (or a hosted video/audio) is linked from every channel: only an address with a host, nothing a browser would repair.
        const urlProblem = url ? webLinkProblem(url) : null;
        if (urlProblem) fail(`${p}.url`, urlProblem);
        if (knownForm)
          for (const c of interpretationCarriesProblems(form as InterpretationForm, { mediaId: Boolean(mediaId), url: Boolean(url) }))
            fail(`${p}.${c.field}`, c.message, c.messageZh);
        const interpreter = text(raw, 'interpreter', `${p}.interpreter`, { required: form === 'leader_interview', max: 100 });
        if ((form === 'video' || form === 'audio') && !mediaId && !url) fail(p, `a ${form} interpretation needs a mediaId (POST /api/media) or a url`);
        const captionsMediaId = text(raw, 'captionsMediaId', `${p}.captionsMediaId`, { required: false });
        const transcript = text(raw, 'transcript', `${p}.transcript`, { required: false, max: MAX_BODY_CHARS });
        const timed = form === 'video' || form === 'audio';
        if (captionsMediaId && !timed) fail(`${p}.captionsMediaId`, 'only a video or audio interpretation has captions');
        else if (captionsMediaId && !MEDIA_ID.test(captionsMediaId))
          fail(
            `${p}.captionsMediaId`,
            shortMediaIdProblem(captionsMediaId) ?? 'expected the id of an uploaded WebVTT file (64 hex characters, from POST /api/media)',
          );
        if (transcript && !timed) fail(`${p}.transcript`, 'only a video or audio interpretation has a transcript; put the text in the body');
        const transcriptHtml = transcript ? cleanedBody(transcript, `${p}.transcript`, fail) : '';
        const iHtml = cleanedBody(iBody ?? '', `${p}.body`, fail);
        // A text or an interview is its body: one that shows nothing is an empty interpretation.
        if ((form === 'text' || form === 'leader_interview') && iBody?.trim() && !bodyShowsSomething(iHtml)) fail(`${p}.body`, BODY_SHOWS_NOTHING);
        if (iTitle) {
          interpretations.push({
            form: form as InterpretationForm,
            title: iTitle,
            body: iHtml,
            ...(mediaId ? { mediaId } : {}),
            ...(url ? { url } : {}),
            ...(interpreter ? { interpreter } : {}),
            ...(captionsMediaId && timed ? { captionsMediaId } : {}),
            ...(transcriptHtml.trim() && timed ? { transcript: transcriptHtml } : {}),
          });
        }
      });
  }
  // A document given with a field wrong has its own issues above: it is there, only not yet valid.
  const documentGiven = body.document !== undefined && body.document !== null;
  if (!documentGiven && interpretations.length > 0) {
    fail('document', 'an interpretation cannot exist without its document: add the policy document (三同步)');
  } else if (!document && issues.every((i) => !i.path.startsWith('document'))) {
    fail('document', 'required');
  }

  const targets: string[] = [];
  if (body.targets === undefined || body.targets === null) fail('targets', 'required: an array of channel ids (GET /api/channels)');
  else if (!Array.isArray(body.targets)) fail('targets', 'expected an array of channel ids (GET /api/channels)');
  else {
    if (body.targets.length === 0) fail('targets', 'choose at least one channel');
    // Past the limit, the count is the problem: each item is not judged (a list of thousands
    // would answer thousands of problems).
    if (body.targets.length > MAX_TARGETS) fail('targets', `has ${body.targets.length} items; at most ${MAX_TARGETS} allowed`);
    else
      body.targets.forEach((t, i) => {
        if (typeof t !== 'string') return fail(`targets[${i}]`, 'expected a channel id string');
        const channel = findChannel(registry, t);
        if (!channel) return fail(`targets[${i}]`, `unknown channel "${t}" (see GET /api/channels)`);
        if (channel.hasSubColumns) {
          const problem = parentColumnProblem(registry, channel.ref);
          return fail(`targets[${i}]`, problem.message, problem.messageZh);
        }
        if (targets.includes(t)) return fail(`targets[${i}]`, `channel "${t}" is listed twice`);
        targets.push(t);
      });
  }

  let releaseAt: string | null = null;
  if (body.releaseAt !== undefined && body.releaseAt !== null) {
    const problem = releaseTimeProblem(body.releaseAt);
    if (problem) fail('releaseAt', problem.message);
    else releaseAt = normalizedReleaseTime(body.releaseAt as string);
  }
  let cover: { mediaId: string; alt: string } | undefined;
  if (body.cover !== undefined && body.cover !== null) {
    if (!isObject(body.cover)) fail('cover', 'expected an object { mediaId, alt }');
    else {
      const mediaId = text(body.cover, 'mediaId', 'cover.mediaId', { required: true });
      const alt = text(body.cover, 'alt', 'cover.alt', { required: true, max: 200 });
      if (mediaId && !MEDIA_ID.test(mediaId))
        fail('cover.mediaId', shortMediaIdProblem(mediaId) ?? 'expected the id of an uploaded image (64 hex characters, from POST /api/media)');
      else if (mediaId && alt) cover = { mediaId, alt };
    }
  }
  const known = new Set(['title', 'catalogueItem', 'document', 'interpretations', 'targets', 'releaseAt', 'cover']);
  for (const key of Object.keys(body)) if (!known.has(key)) fail(key, 'unknown field');

  if (unlisted > 0) issues.push({ path: '', message: `and ${unlisted} more problem${unlisted === 1 ? '' : 's'}, not listed; fix these and send again` });
  if (issues.length > 0 || !item || !title) throw new ValidationError(issues);
  return { content: { title, catalogueItem: item.id, document, interpretations, targets, releaseAt, ...(cover ? { cover } : {}) }, item };
}

/** A portal column with sub-columns taken as a target: which sub-columns an item goes into instead. */
function parentColumnProblem(registry: Registry, columnId: string): { message: string; messageZh: string } {
  const column = portalColumn(registry, columnId)!;
  const subs = subColumnsOf(registry, columnId);
  const shown = subs.slice(0, 5);
  const more = subs.length - shown.length;
  const list = shown.map((c) => `portal:${c.id} (${c.name})`).join(', ') + (more > 0 ? ` and ${more} more` : '');
  const listZh = shown.map((c) => `portal:${c.id}（${c.name}）`).join('、') + (more > 0 ? ` 等 ${subs.length} 个` : '');
  return {
    message: `portal column "${column.id}" (${column.name}) has sub-columns: its page lists theirs, and an item goes into one of them: ${list} (see GET /api/channels)`,
    messageZh: `门户网站栏目“${column.name}”（${column.id}）下设子栏目，其页面汇总子栏目的内容：稿件须发布到其中一个子栏目，如 ${listZh}（见 GET /api/channels）`,
  };
}
