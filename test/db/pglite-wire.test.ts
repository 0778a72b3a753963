/**
 * The embedded PGlite served over the wire to many connections at once: each transaction sees
 * only its own statements, every committed row is kept and every rolled-back one is gone, each
 * query gets its own result, and a client that dies or goes silent never takes others down.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres } from '../../db/connect.js';
import { openEmbedded, type EmbeddedServer } from '../../db/embedded.js';
import { startWireServer } from '../../db/pglite-wire.js';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jitter = () => pause(Math.floor(Math.random() * 4));

// ---- frontend messages, for a raw client that stops half-way through a unit ----
function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
const cstr = (s: string) => Buffer.from(`${s}\0`, 'utf8');
function startup(): Buffer {
  const body = Buffer.concat([Buffer.from([0, 3, 0, 0]), cstr('user'), cstr('postgres'), cstr('database'), cstr('postgres'), Buffer.from([0])]);
  const len = Buffer.alloc(4);
  len.writeInt32BE(body.length + 4);
  return Buffer.concat([len, body]);
}
const query = (text: string) => message('Q', cstr(text));
const parse = (text: string) => message('P', Buffer.concat([cstr(''), cstr(text), Buffer.from([0, 0])]));
const bind = () => message('B', Buffer.concat([cstr(''), cstr(''), Buffer.from([0, 0, 0, 0, 0, 0])]));
const execute = () => message('E', Buffer.concat([cstr(''), Buffer.from([0, 0, 0, 0])]));

/** A raw connection that resolves once the server answered ReadyForQuery `count` times in total. */
function rawClient(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let received = Buffer.alloc(0);
  let ready = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  socket.on('data', (chunk) => {
    received = Buffer.concat([received, chunk]);
    while (received.length >= 5 && received.length >= 1 + received.readInt32BE(1)) {
      if (received[0] === 0x5a) ready++;
      received = received.subarray(1 + received.readInt32BE(1));
    }
    for (const w of waiters.filter((w) => ready >= w.count)) w.resolve();
  });
  socket.on('error', () => {});
  return {
    socket,
    send: (...parts: Buffer[]) => socket.write(Buffer.concat(parts)),
    readyCount: (count: number) => new Promise<void>((resolve) => (ready >= count ? resolve() : waiters.push({ count, resolve }))),
  };
}

interface Outcome {
  /** Transactions that committed, whose two rows are not both there. */
  missingCommitted: number[];
  /** Transactions that rolled back, whose rows are there anyway. */
  strayRolledBack: number[];
  /** Queries that got an answer meant for another query. */
  wrongResults: string[];
  /** Errors nobody asked for, by message, with how often they happened. */
  unexpectedErrors: Record<string, number>;
}

/** A kysely over a pool whose statements give up after a while, so a confused server fails the test instead of hanging it. */
function probePool(url: string, max: number, errors: Record<string, number>): Kysely<any> {
  const pool = new pg.Pool({ connectionString: url, max, query_timeout: 10_000, connectionTimeoutMillis: 10_000 });
  const record = (error: Error) => void (errors[error.message] = (errors[error.message] ?? 0) + 1);
  pool.on('error', record);
  // Answers arriving when no query waits for them surface on the client, not on a query.
  pool.on('connect', (client) => client.on('error', record));
  return new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Several pools run interleaved transactions (a third roll back) and parameterized selects at the
 * same time. Returns what went wrong; exactness means every list is empty.
 */
async function runConcurrentWorkload(url: string, options: { pools: number; perPool: number; txPerPool: number; firstTx: number }): Promise<Outcome> {
  const outcome: Outcome = { missingCommitted: [], strayRolledBack: [], wrongResults: [], unexpectedErrors: {} };
  const unexpected = (message: string) => void (outcome.unexpectedErrors[message] = (outcome.unexpectedErrors[message] ?? 0) + 1);
  const pools = Array.from({ length: options.pools }, () => probePool(url, options.perPool, outcome.unexpectedErrors));
  const committed: number[] = [];
  const rolledBack: number[] = [];
  const rollback = new Error('planned rollback');
  try {
    const work: Promise<void>[] = [];
    pools.forEach((db, p) => {
      for (let i = 0; i < options.txPerPool; i++) {
        const tx = options.firstTx + p * 1000 + i;
        const shouldCommit = tx % 3 !== 0;
        work.push(
          db
            .transaction()
            .execute(async (trx) => {
              await sql`insert into wire_probe (tx, seq, note) values (${tx}, ${0}, ${`pool ${p}`})`.execute(trx);
              await jitter();
              const seen = await sql<{ n: number }>`select count(*)::int as n from wire_probe where tx = ${tx}`.execute(trx);
              if (seen.rows[0]?.n !== 1) outcome.wrongResults.push(`tx ${tx} saw ${seen.rows[0]?.n} of its own rows, expected 1`);
              await sql`insert into wire_probe (tx, seq, note) values (${tx}, ${1}, ${`pool ${p}`})`.execute(trx);
              await jitter();
              if (!shouldCommit) throw rollback;
            })
            .then(
              () => void committed.push(tx),
              (error: Error) => (error === rollback ? void rolledBack.push(tx) : unexpected(error.message)),
            ),
        );
        // Parameterized selects outside any transaction, racing the transactions above.
        work.push(
          (async () => {
            const tag = `p${p}-q${i}`;
            try {
              const r = await sql<{ n: number; tag: string }>`select ${tx}::int as n, ${tag}::text as tag`.execute(db);
              if (r.rows[0]?.n !== tx || r.rows[0]?.tag !== tag) outcome.wrongResults.push(`select ${tx}/${tag} returned ${JSON.stringify(r.rows)}`);
            } catch (error) {
              unexpected((error as Error).message);
            }
          })(),
        );
      }
    });
    await Promise.all(work);
    // Counted on a connection of its own, after every pool is gone.
    await Promise.all(pools.map((db) => db.destroy()));
    const check = new pg.Client({ connectionString: url, query_timeout: 10_000 });
    await check.connect();
    try {
      const rows = await check.query<{ tx: number; n: number }>('select tx, count(*)::int as n from wire_probe where tx >= $1 and tx < $2 group by tx', [
        options.firstTx,
        options.firstTx + 100_000,
      ]);
      const stored = new Map(rows.rows.map((r) => [r.tx, r.n]));
      outcome.missingCommitted = committed.filter((tx) => stored.get(tx) !== 2).sort((a, b) => a - b);
      outcome.strayRolledBack = rolledBack.filter((tx) => stored.has(tx)).sort((a, b) => a - b);
      console.log(
        `wire workload: ${committed.length} committed, ${rolledBack.length} rolled back, ${options.pools * options.txPerPool} selects; ${outcome.missingCommitted.length} committed missing, ${outcome.strayRolledBack.length} rolled back kept, ${outcome.wrongResults.length} wrong results, ${Object.values(outcome.unexpectedErrors).reduce((a, b) => a + b, 0)} unexpected errors`,
      );
    } finally {
      await check.end();
    }
  } finally {
    await Promise.all(pools.map((db) => db.destroy().catch(() => {})));
  }
  return outcome;
}

const exact: Outcome = { missingCommitted: [], strayRolledBack: [], wrongResults: [], unexpectedErrors: {} };

describe('the embedded server (as govpub start serves it)', () => {
  let dataDir: string;
  let server: EmbeddedServer;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-wire-'));
    server = await openEmbedded(dataDir, 0);
    const db = connectPostgres(server.url, 1);
    await sql`create table wire_probe (tx int not null, seq int not null, note text, primary key (tx, seq))`.execute(db);
    await db.destroy();
  });

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps concurrent transactions and parameterized queries of many connections apart', async () => {
    const outcome = await runConcurrentWorkload(server.url, { pools: 4, perPool: 4, txPerPool: 30, firstTx: 100_000 });
    expect(outcome).toEqual(exact);
  });

  it('rolls back the transaction of a client killed half-way, and the others carry on', async () => {
    const victim = new pg.Client({ connectionString: server.url });
    await victim.connect();
    victim.on('error', () => {});
    await victim.query('begin');
    await victim.query('insert into wire_probe (tx, seq) values ($1, 0)', [900_001]);
    // The others queue behind the victim's open transaction; then the victim dies without a word.
    const others = runConcurrentWorkload(server.url, { pools: 2, perPool: 3, txPerPool: 10, firstTx: 200_000 });
    await pause(50);
    (victim as unknown as { connection: { stream: net.Socket } }).connection.stream.destroy();
    expect(await others).toEqual(exact);

    // A raw client that dies between Execute and Sync, inside a transaction, leaves nothing either.
    const raw = rawClient(Number(new URL(server.url).port));
    raw.send(startup());
    await raw.readyCount(1);
    raw.send(query('begin'));
    await raw.readyCount(2);
    raw.send(parse('insert into wire_probe (tx, seq) values (900002, 0)'), bind(), execute());
    await pause(50);
    raw.socket.destroy();
    // One whose statement failed before its Sync: PostgreSQL skips everything until a Sync then.
    const failing = rawClient(Number(new URL(server.url).port));
    failing.send(startup());
    await failing.readyCount(1);
    failing.send(parse('select no_such_column from wire_probe'), bind(), execute());
    await pause(50);
    failing.socket.destroy();

    const db = connectPostgres(server.url, 2);
    try {
      expect(await runConcurrentWorkload(server.url, { pools: 2, perPool: 2, txPerPool: 5, firstTx: 300_000 })).toEqual(exact);
      const leftovers = await sql<{ tx: number }>`select tx from wire_probe where tx > 900000`.execute(db);
      expect(leftovers.rows).toEqual([]);
      // The session is back to normal: not in a transaction, and the unnamed statement works.
      expect((await sql<{ x: number }>`select ${7}::int as x`.execute(db)).rows).toEqual([{ x: 7 }]);
    } finally {
      await db.destroy();
    }
  });
});

describe('the wire server guards', () => {
  let pglite: PGlite;
  beforeAll(async () => {
    pglite = await PGlite.create();
    await pglite.exec('create table wire_probe (tx int not null, seq int not null, note text, primary key (tx, seq))');
  });
  afterAll(async () => {
    await pglite?.close();
  });

  it('rolls back and disconnects a client that holds a transaction open and goes silent, and says so', async () => {
    const logged: string[] = [];
    const server = await startWireServer({ db: pglite, port: 0, idleInTransactionTimeoutMs: 300, log: (m) => logged.push(m) });
    const url = `postgres://postgres@127.0.0.1:${server.port}/postgres`;
    const silent = new pg.Client({ connectionString: url });
    const other = new pg.Client({ connectionString: url });
    try {
      await silent.connect();
      const silentError = new Promise<Error>((resolve) => silent.on('error', resolve));
      await other.connect();
      await silent.query('begin');
      await silent.query('insert into wire_probe (tx, seq) values (1, 0)');
      const started = Date.now();
      // Waits for the session until the guard releases it.
      const { rows } = await other.query('select count(*)::int as n from wire_probe where tx = 1');
      expect(rows).toEqual([{ n: 0 }]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect((await silentError).message).toMatch(/idle-in-transaction timeout/);
      expect(logged.join('\n')).toMatch(/idle in a transaction for 0\.3 s: rolled back and disconnected/);
      await expect(silent.query('select 1')).rejects.toThrow();
    } finally {
      await other.end();
      await silent.end().catch(() => {});
      await server.stop();
    }
  });

  it('runs what a client sent before Terminate, and rolls back only what it left open', async () => {
    const server = await startWireServer({ db: pglite, port: 0, log: () => {} });
    const terminate = message('X', Buffer.alloc(0));
    try {
      const tidy = rawClient(server.port);
      tidy.send(startup());
      await tidy.readyCount(1);
      const gone = new Promise((r) => tidy.socket.once('close', r));
      tidy.send(
        query('begin'),
        query('insert into wire_probe (tx, seq) values (2, 0)'),
        query('commit'),
        query('begin'),
        query('insert into wire_probe (tx, seq) values (3, 0)'),
        terminate,
      );
      await gone;
      const check = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${server.port}/postgres` });
      await check.connect();
      expect((await check.query('select tx from wire_probe where tx in (2, 3) order by tx')).rows).toEqual([{ tx: 2 }]);
      await check.end();
    } finally {
      await server.stop();
    }
  });

  it('refuses connections over the limit with a PostgreSQL error, and accepts again when one closes', async () => {
    const server = await startWireServer({ db: pglite, port: 0, maxConnections: 2, log: () => {} });
    const url = `postgres://postgres@127.0.0.1:${server.port}/postgres`;
    const clients = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })];
    try {
      for (const c of clients) await c.connect();
      const third = new pg.Client({ connectionString: url });
      await expect(third.connect()).rejects.toThrow(/too many clients already/);
      await clients[0]!.end();
      await pause(50);
      const fourth = new pg.Client({ connectionString: url });
      await fourth.connect();
      expect((await fourth.query('select $1::text as t', ['ok'])).rows).toEqual([{ t: 'ok' }]);
      await fourth.end();
    } finally {
      await clients[1]!.end();
      await server.stop();
    }
  });
});
