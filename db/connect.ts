/** Opening the database: PostgreSQL by DATABASE_URL, else the embedded PGlite served over the wire protocol. */
import { Kysely, PostgresDialect, sql, type LogEvent } from 'kysely';
import pg from 'pg';
import { GovpubError } from '../domain/errors.js';
import { openEmbedded } from './embedded.js';
import { passwordsOf, redactUrl } from '../config/database-url.js';
import type { DB } from './schema.js';

export { redactUrl };

// timestamptz and jsonb come back as Date and objects; bigint ids (audit) as strings, by design.
export interface Database {
  db: Kysely<DB>;
  /** Where it lives, with any password removed: safe to print. */
  description: string;
  kind: 'postgres' | 'pglite';
  /** True when opening it made it: an embedded data directory that held no database yet. */
  created: boolean;
  close(): Promise<void>;
}

/** Told how long each query took, in seconds (the metrics' govpub_db_query_duration_seconds). */
export type QueryTimer = (seconds: number) => void;

export function connectPostgres(url: string, poolSize = 10, onQuery?: QueryTimer): Kysely<DB> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Nor one that is checked out (a query running, a transaction open) when the database restarts
  // or the network drops: pg fails its queries and also emits 'error' on the client, which pg-pool
  // listens to only while the client is idle, so without this listener the process crashed
  // (bench/fault-suite.ts: a worker died at each restart of the embedded database). The failed
  // query reports the error; the pool discards the broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<DB>({
    dialect: new PostgresDialect({ pool }),
    // Kysely times a query only when a log is configured; failed queries are timed too.
    ...(onQuery ? { log: (event: LogEvent) => onQuery(event.queryDurationMillis / 1000) } : {}),
  });
}

/**
 * What the operator does next for the failures PostgreSQL names by SQLSTATE: a bare code (3D000)
 * told nobody that the database is missing or the password wrong.
 */
function nextStep(code: string, description: string): string | undefined {
  let database = '';
  let user = '';
  try {
    const url = new URL(description);
    database = decodeURIComponent(url.pathname.slice(1));
    user = decodeURIComponent(url.username);
  } catch {
    // the embedded database's description is not a URL; its codes below never need these
  }
  switch (code) {
    case '3D000':
      return `Create the database once (\`createdb -h <host> -U <admin> ${database || '<name>'}\`, then \`govpub db migrate\`), or fix the database name in DATABASE_URL.`;
    case '28P01':
      return `Fix the password of user "${user}" in DATABASE_URL (percent-encode @ : / in it), or the user's password on the server.`;
    case '28000':
      return `Fix the user in DATABASE_URL, or let it in: create the role (\`createuser ${user || '<user>'}\`) or add a pg_hba.conf line for this host, user and database.`;
    case '53300':
      return 'The server has no connection left: each govpub process keeps up to 10, so raise max_connections or put PgBouncer in between.';
    case '57P03':
      return 'The server is starting up or shutting down: start govpub again in a moment.';
    default:
      return undefined;
  }
}

/** Fails fast, with a message naming the database, what is wrong and what to do, when it cannot be used. */
export async function assertReachable(db: Kysely<DB>, description: string, passwords: readonly string[] = []): Promise<void> {
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const step = code ? nextStep(code, description) : undefined;
    if (step) {
      // The server's own sentence names the database, role or limit; a password never appears in
      // it, but blank one anyway in case a server or proxy quotes the connection string.
      let said = (error as Error).message;
      for (const password of passwords) said = said.split(password).join('***');
      throw new GovpubError('database_unreachable', `The database at ${description} refused the connection: ${said} (${code}). ${step}`);
    }
    const cause = code ?? (error as Error).message;
    throw new GovpubError(
      'database_unreachable',
      `Cannot reach the database at ${description} (${cause}). Check that PostgreSQL is running and DATABASE_URL is right, or unset DATABASE_URL to use the embedded database.`,
    );
  }
}

/** Answers when the database serves govpub's tables (the health check). */
export async function pingDatabase(db: Kysely<DB>): Promise<void> {
  await db.selectFrom('users').select('id').limit(1).execute();
}

export interface OpenOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  pglitePort: number;
  /** See Settings.pgliteIdleTxTimeoutSec; the wire server's default when unset. */
  pgliteIdleTxTimeoutSec?: number;
  /** Times every query (metrics); none when unset. */
  onQuery?: QueryTimer;
  /** GOVPUB_CACHE_DIR: a new embedded data directory starts as a copy of a fresh cluster kept there. */
  cacheDir?: string;
}

/** PostgreSQL when DATABASE_URL is set; otherwise the embedded PGlite under the data directory. */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) {
    const db = connectPostgres(options.databaseUrl, 10, options.onQuery);
    const description = redactUrl(options.databaseUrl);
    await assertReachable(db, description, passwordsOf(options.databaseUrl)).catch(async (error) => {
      await db.destroy();
      throw error;
    });
    return { db, description, kind: 'postgres', created: false, close: () => db.destroy() };
  }
  const idle = options.pgliteIdleTxTimeoutSec;
  const embedded = await openEmbedded(options.dataDir, options.pglitePort, {
    idleInTransactionTimeoutMs: idle === undefined ? undefined : idle * 1000,
    cacheDir: options.cacheDir,
  });
  const db = connectPostgres(embedded.url, 8, options.onQuery);
  const description = `embedded PGlite in ${options.dataDir}/pgdata (served at ${embedded.url})`;
  await assertReachable(db, description);
  return {
    db,
    description,
    kind: 'pglite',
    created: embedded.created,
    async close() {
      await db.destroy();
      await embedded.stop();
    },
  };
}
