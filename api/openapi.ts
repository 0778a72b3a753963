/**
 * The OpenAPI 3.1 description of the HTTP API, served at GET /api/openapi.json. It is generated
 * from the routes as Fastify registered them, with the schemas Fastify validates with
 * (api/schemas.ts): nothing here describes a route a second time.
 */
import type { CommandClass } from './admission.js';
import { RETENTION_HOURS } from './idempotency.js';
import { ErrorResponse, LIMITS, type RouteSchema } from './schemas.js';

export interface DocumentedRoute {
  method: string;
  url: string;
  schema: RouteSchema;
  /** Needs `Authorization: Bearer <token>`. */
  secured: boolean;
  /** A command that waits for its turn (api/admission.ts): 503 `api_busy` when it waited too long. */
  admission?: CommandClass;
}

type Json = Record<string, unknown>;

const ERROR_REF = { $ref: '#/components/responses/Error' };

function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** A copy of the schema without what TypeBox or Ajv keep for themselves (symbols, functions). */
function plain(schema: unknown): Json {
  return JSON.parse(JSON.stringify(schema ?? {})) as Json;
}

function parameters(schema: unknown, where: 'path' | 'query' | 'header'): Json[] {
  if (!schema) return [];
  const s = plain(schema);
  const properties = (s.properties ?? {}) as Record<string, Json>;
  const required = new Set((s.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name: where === 'header' ? name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => `${dash}${c.toUpperCase()}`) : name,
      in: where,
      required: where === 'path' ? true : required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function isBodyless(schema: Json): boolean {
  return schema.type === 'object' && Object.keys((schema.properties ?? {}) as Json).length === 0;
}

function responseOf(schema: unknown): Json {
  const s = plain(schema);
  const { description, 'x-content': content, ...rest } = s;
  const hasShape = Object.keys(rest).some((k) => ['type', 'properties', 'allOf', 'anyOf', 'oneOf', 'enum', 'const', 'items'].includes(k));
  return {
    description: (description as string | undefined) ?? 'OK',
    ...(content ? { content } : hasShape ? { content: { 'application/json': { schema: s } } } : {}),
  };
}

function operation(route: DocumentedRoute): Json {
  const { schema } = route;
  const hasInput = Boolean(schema.params || schema.querystring || schema.body || schema.headers || schema['x-requestBody']);
  const body = schema.body ? plain(schema.body) : undefined;
  const requestBody = schema['x-requestBody']
    ? schema['x-requestBody']
    : body && !isBodyless(body)
      ? { required: Array.isArray(body.required) && body.required.length > 0, content: { 'application/json': { schema: body } } }
      : undefined;
  const responses: Json = {};
  for (const [status, response] of Object.entries((schema.response ?? {}) as Record<string, unknown>)) responses[status] = responseOf(response);
  const errors = new Set<number>([
    ...(hasInput ? [400] : []),
    ...(route.secured ? [401, 403] : []),
    ...(requestBody && !schema['x-requestBody'] ? [413, 415] : []),
    ...(schema['x-errors'] ?? []),
    ...(route.admission ? [503] : []),
    500,
  ]);
  for (const status of [...errors].sort()) responses[String(status)] = ERROR_REF;
  const params = [...parameters(schema.params, 'path'), ...parameters(schema.querystring, 'query'), ...parameters(schema.headers, 'header')];
  return {
    summary: schema.summary,
    ...(schema.description ? { description: schema.description } : {}),
    ...(schema.tags ? { tags: schema.tags } : {}),
    // Which commands take turns, and which go first when the API is busy (api/admission.ts).
    ...(route.admission ? { 'x-govpub-turn': route.admission } : {}),
    ...(route.secured ? { security: [{ bearer: [] }] } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

/** Moves every schema with a `title` into components.schemas, referring to it by $ref. */
function hoistTitled(value: unknown, schemas: Json, top = false): unknown {
  if (Array.isArray(value)) return value.map((v) => hoistTitled(v, schemas));
  if (!value || typeof value !== 'object') return value;
  const object = value as Json;
  const copy: Json = {};
  for (const [k, v] of Object.entries(object)) copy[k] = hoistTitled(v, schemas);
  if (!top && typeof object.title === 'string' && (object.type || object.properties || object.allOf)) {
    const { title, ...rest } = copy;
    schemas[title as string] = { title, ...rest };
    return { $ref: `#/components/schemas/${title as string}` };
  }
  return copy;
}

export function openApiDocument(routes: DocumentedRoute[]) {
  const paths: Record<string, Json> = {};
  for (const route of [...routes].sort((a, b) => a.url.localeCompare(b.url))) {
    const path = openApiPath(route.url);
    paths[path] ??= {};
    paths[path]![route.method.toLowerCase()] = operation(route);
  }
  const schemas: Json = {};
  const hoistedPaths = hoistTitled(paths, schemas) as Json;
  const errorSchema = hoistTitled(plain(ErrorResponse), schemas, true) as Json;
  return {
    openapi: '3.1.0',
    info: {
      title: 'govpub API',
      version: '0.1.0',
      description: [
        'Release packages (a policy document with its interpretations) move through organize → review (初审/复审/终审) → release → retract, enforcing the three synchronizations (三同步).',
        'Errors are `{error: {code, message, messageZh, messageEn?, issues?, requestId}}` (message in English unless Accept-Language prefers zh; messageZh always): 400 carries field paths in `issues` (code invalid_body, invalid_query, invalid_params or invalid_header), 409 a rule code and a sentence a person can act on, 500 a request id that is also in the X-Request-Id header and the server log.',
        `Request bodies are JSON (415 otherwise); a field given twice in one object, unknown fields and unknown query parameters are refused with 400. Comments, reasons and notes are at most ${LIMITS.note.toLocaleString('en')} characters.`,
        `POST /api/packages and POST /api/channels/:id/pause take an Idempotency-Key header: a retry with the same key and body answers with the first response (keys are kept ${RETENTION_HOURS} hours).`,
      ].join(' '),
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Token printed by `govpub users add`.' } },
      responses: { Error: { description: 'Error', content: { 'application/json': { schema: errorSchema } } } },
      schemas,
    },
    paths: hoistedPaths,
  };
}
