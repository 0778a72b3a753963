/**
 * What every route schema is built from: the request limits, the shape of a route's schema, the
 * building blocks of fields (ids, notes, URLs, times), the error body, and the shapes a route
 * takes again and again (a command on one resource, a file download).
 */
import { Type, type Static, type TSchema } from 'typebox';
import type { FastifySchema } from 'fastify';
import { MAX_NOTE_CHARS } from '../../domain/text.js';
import { RETENTION_HOURS } from '../idempotency.js';

/** Request limits (characters, items). Notes are comments, reasons and notes: they go into workflow history. */
export const LIMITS = {
  note: MAX_NOTE_CHARS,
  title: 200,
  body: 200_000,
  name: 200,
  url: 2000,
  interpretations: 20,
  attachments: 50,
  targets: 400,
  list: 1000,
  /** Lists paged with a cursor (packages). */
  page: 200,
  audit: 5000,
  idempotencyKey: 255,
} as const;

/** A route's schema: Fastify's parts plus the OpenAPI words that describe it. */
export interface RouteSchema extends FastifySchema {
  summary: string;
  description?: string;
  tags?: string[];
  /** Request body described for OpenAPI only (a multipart upload is not validated as JSON). */
  'x-requestBody'?: Record<string, unknown>;
  /** Status codes (besides the defaults) the route answers with an error. */
  'x-errors'?: number[];
}

/**
 * No character the text rule refuses (domain/text.ts): C0 and C1 controls (NUL cannot be stored in
 * PostgreSQL text; the others are invisible), the direction overrides, the non-characters.
 */
export const SAFE_TEXT = '^[^\\u0000-\\u001f\\u007f-\\u009f\\u202d\\u202e\\ufffe\\uffff]*$';
export const SAFE_MESSAGE = 'contains a control character (such as NUL) or a direction override; remove it';

export function idText(description: string, maxLength: number, examples?: string[]) {
  return Type.String({ minLength: 1, maxLength, pattern: SAFE_TEXT, 'x-message': SAFE_MESSAGE, description, ...(examples ? { examples } : {}) });
}

export function queryText(description: string, maxLength = 200) {
  return Type.Optional(Type.String({ minLength: 1, maxLength, pattern: SAFE_TEXT, 'x-message': SAFE_MESSAGE, description }));
}

export const note = (description: string) => Type.String({ maxLength: LIMITS.note, description: `${description} At most ${LIMITS.note} characters.` });
export const requiredNote = (description: string) =>
  Type.String({
    minLength: 1,
    maxLength: LIMITS.note,
    pattern: '\\S',
    'x-message': 'must not be blank',
    description: `${description} At most ${LIMITS.note} characters.`,
  });

/** What an id path or query parameter of this form takes, said instead of its pattern. */
export const UNIT_ID_MESSAGE = 'expected a unit id such as jyj (lowercase letters, digits, _ and -): GET /api/units lists them';
export const ACCOUNT_ID_MESSAGE = 'expected an account id of config/registry/accounts.yaml (lowercase letters, digits, _ and -)';
export const EXTERNAL_RELEASE_ID_MESSAGE = 'expected an id of letters, digits, ".", "_" and "-" that starts with a letter or digit, such as bz-2026-12';
export const RUN_ID_MESSAGE = 'expected the workflowId a compliance run answered with (letters, digits, ".", "_", ":" and "-")';

export const MEDIA_ID = '^[0-9a-f]{64}$';
export const mediaId = (description: string) =>
  Type.String({ pattern: MEDIA_ID, 'x-message': 'expected the id of an uploaded file (64 hex characters, from POST /api/media)', description });
export const httpUrl = (description: string) =>
  Type.String({ maxLength: LIMITS.url, pattern: '^https?://', 'x-message': 'must be an http(s) URL', description });

/**
 * A web address a package links to, as domain/web-link.ts checks it once the value is trimmed:
 * http(s)://, a host that is more than dots (before any :port; no user:password@ before it), and
 * no whitespace or control character inside. The pattern says all of that but whether a URL parser
 * takes the address; the service's check names which part is wrong, so its sentence is the one sent.
 */
export const WEB_LINK =
  '^https?://\\.*[^\\s\\u0000-\\u001f\\u007f-\\u009f/?#@.:][^\\s\\u0000-\\u001f\\u007f-\\u009f/?#@]*(?:[/?#][^\\s\\u0000-\\u001f\\u007f-\\u009f]*)?\\s*$';
export const webLink = (description: string) =>
  Type.String({
    maxLength: LIMITS.url,
    pattern: WEB_LINK,
    'x-message': 'must be an http(s) URL',
    description: `${description}. An absolute http(s) address with a host (such as https://www.beilin.gov.cn/…) and no user name or password before it, without spaces or control characters (a space inside a path is written %20), that a URL parser (WHATWG) reads; trimmed when stored.`,
  });
/** A revision number: 1 for the first; a million is far past any package's edits (1e300 is an integer to JSON Schema). */
export const revisionNumber = (description: string) => Type.Integer({ minimum: 1, maximum: 1_000_000, description });
export const dateTime = (description: string) => Type.Unsafe<string | null>({ type: ['string', 'null'], format: 'date-time', description });
export const limitParam = (max: number, fallback: number) =>
  Type.Optional(Type.Integer({ minimum: 1, maximum: max, description: `At most this many (default ${fallback}, at most ${max}).` }));
export const booleanParam = (description: string) => Type.Optional(Type.Boolean({ description: `${description} (true or false)` }));
/** An opaque list cursor (`nextCursor` of the previous page). */
export const cursorParam = Type.Optional(
  // Any text: a cursor that is not one the list gave out answers 400 bad_cursor (services/list-cursor.ts).
  Type.String({
    maxLength: 2000,
    description: '`nextCursor` of the previous page, unchanged (leave out for the first page)',
  }),
);
export const timestamp = Type.String({ format: 'date-time' });
export const nullableTimestamp = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);
export const nullableString = Type.Union([Type.String(), Type.Null()]);

/**
 * `T or null` as one schema (`type: [T, "null"]`) rather than `anyOf`, so a wrong value gets one
 * issue naming what is expected instead of one per alternative.
 */
export function nullable<T extends TSchema>(schema: T) {
  const type = (schema as { type?: string }).type;
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [type, 'null'] });
}

/** Routes that take no request body still accept none but an empty object. */
export const NoBody = Type.Object({}, { additionalProperties: false, description: 'No body (or an empty JSON object).' });
/** Routes without query parameters refuse any (see README: unknown query parameters are a 400). */
export const NoQuery = Type.Object({}, { additionalProperties: false });

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

export const Issue = Type.Object({
  path: Type.String({ description: 'Field path such as document.title, interpretations[0].form, limit; empty for the whole body.' }),
  message: Type.String({ description: 'English, or Chinese when Accept-Language prefers zh.' }),
  messageZh: Type.Optional(Type.String({ description: 'The same in Simplified Chinese.' })),
  messageEn: Type.Optional(Type.String({ description: 'The English, when message is Chinese.' })),
});

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({
        examples: [
          'invalid_body',
          'invalid_query',
          'invalid_params',
          'unsupported_media_type',
          'idempotency_key_reused',
          'interpretation_required',
          'stale_revision',
          'self_approval',
          'wrong_stage',
          'content_locked',
          'internal',
        ],
      }),
      message: Type.String({ description: 'What is wrong and what to do, in a sentence: English, or Chinese when Accept-Language prefers zh.' }),
      messageZh: Type.Optional(Type.String({ description: 'The same in Simplified Chinese (always sent).' })),
      messageEn: Type.Optional(Type.String({ description: 'The English sentence, when message is Chinese.' })),
      issues: Type.Optional(Type.Array(Issue, { description: '400: one entry per field.' })),
      problems: Type.Optional(Type.Unknown({ description: 'Rule refusals with details (e.g. specs a rendition request cannot serve).' })),
      requestId: Type.String({ description: 'Also the X-Request-Id header; quote it when reporting a problem (500s are logged with it).' }),
    }),
  },
  { title: 'Error', description: 'Error' },
);

export const tags = { packages: ['packages'], review: ['review'], operations: ['operations'], registry: ['registry'], media: ['media'], system: ['system'] };

/**
 * A command on one resource (a package, a delivery, a channel): its path parameters, body and
 * answer; refused with 404 when there is no such resource and 409 when not now.
 */
/** The optional Idempotency-Key header of a request that must not run twice (api/idempotency.ts); `firstAnswer` says what a retry gets back. */
export const idempotencyKeyHeaders = (firstAnswer: string) =>
  Type.Object({
    'idempotency-key': Type.Optional(
      Type.String({
        // A token or a quoted string (draft-ietf-httpapi-idempotency-key-header): printable ASCII.
        pattern: `^(?:[!#-~]{1,${LIMITS.idempotencyKey}}|"[!#-~]{1,${LIMITS.idempotencyKey}}")$`,
        'x-message': `expected 1 to ${LIMITS.idempotencyKey} printable ASCII characters without spaces, e.g. a UUID`,
        description: `Makes the request safe to retry: the same key from the same user with the same body answers with the first response (${firstAnswer}, header Idempotent-Replayed: true); with a different body 409 idempotency_key_reused. Keys are kept ${RETENTION_HOURS} hours.`,
      }),
    ),
  });

export function commandRoute<P extends TSchema, B extends TSchema, R extends TSchema>(
  summary: string,
  routeTags: string[],
  parts: { params: P; body: B; result: R },
  errors: number[] = [404, 409],
) {
  return { summary, tags: routeTags, params: parts.params, body: parts.body, response: { 200: parts.result }, 'x-errors': errors };
}

export type { Static, TSchema };
