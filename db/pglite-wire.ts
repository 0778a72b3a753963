/**
 * Serves one PGlite to many PostgreSQL wire-protocol connections. PGlite is a single session, so
 * connections take turns at it: a connection owns the session from the first message of a unit
 * of work until PostgreSQL reports it ready for a query outside any transaction (ReadyForQuery
 * 'I'), and no other connection's message reaches PGlite in between. Interleaving messages of
 * two connections (as @electric-sql/pglite-socket 0.2.17 does) lets one connection's Bind run
 * another's statement, or its statements land inside another's transaction: issue 9.
 *
 * While the server runs, use the PGlite only through it: execProtocolRawStream leaves its output
 * callback installed in PGlite, so PGlite's own query API would send its replies to a client.
 */
import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

export interface WireServerOptions {
  db: PGlite;
  host?: string;
  /** 0 lets the OS pick; read the chosen one from `WireServer.port`. */
  port?: number;
  maxConnections?: number;
  /**
   * A connection holding the session while its client sends nothing (in a transaction, or half-way
   * through a unit) blocks every other connection; after this long it is rolled back and
   * disconnected. 0 disables the guard.
   */
  idleInTransactionTimeoutMs?: number;
  log?: (message: string) => void;
}

export interface WireServer {
  host: string;
  port: number;
  /** Stops listening, disconnects every client, rolls back what they left open. The PGlite stays open. */
  stop(): Promise<void>;
}

export const DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

// Untyped messages sent before the startup completes: a length, then one of these codes.
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_MAJOR_3 = 3;

const READY_FOR_QUERY = 0x5a; // 'Z'
const IDLE = 0x49; // 'I': no transaction open

function typed(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/** A backend ErrorResponse, so clients report it like any PostgreSQL error. */
function errorResponse(severity: 'ERROR' | 'FATAL', code: string, message: string): Buffer {
  const field = (tag: string, value: string) => Buffer.from(`${tag}${value}\0`, 'utf8');
  return typed('E', Buffer.concat([field('S', severity), field('V', severity), field('C', code), field('M', message), Buffer.from([0])]));
}

// What resets the session after a client vanished: CopyFail ends a COPY FROM STDIN (and is ignored
// outside one), Sync ends a half-sent extended-protocol unit (and any "skip until Sync" after an
// error). Whatever transaction is still open is rolled back next.
const COPY_FAIL = typed('f', Buffer.from('client disconnected\0', 'utf8'));
const SYNC = typed('S', Buffer.alloc(0));
const ROLLBACK = typed('Q', Buffer.from('ROLLBACK\0', 'utf8'));

/** Follows the backend's reply, message by message across chunks, to see how it ends. */
class ReplyScanner {
  private header = Buffer.alloc(5);
  private headerBytes = 0;
  private bodyLeft = 0;
  private type = 0;
  private lastType = 0;
  private status = 0;

  feed(data: Uint8Array): void {
    let i = 0;
    while (i < data.length) {
      if (this.headerBytes < 5) {
        this.header[this.headerBytes++] = data[i++]!;
        if (this.headerBytes === 5) {
          this.type = this.header[0]!;
          this.bodyLeft = this.header.readInt32BE(1) - 4;
          if (this.bodyLeft <= 0) this.complete();
        }
        continue;
      }
      const n = Math.min(this.bodyLeft, data.length - i);
      if (this.type === READY_FOR_QUERY) this.status = data[i]!;
      i += n;
      this.bodyLeft -= n;
      if (this.bodyLeft === 0) this.complete();
    }
  }

  private complete(): void {
    this.lastType = this.type;
    this.headerBytes = 0;
  }

  /** The transaction status when the reply ended with ReadyForQuery ('I', 'T' or 'E'), else null. */
  readyStatus(): number | null {
    return this.headerBytes === 0 && this.lastType === READY_FOR_QUERY ? this.status : null;
  }
}

/** Who may talk to PGlite now. Waiters are served in arrival order. */
class SessionGate {
  private owner: Connection | null = null;
  private waiters: { connection: Connection; resolve: (granted: boolean) => void }[] = [];

  owns(connection: Connection): boolean {
    return this.owner === connection;
  }

  /** Resolves true once `connection` owns the session; false if it withdrew first. */
  acquire(connection: Connection): Promise<boolean> {
    if (this.owner === connection) return Promise.resolve(true);
    if (!this.owner) {
      this.owner = connection;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiters.push({ connection, resolve }));
  }

  release(connection: Connection): void {
    if (this.owner !== connection) return;
    const next = this.waiters.shift();
    this.owner = next?.connection ?? null;
    next?.resolve(true);
  }

  withdraw(connection: Connection): void {
    const index = this.waiters.findIndex((w) => w.connection === connection);
    if (index >= 0) this.waiters.splice(index, 1)[0]!.resolve(false);
  }
}

interface Pending {
  bytes: Buffer;
  startup: boolean;
}

class Connection {
  private input: Buffer = Buffer.alloc(0);
  private started = false;
  /** The client sent Terminate: close once what it sent before has run. */
  private terminating = false;
  private pending: Pending[] = [];
  private loop: Promise<void> | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private readonly name: string;

  constructor(
    private readonly socket: net.Socket,
    private readonly db: PGlite,
    private readonly gate: SessionGate,
    private readonly options: { idleTimeoutMs: number; log: (message: string) => void; refuse?: string },
  ) {
    this.name = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    // A refused client gets its answer after its startup message; one that never sends it is dropped.
    if (options.refuse) setTimeout(() => socket.destroy(), 10_000).unref();
    socket.on('data', (chunk) => this.receive(chunk));
    socket.on('error', () => void this.close());
    socket.on('close', () => void this.close());
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    this.clearIdleGuard();
    this.input = this.input.length ? Buffer.concat([this.input, chunk]) : chunk;
    while (!this.closed && !this.terminating) {
      if (!this.started) {
        if (this.input.length < 8) break;
        const length = this.input.readInt32BE(0);
        if (length < 8 || length > 10_000) return void this.fatal('08P01', 'invalid length of startup packet');
        if (this.input.length < length) break;
        const message = this.input.subarray(0, length);
        this.input = this.input.subarray(length);
        this.startupMessage(message);
      } else {
        if (this.input.length < 5) break;
        const length = this.input.readInt32BE(1);
        if (length < 4) return void this.fatal('08P01', 'invalid message length');
        if (this.input.length < 1 + length) break;
        const message = this.input.subarray(0, 1 + length);
        this.input = this.input.subarray(1 + length);
        // Terminate is not passed on: the connection ends, the session lives on.
        if (message[0] === 0x58) this.terminating = true;
        else this.pending.push({ bytes: message, startup: false });
      }
    }
    if (this.pending.length) this.pump();
    else if (this.loop) return;
    else if (this.terminating) void this.close();
    else if (this.gate.owns(this)) this.armIdleGuard();
  }

  private startupMessage(message: Buffer): void {
    const code = message.readInt32BE(4);
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      this.socket.write('N'); // no encryption on a loopback address; the client goes on in plain text
    } else if (code === CANCEL_REQUEST) {
      void this.close(); // cancelling a running statement is not supported: PGlite cannot interrupt one
    } else if (code >> 16 !== PROTOCOL_MAJOR_3) {
      this.fatal('0A000', `unsupported frontend protocol ${code >> 16}.${code & 0xffff}: server supports 3.0`);
    } else if (this.options.refuse) {
      this.fatal('53300', this.options.refuse);
    } else {
      this.started = true;
      this.pending.push({ bytes: message, startup: true });
    }
  }

  /** Runs what the client sent, in turns; keeps the session while the client is mid-transaction. */
  private pump(): void {
    if (this.loop || this.closed) return;
    this.loop = (async () => {
      try {
        while (!this.closed && this.pending.length) {
          if (!(await this.gate.acquire(this)) || this.closed) return;
          // PGlite recognises the startup message only on its own; everything else goes in one call.
          const batch = this.pending[0]!.startup ? [this.pending.shift()!] : this.pending.splice(0);
          const status = await this.execute(Buffer.concat(batch.map((p) => p.bytes)));
          if (status === IDLE) this.gate.release(this);
        }
      } catch (error) {
        this.options.log(`embedded database: the connection from ${this.name} failed (${(error as Error).message}); closing it.`);
        void this.close();
      } finally {
        this.loop = undefined;
      }
      if (this.closed || this.pending.length) return;
      if (this.terminating) void this.close();
      else if (this.gate.owns(this)) this.armIdleGuard();
    })();
  }

  private async execute(bytes: Buffer): Promise<number | null> {
    const reply = new ReplyScanner();
    await this.db.runExclusive(() =>
      this.db.execProtocolRawStream(bytes, {
        onRawData: (data) => {
          reply.feed(data);
          if (this.socket.writable) this.socket.write(Buffer.from(data));
        },
      }),
    );
    return reply.readyStatus();
  }

  private armIdleGuard(): void {
    if (this.options.idleTimeoutMs <= 0 || this.idleTimer) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.closed || !this.gate.owns(this) || this.loop) return;
      const seconds = this.options.idleTimeoutMs / 1000;
      this.options.log(
        `embedded database: the connection from ${this.name} sat idle in a transaction for ${seconds} s: rolled back and disconnected it, so the other connections can go on.`,
      );
      this.fatal('25P03', 'terminating connection due to idle-in-transaction timeout');
    }, this.options.idleTimeoutMs);
  }

  private clearIdleGuard(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** Tells the client why, then closes. */
  private fatal(code: string, message: string): void {
    if (this.socket.writable) this.socket.end(errorResponse('FATAL', code, message));
    void this.close();
  }

  /**
   * Stops taking messages; once the unit in flight (if any) is done, undoes whatever the client
   * left open in the session and hands the session on. Safe to call more than once.
   */
  close(options: { now?: boolean } = {}): Promise<void> {
    if (options.now) this.socket.destroy();
    this.closing ??= (async () => {
      this.clearIdleGuard();
      this.pending = [];
      this.gate.withdraw(this);
      if (!this.socket.writableEnded) this.socket.end();
      // Not destroyed at once, so a FATAL message written just before still reaches the client.
      if (!this.socket.destroyed) setTimeout(() => this.socket.destroy(), 1_000).unref();
      await this.loop;
      if (!this.gate.owns(this)) return;
      try {
        await this.resetSession();
      } catch (error) {
        this.options.log(`embedded database: could not roll back what ${this.name} left open (${(error as Error).message}).`);
      } finally {
        this.gate.release(this);
      }
    })();
    return this.closing;
  }

  private async resetSession(): Promise<void> {
    const reply = new ReplyScanner();
    const discard = { onRawData: (data: Uint8Array) => reply.feed(data) };
    await this.db.runExclusive(() => this.db.execProtocolRawStream(Buffer.concat([COPY_FAIL, SYNC]), discard));
    if (reply.readyStatus() !== IDLE) await this.db.runExclusive(() => this.db.execProtocolRawStream(ROLLBACK, { onRawData: () => {} }));
  }
}

export async function startWireServer(options: WireServerOptions): Promise<WireServer> {
  const host = options.host ?? '127.0.0.1';
  const maxConnections = options.maxConnections ?? 32;
  const log = options.log ?? ((message: string) => console.warn(message));
  const settings = { idleTimeoutMs: options.idleInTransactionTimeoutMs ?? DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS, log };
  const gate = new SessionGate();
  const connections = new Set<Connection>();
  await options.db.waitReady;

  const server = net.createServer((socket) => {
    // Over the limit: answered like PostgreSQL does, after the client's startup message.
    const refuse = connections.size >= maxConnections ? 'sorry, too many clients already' : undefined;
    const connection = new Connection(socket, options.db, gate, { ...settings, refuse });
    if (refuse) return;
    connections.add(connection);
    // Counted until what it left open is rolled back, so stop() waits for that too.
    socket.once('close', () => void connection.close().then(() => connections.delete(connection)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    host,
    port,
    stop() {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all([...connections].map((c) => c.close({ now: true })));
        await closed;
      })();
      return stopping;
    },
  };
}
