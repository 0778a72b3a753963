/**
 * Which methods the API takes at a path, for the answer to a method it does not take there:
 * `DELETE /api/packages` is `405` with `Allow: GET, HEAD, POST`, not a `404` that says the route
 * does not exist, so a client learns it has the right address and the wrong verb (RFC 9110 §15.5.6).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

interface RoutePattern {
  matches: RegExp;
  methods: Set<string>;
}

/** `/api/packages/:id/decisions` → a regular expression of the paths it serves (`*` any rest). */
function patternOf(url: string): RegExp {
  const segments = url.split('/').map((segment) => {
    if (segment === '*') return '.*';
    if (segment.includes(':') || segment.includes('*')) return '[^/]+';
    return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${segments.join('/')}/?$`);
}

/**
 * Follows every route the app registers from here on (call it before the routes), and answers the
 * methods of a path: sorted, [] when no route serves the path with any method.
 */
export function trackRouteMethods(app: FastifyInstance): (path: string) => string[] {
  const patterns = new Map<string, RoutePattern>();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const known = patterns.get(route.url) ?? { matches: patternOf(route.url), methods: new Set<string>() };
    for (const method of methods) known.methods.add(method.toUpperCase());
    patterns.set(route.url, known);
  });
  return (path) => {
    const methods = new Set<string>();
    for (const pattern of patterns.values()) if (pattern.matches.test(path)) for (const method of pattern.methods) methods.add(method);
    return [...methods].sort();
  };
}

/**
 * Answers `405` with `Allow` when the request's path is served with other methods, in both
 * languages (the API's preSerialization hook picks the reader's), and returns the reply; null when
 * no route serves the path (the caller answers 404).
 */
export function answerWrongMethod(request: FastifyRequest, reply: FastifyReply, path: string, methodsAt: (path: string) => string[]): FastifyReply | null {
  const allowed = methodsAt(path);
  if (allowed.length === 0) return null;
  return reply
    .status(405)
    .header('allow', allowed.join(', '))
    .send({
      error: {
        code: 'method_not_allowed',
        message: `${path} does not take ${request.method}: it takes ${allowed.join(', ')} (see GET /api/openapi.json).`,
        messageZh: `${path} 不支持 ${request.method} 请求，只支持 ${allowed.join('、')}（见 GET /api/openapi.json）。`,
        requestId: request.id,
      },
    });
}
