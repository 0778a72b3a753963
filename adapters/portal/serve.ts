/**
 * Serves the portal's current generation read-only (local runs, tests, small deployments; nginx in
 * production, see README.md). `current` is resolved on every request, so a swap is picked up at
 * once and a request that started in one generation finishes in it (the file is opened first).
 * A generation's units are symlinks into the web root's store/; they are followed, but nothing
 * outside the generation and the store, and no dot file (the site state), is ever served.
 */
import { open, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_SITE_NAME } from './payload.js';
import { CURRENT_LINK } from './generations.js';
import { STORE_DIR } from './site.js';
import { SITE_PATHS, articleBucket } from './urls.js';
import { renderNothingPublishedPage, renderNotFoundPage } from './pages/standalone.js';

export interface PortalRoutesOptions {
  webRoot: string;
  /** URL prefix the site is mounted at; default `/portal`. `''` or `/` mounts it at the root. */
  prefix?: string;
  /** For the 404 and "nothing published yet" pages; default 西安市碑林区人民政府. */
  siteName?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webp': 'image/webp',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.mp4': 'video/mp4',
  '.m4a': 'audio/mp4',
  '.mp3': 'audio/mpeg',
  '.pdf': 'application/pdf',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.doc': 'application/msword',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.xls': 'application/vnd.ms-excel',
  '.ofd': 'application/ofd',
  '.vtt': 'text/vtt; charset=utf-8',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
  // Pagefind's index files (pagefind/): gzip-compressed chunks its own script fetches and unpacks.
  '.pagefind': 'application/octet-stream',
  '.pf_meta': 'application/octet-stream',
  '.pf_index': 'application/octet-stream',
  '.pf_fragment': 'application/octet-stream',
  '.pf_filter': 'application/octet-stream',
};

/**
 * The Content-Security-Policy of the portal: no inline script or style anywhere (the pages link
 * assets/site.css and assets/site.js); 'wasm-unsafe-eval' lets the search page run Pagefind's
 * WebAssembly and allows no eval. README's nginx config carries the same string (a test compares).
 */
export function portalContentSecurityPolicy(): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data:",
    "media-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

/** Security headers of every answer (pages, files, errors); the nginx config in README.md sets the same. */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': portalContentSecurityPolicy(),
  'x-frame-options': 'SAMEORIGIN',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-content-type-options': 'nosniff',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

function withSecurityHeaders(reply: FastifyReply): FastifyReply {
  return reply.headers(SECURITY_HEADERS);
}

function contentType(file: string): string {
  if (path.basename(file) === 'rss.xml') return 'application/rss+xml; charset=utf-8';
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Content-addressed media never changes; pages and feeds are revalidated on every visit. */
function cacheControl(relative: string): string {
  if (relative.startsWith('media/')) return 'public, max-age=31536000, immutable';
  if (relative === 'favicon.ico') return 'public, max-age=86400';
  if (relative.startsWith('assets/')) return 'public, max-age=3600';
  return 'no-cache';
}

function normalizePrefix(prefix: string): string {
  const trimmed = prefix.trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** URL path segments, decoded; null for anything that could leave the site or reach hidden state. */
function safeSegments(rest: string): string[] | null {
  const segments: string[] = [];
  for (const raw of rest.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    // Dot segments climb out; dot files are the generation's state (.govpub/); separators and NUL smuggle paths.
    if (segment.startsWith('.') || /[/\\\0]/.test(segment)) return null;
    segments.push(segment);
  }
  return segments;
}

/**
 * Article pages moved from `art/<id>/…` to `art/<bucket>/<id>/…` (urls.ts `articleBucket`). An old
 * address of a package the site holds answers 301 to the new one; the Location is relative to the
 * request, so it is right under any prefix and behind nginx (which cannot compute the bucket and
 * hands these addresses to this route; README). Null when the path is not an old article address
 * or the package is not on the site (a plain 404 then).
 */
export async function legacyArticleRedirect(generation: string, segments: readonly string[], pathname: string, home: string): Promise<string | null> {
  const [top, id, ...rest] = segments;
  if (top !== 'art' || id === undefined || ARTICLE_BUCKET.test(id)) return null;
  const bucket = articleBucket(id);
  try {
    const info = await stat(path.join(generation, 'art', bucket, id, ...rest));
    if (rest.length === 0 ? !info.isDirectory() : !info.isFile()) return null;
  } catch {
    return null;
  }
  const target = `${home}art/${bucket}/${encodeURIComponent(id)}/${rest.map(encodeURIComponent).join('/')}`;
  // From the directory the request sits in (…/art/ for `art/<id>`, …/art/<id>/ for what is under it).
  const requestDir = pathname.slice(0, pathname.lastIndexOf('/') + 1);
  return path.posix.relative(requestDir, target) + (rest.length === 0 ? '/' : '');
}

/**
 * A revalidation the file still satisfies (RFC 9110 13.1): If-None-Match (a list, or `*`) decides when
 * sent; else If-Modified-Since, to the second (feed readers send only that one).
 */
function notModified(ifNoneMatch: string | undefined, ifModifiedSince: string | undefined, etag: string, mtime: Date): boolean {
  // Weak comparison: W/"x" and "x" match.
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  if (ifNoneMatch !== undefined) return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => opaque(tag) === opaque(etag));
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  return Number.isFinite(since) && Math.floor(mtime.getTime() / 1000) <= Math.floor(since / 1000);
}

/** An article bucket's name (urls.ts articleBucket): two hex digits. */
const ARTICLE_BUCKET = /^[0-9a-f]{2}$/;

export function registerPortalRoutes(app: FastifyInstance, options: PortalRoutesOptions): void {
  const webRoot = path.resolve(options.webRoot);
  const prefix = normalizePrefix(options.prefix ?? '/portal');
  const siteName = options.siteName ?? DEFAULT_SITE_NAME;
  const homeHref = `${prefix}/`;

  // The current generation's 404.html, as nginx's error_page serves it: the site's chrome, its footer
  // with 网站标识码, filing numbers and the configured 主办单位 (a retracted article's address lands
  // here). The plain page only while no generation holds one.
  const notFound = async (reply: FastifyReply) => {
    const page = await readFile(path.join(webRoot, CURRENT_LINK, SITE_PATHS.notFound), 'utf8').catch(() => renderNotFoundPage(siteName, homeHref));
    return withSecurityHeaders(reply).code(404).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(page);
  };

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const url = request.raw.url ?? '/';
    const queryAt = url.indexOf('?');
    const pathname = queryAt >= 0 ? url.slice(0, queryAt) : url;
    if (!pathname.startsWith(homeHref)) {
      // The prefix itself without its slash: relative links need the slash.
      return withSecurityHeaders(reply).redirect(`${homeHref}${queryAt >= 0 ? url.slice(queryAt) : ''}`, 301);
    }
    const rest = pathname.slice(homeHref.length);
    const segments = safeSegments(rest);
    if (segments === null) return notFound(reply);

    let generation: string;
    try {
      generation = await realpath(path.join(webRoot, CURRENT_LINK));
    } catch {
      // Nothing published yet: the home page says so, everything else does not exist.
      if (segments.length === 0 || (segments.length === 1 && segments[0] === 'index.html')) {
        return withSecurityHeaders(reply)
          .header('cache-control', 'no-cache')
          .type('text/html; charset=utf-8')
          .send(renderNothingPublishedPage(siteName, homeHref));
      }
      return notFound(reply);
    }

    const moved = await legacyArticleRedirect(generation, segments, pathname, homeHref);
    if (moved)
      return withSecurityHeaders(reply)
        .header('cache-control', 'public, max-age=86400')
        .redirect(`${moved}${queryAt >= 0 ? url.slice(queryAt) : ''}`, 301);

    let file = path.join(generation, ...segments);
    let info;
    try {
      info = await stat(file);
    } catch {
      return notFound(reply);
    }
    if (info.isDirectory()) {
      if (!pathname.endsWith('/')) return withSecurityHeaders(reply).redirect(`${pathname}/${queryAt >= 0 ? url.slice(queryAt) : ''}`, 301);
      file = path.join(file, 'index.html');
    } else if (pathname.endsWith('/')) {
      // A file asked for as a directory (index.html/): nginx answers 404, and served here every relative link would break.
      return notFound(reply);
    }
    // Units are symlinks into the store; anything resolving elsewhere, or to a dot file, is refused.
    try {
      const real = await realpath(file);
      const store = await realpath(path.join(webRoot, STORE_DIR)).catch(() => null);
      const base = real.startsWith(generation + path.sep) ? generation : store && real.startsWith(store + path.sep) ? store : null;
      if (
        !base ||
        path
          .relative(base, real)
          .split(path.sep)
          .some((s) => s.startsWith('.')) ||
        !(await stat(real)).isFile()
      )
        return notFound(reply);
      file = real;
    } catch {
      return notFound(reply);
    }

    // Opened before answering: a swap or cleanup from now on does not affect this response.
    let handle;
    try {
      handle = await open(file, 'r');
    } catch {
      return notFound(reply);
    }
    const stats = await handle.stat();
    const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
    const relative = segments.join('/');
    withSecurityHeaders(reply)
      .header('content-type', contentType(file))
      .header('cache-control', cacheControl(relative))
      .header('etag', etag)
      .header('last-modified', stats.mtime.toUTCString())
      .header('accept-ranges', 'bytes');
    if (notModified(request.headers['if-none-match'], request.headers['if-modified-since'], etag, stats.mtime)) {
      await handle.close();
      return reply.code(304).send();
    }

    let start = 0;
    let end = stats.size - 1;
    // One byte range; anything else (several ranges, another unit, nonsense) is ignored and the whole file sent (RFC 9110 14.2).
    const m = typeof request.headers.range === 'string' ? /^bytes=(\d*)-(\d*)$/.exec(request.headers.range.trim()) : null;
    if (m && (m[1] || m[2]) && stats.size > 0) {
      const from = m[1] ? Number(m[1]) : null;
      const to = m[2] ? Number(m[2]) : null;
      if (from !== null && from >= stats.size) {
        await handle.close();
        return reply.code(416).header('content-range', `bytes */${stats.size}`).send();
      }
      if (from === null) start = Math.max(0, stats.size - to!);
      else {
        start = from;
        if (to !== null) end = Math.min(to, stats.size - 1);
      }
      if (start > end) {
        await handle.close();
        return reply.code(416).header('content-range', `bytes */${stats.size}`).send();
      }
      reply.code(206).header('content-range', `bytes ${start}-${end}/${stats.size}`);
    }
    reply.header('content-length', stats.size === 0 ? 0 : end - start + 1);
    if (stats.size === 0) {
      await handle.close();
      return reply.send('');
    }
    return reply.send(handle.createReadStream({ start, end }));
  };

  if (prefix) app.get(prefix, handler);
  app.get(`${prefix}/*`, handler);
}
