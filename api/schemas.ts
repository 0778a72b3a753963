/**
 * Every route's request and response shapes, declared once with TypeBox, one file per resource
 * under api/schemas/. Fastify validates requests with these schemas (api/validation.ts), handlers
 * take their types from them (`Static<typeof …>`), and GET /api/openapi.json is generated from
 * them (api/openapi.ts): there is no second description to drift. Command bodies come from the
 * commands table (domain/commands.ts through api/schemas/commands.ts).
 *
 * The package body's registry-aware rules (catalogue items, channels, 三同步, document numbers)
 * stay in services/package-input.ts; the schemas give shape, types, lengths and unknown fields.
 */
import type { RouteSchema } from './schemas/common.js';
import { operationsRoutes } from './schemas/operations.js';
import { packageRoutes } from './schemas/packages.js';
import { systemRoutes } from './schemas/system.js';

export * from './schemas/common.js';
export * from './schemas/commands.js';
export * from './schemas/media.js';
export * from './schemas/operations.js';
export * from './schemas/packages.js';
export * from './schemas/system.js';
export * from './schemas/session.js';

/** The routes api/server.ts registers, by name. */
export const routes = { ...systemRoutes, ...operationsRoutes, ...packageRoutes } satisfies Record<string, RouteSchema>;

/** Routes anyone may call without a token (everything else under /api needs one). */
export const PUBLIC_ROUTES = new Set([
  'POST /api/session',
  'GET /healthz',
  // Open unless GOVPUB_METRICS_TOKEN is set; then the route checks that bearer token itself.
  'GET /metrics',
  'GET /api/openapi.json',
  // Platforms' pushes: they sign with the account's token instead (api/platform-event-routes.ts).
  'GET /api/platform-events/wechat-oa/:account',
  'POST /api/platform-events/wechat-oa/:account',
]);
