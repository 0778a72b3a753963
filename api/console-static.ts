/**
 * Serves the built console (web/dist) at /console/ on the API's own origin, so the session cookie
 * and the CSRF header work without CORS. Paths that are not files are the single-page app's own
 * routes and get index.html. `/` redirects to the console.
 */
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

export interface ConsoleRoutesOptions {
  /** The built console (web/dist); when it has no index.html, /console/ says how to build it. */
  distDir: string;
}

/**
 * What the console may load: its own scripts and styles only (Element Plus sets inline styles),
 * images from itself, data: and blob: URLs (previews of files being uploaded), no framing.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

function securityHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'same-origin');
  reply.header('x-frame-options', 'DENY');
}

export async function registerConsoleRoutes(app: FastifyInstance, options: ConsoleRoutesOptions): Promise<void> {
  const distDir = path.resolve(options.distDir);
  await app.register(fastifyStatic, { root: distDir, serve: false });

  const sendIndex = (reply: FastifyReply) => {
    securityHeaders(reply);
    if (!fs.existsSync(path.join(distDir, 'index.html'))) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('控制台尚未构建。请运行 `npx govpub web build`（npm install 时会自动构建）。\nThe console is not built: run `npx govpub web build`.');
    }
    // The page names the current hashed assets: never cached, so a new build is picked up at once.
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  };

  app.get('/', async (_request, reply) => reply.redirect('/console/', 302));
  app.get('/console', async (_request, reply) => reply.redirect('/console/', 301));
  app.get('/console/*', async (request, reply) => {
    const rest = (request.params as { '*': string })['*'];
    if (rest.startsWith('assets/')) {
      const relative = path.normalize(rest);
      const file = path.join(distDir, relative);
      if (!file.startsWith(path.join(distDir, 'assets') + path.sep) || !fs.existsSync(file)) {
        return reply.status(404).type('text/plain; charset=utf-8').send('Not found');
      }
      securityHeaders(reply);
      // Asset names carry their content hash: cache them for good.
      return reply.header('cache-control', 'public, max-age=31536000, immutable').sendFile(relative, { cacheControl: false });
    }
    return sendIndex(reply);
  });
}
