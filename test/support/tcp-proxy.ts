/**
 * A TCP proxy in front of a real server that a test can take down and bring back: while down it
 * cuts every open connection and refuses new ones, as a database that stopped would. Real
 * sockets, real drivers: nothing about the client is faked.
 */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Cuts every connection and refuses new ones until `up()`. */
  down(): void;
  up(): void;
  /**
   * Lets the next client message containing `marker` (e.g. "commit") through to the server, then
   * cuts that client's connection before any answer comes back: the statement runs, the client
   * never learns that it did (the "lost answer" of a COMMIT).
   */
  cutAfterNext(marker: string): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let isDown = false;
  let cutMarker: string | null = null;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (isDown) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const forget = () => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    let severed = false;
    client.on('error', forget).on('close', () => {
      // A cut after a statement leaves the server's side open until it has read that statement.
      if (!severed) forget();
    });
    upstream.on('error', forget).on('close', forget);
    client.on('data', (chunk: Buffer) => {
      const marker = cutMarker;
      if (marker === null || !chunk.toString('latin1').toLowerCase().includes(marker)) {
        upstream.write(chunk);
        return;
      }
      cutMarker = null;
      severed = true;
      upstream.unpipe(client);
      upstream.resume();
      open.delete(client);
      client.destroy();
      // The server reads the statement, runs it, then sees the connection end.
      upstream.end(chunk);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    down() {
      isDown = true;
      for (const socket of open) socket.destroy();
      open.clear();
    },
    up() {
      isDown = false;
    },
    cutAfterNext(marker: string) {
      cutMarker = marker.toLowerCase();
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
