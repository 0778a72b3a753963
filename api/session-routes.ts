/**
 * Sign-in, the session and the units (issue 11). POST /api/session is public; the others are
 * authenticated by api/server.ts's hook (bearer token or session cookie with its CSRF checks).
 * The password, the session id and the CSRF token never reach the log or the audit trail.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GovpubError } from '../domain/errors.js';
import { unitChannelCounts } from '../domain/units.js';
import type { AppContext } from '../services/context.js';
import {
  changeOwnPassword,
  cookieValue,
  hashSessionId,
  permissionsOfUser,
  SESSION_COOKIE,
  sessionCookies,
  signIn,
  signOut,
  userView,
  type CookieSession,
} from '../services/sessions.js';
import { userById } from '../db/tokens.js';
import { sessionRoutes as schemas } from './schemas/session.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the request was authenticated by the session cookie (not by a bearer token). */
    authSession?: CookieSession;
  }
}

/** Secure cookies when the console is served over HTTPS (GOVPUB_COOKIE_SECURE=true). */
export function cookieSecure(env: NodeJS.ProcessEnv = process.env): boolean {
  // Any case: loadSettings refuses every other value at start.
  return env.GOVPUB_COOKIE_SECURE?.trim().toLowerCase() === 'true';
}

/** The origins a browser may send from: this server's own (and its https form behind a TLS proxy when cookies are Secure). */
function ownOrigins(request: FastifyRequest): string[] {
  const host = request.host;
  return [`${request.protocol}://${host}`, ...(cookieSecure() ? [`https://${host}`] : [])];
}

/**
 * A cookie-authenticated request from a browser page of another site is refused: when an Origin
 * header is present it must be this server's own.
 */
export function requireOwnOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  if (!ownOrigins(request).includes(origin)) {
    throw new GovpubError('csrf_failed', 'The request comes from another site (its Origin is not this server). Use the console served by govpub itself.', {
      status: 403,
    });
  }
}

export async function registerSessionRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post('/api/session', { schema: schemas.signIn }, async (request: FastifyRequest<{ Body: { name: string; password: string } }>, reply: FastifyReply) => {
    requireOwnOrigin(request);
    const { name, password } = request.body;
    let signedIn;
    try {
      signedIn = await signIn(ctx.db, name, password);
    } catch (error) {
      const retryAfter = error instanceof GovpubError ? (error.details as { retryAfterSec?: number }).retryAfterSec : undefined;
      if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
      throw error;
    }
    // Signing in again replaces the session this browser had.
    const previous = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (previous) await signOut(ctx.db, hashSessionId(previous));
    reply.header('set-cookie', sessionCookies(signedIn.sessionId, cookieSecure()));
    reply.header('cache-control', 'no-store');
    return { user: userView(ctx.registry, signedIn.user), csrfToken: signedIn.csrfToken, permissions: permissionsOfUser(signedIn.user) };
  });

  app.get('/api/session', { schema: schemas.getSession }, async (request, reply) => {
    const user = request.authSession?.user ?? (request.actor ? await userById(ctx.db, request.actor.id) : undefined);
    if (!user) throw new GovpubError('unauthorized', 'Sign in first (POST /api/session).', { status: 401 });
    reply.header('cache-control', 'no-store');
    return { user: userView(ctx.registry, user), csrfToken: request.authSession?.csrfToken ?? null, permissions: permissionsOfUser(user) };
  });

  app.delete('/api/session', { schema: schemas.signOut }, async (request, reply) => {
    if (request.authSession) await signOut(ctx.db, request.authSession.idHash);
    reply.header('set-cookie', sessionCookies(null, cookieSecure()));
    return reply.status(204).send();
  });

  app.put(
    '/api/session/password',
    { schema: schemas.changePassword },
    async (request: FastifyRequest<{ Body: { currentPassword: string; newPassword: string } }>, reply: FastifyReply) => {
      if (!request.actor) throw new GovpubError('unauthorized', 'Sign in first (POST /api/session).', { status: 401 });
      let changed;
      try {
        changed = await changeOwnPassword(ctx.db, request.actor.id, request.body, request.authSession?.idHash);
      } catch (error) {
        const retryAfter = error instanceof GovpubError ? (error.details as { retryAfterSec?: number }).retryAfterSec : undefined;
        if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
        throw error;
      }
      reply.header('cache-control', 'no-store');
      return { changed: true as const, sessionsEnded: changed.sessionsEnded };
    },
  );

  app.get('/api/units', { schema: schemas.listUnits }, async () => ({ units: unitChannelCounts(ctx.registry) }));
}
