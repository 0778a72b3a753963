/**
 * The console's read routes (registered by api/server.ts with the same authentication as every
 * /api route): revisions and their diff, the inbox, the live change stream (Server-Sent Events),
 * delivery figures and a manual hand-off bundle as one download. Handlers are thin: services do
 * the work.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { AppContext } from '../services/context.js';
import { GovpubError } from '../domain/errors.js';
import { BundleService } from '../services/bundle.js';
import { ChangeFeed, sseText, type ChangeEvent } from '../services/events.js';
import { InboxService } from '../services/inbox.js';
import type { MediaFileSources } from '../services/media-files.js';
import { RevisionService } from '../services/revisions.js';
import { StatsService } from '../services/stats.js';
import { consoleRoutes } from './schemas/console.js';

export interface ConsoleOptions {
  /** The media store behind the hand-off bundles (without it, GET /api/deliveries/:id/bundle answers 409). */
  media?: MediaFileSources;
  /** The change stream's poll interval, keep-alive and how often an open stream's credential is checked again (tests shorten them). */
  events?: { intervalMs?: number; pingMs?: number; recheckMs?: number };
}

/**
 * Whether the token or session a request was authenticated with still works now (not rotated,
 * revoked, signed out or its user disabled): an open stream asks before it sends anything more.
 */
export type StillSignedIn = (request: FastifyRequest) => Promise<boolean>;

/** Routes whose answer is a stream: no handler deadline (api/server.ts STREAMING_ROUTES). */
export const CONSOLE_STREAMING_ROUTES = ['GET /api/events', 'GET /api/deliveries/:id/bundle'];

/** A client this far behind (bytes waiting to be written) is disconnected; it resumes with Last-Event-ID. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * Open event streams one user may hold (a console tab holds one or two). Each costs a check of the credential
 * every few seconds: a script opening thousands would load the database for everyone.
 */
export const EVENT_STREAMS_PER_USER = 50;

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export function registerConsoleRoutes(app: FastifyInstance, ctx: AppContext, options: ConsoleOptions = {}, stillSignedIn?: StillSignedIn): void {
  const revisions = new RevisionService(ctx);
  const inbox = new InboxService(ctx);
  const stats = new StatsService(ctx);
  const bundles = new BundleService(ctx, options.media);
  const feed = new ChangeFeed(ctx.db, { intervalMs: options.events?.intervalMs });
  const pingMs = options.events?.pingMs ?? 15_000;
  const recheckMs = options.events?.recheckMs ?? 5_000;
  const streams = new Set<FastifyReply['raw']>();
  const streamsOf = new Map<string, number>();

  const route = (method: 'GET', url: string, schema: object, handler: Handler) =>
    app.route({ method, url, schema, handler: handler as RouteOptions['handler'] });
  const actorOf = (request: FastifyRequest) => request.actor!;

  route('GET', '/api/packages/:id/revisions', consoleRoutes.listRevisions, async (request) => revisions.list((request.params as { id: string }).id));
  route('GET', '/api/packages/:id/revisions/:n', consoleRoutes.getRevision, async (request) => {
    const { id, n } = request.params as { id: string; n: number };
    return revisions.get(id, n);
  });
  route('GET', '/api/packages/:id/diff', consoleRoutes.diffRevisions, async (request) =>
    revisions.diff(actorOf(request), (request.params as { id: string }).id, request.query as { from?: number; to?: number }),
  );
  route('GET', '/api/inbox', consoleRoutes.inbox, async (request) => inbox.forActor(actorOf(request)));
  route('GET', '/api/stats/deliveries', consoleRoutes.deliveryStats, async (request) =>
    stats.deliveries(request.query as { days?: number; platform?: string }),
  );

  route('GET', '/api/deliveries/:id/bundle', consoleRoutes.deliveryBundle, async (request, reply) => {
    const bundle = await bundles.zip((request.params as { id: string }).id);
    return reply
      .header('content-type', 'application/zip')
      .header('content-length', bundle.size)
      .header('content-disposition', `attachment; filename="${bundle.fileName}"`)
      .header('cache-control', 'private, no-store')
      .header('x-content-type-options', 'nosniff')
      .send(bundle.stream);
  });

  route('GET', '/api/events', consoleRoutes.events, async (request, reply) => {
    const userId = actorOf(request).id;
    const open = streamsOf.get(userId) ?? 0;
    if (open >= EVENT_STREAMS_PER_USER)
      throw new GovpubError(
        'too_many_streams',
        `You have ${open} live event streams open already (at most ${EVENT_STREAMS_PER_USER} a user; a console tab holds one or two): close some console tabs, then reload this one.`,
        { status: 429, limit: EVENT_STREAMS_PER_USER },
        { zh: `你已打开 ${open} 个实时事件连接（每位用户最多 ${EVENT_STREAMS_PER_USER} 个，每个控制台标签页一到两个）：请关闭一些控制台标签页，再刷新本页。` },
      );
    const lastEventId = (request.headers as { 'last-event-id'?: string })['last-event-id'];
    // Read what was missed before answering, so a database error is still an ordinary error answer.
    const missed = lastEventId ? await feed.since(lastEventId) : null;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // a proxy in front must not hold the events back
      'x-request-id': request.id,
    });
    let backlog: ChangeEvent[] | null = [];
    const write = (text: string) => {
      if (res.writableEnded) return;
      res.write(text);
      if (res.writableLength > MAX_BUFFERED_BYTES) res.end();
    };
    // A token rotated or revoked, a session signed out or a user disabled after the stream opened:
    // nothing more is sent. Each batch of changes is sent only once the credential is checked again
    // (and a quiet stream is checked every few seconds); then the stream says so and ends, and the
    // browser's reconnect is answered 401.
    const signedOut = () => {
      write(`event: signed-out\ndata: ${JSON.stringify({ reason: 'your token or session no longer works: sign in again' })}\n\n`);
      res.end();
    };
    const allowed = async (): Promise<boolean> => {
      if (!stillSignedIn) return true;
      try {
        if (await stillSignedIn(request)) return true;
        signedOut();
      } catch {
        res.end(); // the check itself failed (the database): the client reconnects and is authenticated afresh
      }
      return false;
    };
    const pending: ChangeEvent[] = [];
    let sending = false;
    const send = async () => {
      if (sending) return;
      sending = true;
      try {
        while (pending.length > 0 && !res.writableEnded) {
          if (!(await allowed())) return;
          for (const event of pending.splice(0)) write(sseText(event));
        }
      } finally {
        sending = false;
      }
    };
    const unsubscribe = feed.subscribe((events) => {
      if (backlog) backlog.push(...events);
      else {
        pending.push(...events);
        void send();
      }
    });
    const ping = setInterval(() => write(': ping\n\n'), pingMs);
    const recheck = setInterval(() => {
      if (!sending && !res.writableEnded) void allowed();
    }, recheckMs);
    streams.add(res);
    streamsOf.set(userId, (streamsOf.get(userId) ?? 0) + 1);
    const done = () => {
      clearInterval(ping);
      clearInterval(recheck);
      unsubscribe();
      streams.delete(res);
      const left = (streamsOf.get(userId) ?? 1) - 1;
      if (left > 0) streamsOf.set(userId, left);
      else streamsOf.delete(userId);
    };
    res.once('close', done);
    write('retry: 3000\n\n');
    if (missed) {
      for (const event of missed.events) write(sseText(event));
      if (missed.truncated) write(`event: resync\ndata: ${JSON.stringify({ reason: 'more changed than can be replayed: reload the lists' })}\n\n`);
    }
    for (const event of backlog) write(sseText(event));
    backlog = null;
    return reply;
  });

  // Open streams end when the API closes (before the server waits for its connections).
  app.addHook('preClose', async () => {
    for (const res of streams) res.end();
    streams.clear();
    await feed.close();
  });
}
