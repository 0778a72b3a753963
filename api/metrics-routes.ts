/**
 * GET /metrics on the API's own port (Prometheus text), and the timing of every other request.
 * Open unless GOVPUB_METRICS_TOKEN is set; then it wants `Authorization: Bearer <token>`. The
 * documented reverse proxy routes only /api/, /console/ and /media/, so it is not public either way.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GovpubError } from '../domain/errors.js';
import { tags, type RouteSchema } from './schemas/common.js';
import type { ApiMetrics } from './metrics.js';

export const METRICS_PATH = '/metrics';

/** Times every request by its route pattern (never the raw URL); /metrics itself is not timed. */
export function timeRequests(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const route = request.routeOptions.url;
    if (route !== METRICS_PATH) metrics.observeRequest(request.method, route ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}

export function registerMetricsRoute(app: FastifyInstance, metrics: ApiMetrics, token: string | undefined): void {
  // Compared as digests: equal length, so the comparison takes the same time whatever is sent.
  const expected = token === undefined ? undefined : digest(token);
  app.route({
    method: 'GET',
    url: METRICS_PATH,
    schema: {
      summary: 'Prometheus metrics in text format (docs/metrics.md); needs Authorization: Bearer <GOVPUB_METRICS_TOKEN> when that is set',
      tags: tags.system,
    } satisfies RouteSchema as RouteSchema,
    handler: async (request, reply) => {
      if (expected) {
        const given = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
        if (given === undefined || !timingSafeEqual(digest(given), expected)) {
          reply.header('www-authenticate', 'Bearer realm="govpub metrics"');
          throw new GovpubError('metrics_unauthorized', 'GET /metrics needs "Authorization: Bearer <token>" with the token in GOVPUB_METRICS_TOKEN.', {
            status: 401,
          });
        }
      }
      const { contentType, body } = await metrics.text();
      return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
    },
  });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
