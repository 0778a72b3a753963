// Validation of an article a client files (POST /api/v1/articles): every problem in one 400 validation_failed, an unknown column as 400 unknown_column.
import { charLength, htmlToText, isRecord } from '../common.js';
import { ARTICLE_KINDS, MEDIA_CENTER_LIMITS, type ApiError, type Article, type ArticleKind, type MediaColumn, type RelatedLink } from './contract.js';

/** An article as filed, before the simulator gives it an id. */
export type ValidatedArticle = Omit<Article, 'id' | 'clientId' | 'idempotencyKey' | 'fingerprint' | 'createdAt'>;

export function validateArticle(b: Record<string, unknown>, columns: MediaColumn[]): ValidatedArticle | ApiError {
  const columnById = new Map(columns.map((c) => [c.id, c]));
  const problems: { field: string; problem: string }[] = [];
  const optStr = (k: string, max: number): string | null => {
    const v = b[k];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') {
      problems.push({ field: k, problem: 'must be a string' });
      return null;
    }
    if (charLength(v) > max) problems.push({ field: k, problem: `at most ${max} characters (got ${charLength(v)})` });
    return v;
  };
  const httpUrl = (k: string, v: string | null) => {
    if (v === null) return;
    try {
      const u = new URL(v);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    } catch {
      problems.push({ field: k, problem: 'must be an absolute http(s) URL' });
    }
  };
  const columnId = typeof b.columnId === 'string' ? b.columnId : '';
  if (!columnById.has(columnId)) {
    return {
      status: 400,
      code: 'unknown_column',
      message: `columnId "${columnId}" is not a column of this site; GET /api/v1/columns lists them.`,
      details: { field: 'columnId', allowed: columns.map((c) => c.id) },
    };
  }
  const kindValue = b.kind === undefined ? 'graphic' : b.kind;
  if (typeof kindValue !== 'string' || !(ARTICLE_KINDS as readonly string[]).includes(kindValue))
    problems.push({ field: 'kind', problem: `one of ${ARTICLE_KINDS.join(', ')}` });
  const title = typeof b.title === 'string' ? b.title.trim() : '';
  if (title === '') problems.push({ field: 'title', problem: 'required' });
  else if (charLength(title) > MEDIA_CENTER_LIMITS.titleChars)
    problems.push({ field: 'title', problem: `at most ${MEDIA_CENTER_LIMITS.titleChars} characters (got ${charLength(title)})` });
  const subtitle = optStr('subtitle', MEDIA_CENTER_LIMITS.subtitleChars);
  const summary = optStr('summary', MEDIA_CENTER_LIMITS.summaryChars);
  const bodyHtml = optStr('bodyHtml', MEDIA_CENTER_LIMITS.bodyChars);
  const coverUrl = optStr('coverUrl', 2000);
  const videoUrl = optStr('videoUrl', 2000);
  const author = optStr('author', MEDIA_CENTER_LIMITS.authorChars);
  const source = optStr('source', MEDIA_CENTER_LIMITS.sourceChars);
  const externalRef = optStr('externalRef', MEDIA_CENTER_LIMITS.externalRefChars);
  httpUrl('coverUrl', coverUrl);
  httpUrl('videoUrl', videoUrl);
  const k = kindValue as ArticleKind;
  if (k === 'graphic' && (bodyHtml === null || htmlToText(bodyHtml) === '')) problems.push({ field: 'bodyHtml', problem: 'required for kind "graphic"' });
  if (k !== 'graphic' && videoUrl === null) problems.push({ field: 'videoUrl', problem: `required for kind "${k}"` });
  if (bodyHtml !== null && /<script\b/i.test(bodyHtml)) problems.push({ field: 'bodyHtml', problem: 'must not contain <script>' });
  const related: RelatedLink[] = [];
  if (b.relatedLinks !== undefined && b.relatedLinks !== null) {
    if (!Array.isArray(b.relatedLinks)) problems.push({ field: 'relatedLinks', problem: 'must be an array' });
    else {
      if (b.relatedLinks.length > MEDIA_CENTER_LIMITS.relatedLinks)
        problems.push({ field: 'relatedLinks', problem: `at most ${MEDIA_CENTER_LIMITS.relatedLinks} links` });
      b.relatedLinks.forEach((l, i) => {
        if (!isRecord(l) || typeof l.title !== 'string' || l.title.trim() === '' || typeof l.url !== 'string') {
          problems.push({ field: `relatedLinks[${i}]`, problem: 'needs title and url' });
          return;
        }
        const relation = l.relation === undefined ? 'related' : l.relation;
        if (relation !== 'interpretation' && relation !== 'policy' && relation !== 'related')
          problems.push({ field: `relatedLinks[${i}].relation`, problem: 'one of interpretation, policy, related' });
        httpUrl(`relatedLinks[${i}].url`, l.url);
        related.push({ title: l.title, url: l.url, relation: relation as RelatedLink['relation'] });
      });
    }
  }
  if (problems.length > 0)
    return { status: 400, code: 'validation_failed', message: problems.map((p) => `${p.field}: ${p.problem}`).join('; '), details: { problems } };
  return { externalRef, columnId, kind: k, title, subtitle, summary, bodyHtml, coverUrl, videoUrl, author, source, relatedLinks: related };
}
