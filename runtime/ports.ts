/**
 * Whether a port can be had, and the sentence for one that cannot: `govpub start` checks every port
 * before it changes anything, the dev server and the topology before they start their parts.
 */
import net from 'node:net';
import { GovpubError } from '../domain/errors.js';

/** Whether something already listens on `port` of `host` (binding it fails). */
export async function portTaken(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(true));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

/** `port_in_use` for `what` (`whatZh` in Chinese), naming the setting that moves it. */
export function portInUseError(port: number, what: string, whatZh: string, setting: string): GovpubError {
  return new GovpubError(
    'port_in_use',
    `Port ${port} for ${what} is already in use. Stop whatever uses it or set ${setting} to another port.`,
    { port, setting },
    { zh: `${whatZh}所需的端口 ${port} 已被占用。请停止占用该端口的程序，或将 ${setting} 改为另一个端口。` },
  );
}
