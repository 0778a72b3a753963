/**
 * The console is served by govpub on the API's origin: the built web/dist at /console/, its own
 * routes answered with index.html, hashed assets cached for good, nothing outside web/dist.
 */
import fs from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerConsoleRoutes } from '../../api/console-static.js';
import { CONSOLE_DIST, consoleBudget, ensureConsoleBuilt } from '../../web/build-console.js';

let app: FastifyInstance;

beforeAll(async () => {
  await ensureConsoleBuilt();
  app = Fastify();
  await registerConsoleRoutes(app, { distDir: CONSOLE_DIST });
});
afterAll(async () => app?.close());

describe('the console at /console/', () => {
  it('redirects / to the console', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/console/');
  });

  it('answers its own routes with index.html, in Chinese, never cached, with a strict CSP', async () => {
    for (const url of ['/console/', '/console/packages/pkg-1', '/console/board']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain('<html lang="zh-CN">');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });

  it('serves hashed assets for a year and refuses paths outside web/dist/assets', async () => {
    const asset = fs.readdirSync(`${CONSOLE_DIST}/assets`).find((f) => f.endsWith('.js'))!;
    const res = await app.inject({ method: 'GET', url: `/console/assets/${asset}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toContain('immutable');
    expect(res.headers['content-type']).toMatch(/javascript/);
    for (const url of ['/console/assets/%2e%2e/%2e%2e/package.json', '/console/assets/..%2f..%2fpackage.json', '/console/assets/missing.js']) {
      const refused = await app.inject({ method: 'GET', url });
      expect(refused.statusCode, url).toBe(404);
      expect(refused.body).not.toContain('"name": "govpub"');
    }
    // A path that climbs out of assets/ is the app's own route at most: index.html, never a file elsewhere.
    const climbed = await app.inject({ method: 'GET', url: '/console/..%2f..%2fpackage.json' });
    expect(climbed.body).not.toContain('"name": "govpub"');
  });

  it('reports the first page budget from the build', () => {
    const budget = consoleBudget();
    expect(budget.firstPageScripts).toBeGreaterThan(0);
    expect(budget.firstPageJsGzipBytes).toBeGreaterThan(1000);
    expect(budget.firstPageJsGzipBytes).toBeLessThan(budget.firstPageJsBytes);
  });
});
