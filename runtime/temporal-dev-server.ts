/**
 * Runs the Temporal CLI's dev server as a child process for the all-in-one start: history kept
 * in a SQLite file under the data directory, frontend and web UI on configurable ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { GovpubError } from '../domain/errors.js';
import { portInUseError, portTaken } from './ports.js';
import { makeDataDir } from '../config/data-dir.js';

export interface DevServerOptions {
  binary: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  log?: (line: string) => void;
  /** Its own process group, so a terminal's Ctrl+C reaches only the parent, which stops it last (govpub topology). */
  detached?: boolean;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Refuses a port something already listens on; `what` and `whatZh` name its user in English and Chinese. */
export async function assertPortFree(port: number, what: string, envName: string, whatZh: string): Promise<void> {
  if (port !== 0 && (await portTaken(port))) throw portInUseError(port, what, whatZh, envName);
}

export async function startTemporalDevServer(options: DevServerOptions): Promise<DevServer> {
  await assertPortFree(options.port, 'the Temporal dev server', 'GOVPUB_TEMPORAL_PORT', 'Temporal 开发服务器');
  await assertPortFree(options.uiPort, "Temporal's web UI", 'GOVPUB_TEMPORAL_UI_PORT', 'Temporal 网页界面');
  makeDataDir(options.dataDir);
  const logFile = path.join(options.dataDir, 'temporal-server.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    options.binary,
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(options.port),
      '--ui-port',
      String(options.uiPort),
      '--db-filename',
      path.join(options.dataDir, 'temporal.sqlite'),
      // Write-ahead log: every commit still reaches the disk (synchronous stays FULL), with one
      // sync instead of the rollback journal's several. A child workflow's start is a few commits
      // on its parent, one after another, so one release to 39 channels started its last child
      // 2.2 s after its first with the default journal and 1.1–1.4 s with this (issue 14).
      '--sqlite-pragma',
      'journal_mode=wal',
      '--namespace',
      options.namespace,
      '--log-level',
      'warn',
      // Task priority (release work first, workflows/package-release.ts); the default from server 1.29 on, said here for older CLIs.
      '--dynamic-config-value',
      'matching.useNewMatcher=true',
      // One partition per task queue. The server splits a queue's rate limit among its partitions
      // (4 by default), so a platform queue capped at 1 activity a second dispatched 13 transmits
      // over 23–28 s instead of 13 (measured here; issue 14). On one host partitions add nothing.
      // On a cluster, set these two for the rate-capped platform queues only (README, production).
      '--dynamic-config-value',
      'matching.numTaskqueueReadPartitions=1',
      '--dynamic-config-value',
      'matching.numTaskqueueWritePartitions=1',
    ],
    { stdio: ['ignore', out, out], detached: options.detached ?? false },
  );
  fs.closeSync(out);
  const address = `127.0.0.1:${options.port}`;
  let exited: number | null = null;
  // However this process ends (an uncaught error, process.exit on a closed output), the dev server
  // ends with it: left running it would hold its ports and temporal.sqlite for the next start.
  const endWithParent = () => {
    if (exited === null) child.kill('SIGTERM');
  };
  process.once('exit', endWithParent);
  child.once('exit', (code) => {
    exited = code ?? -1;
    process.off('exit', endWithParent);
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) {
      throw new GovpubError('temporal_dev_server_failed', `The Temporal dev server exited with code ${exited} at start. See ${logFile}.`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGTERM');
        throw new GovpubError('temporal_dev_server_failed', `The Temporal dev server did not answer on ${address} within 60 s. See ${logFile}.`);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  return {
    address,
    uiUrl: `http://127.0.0.1:${options.uiPort}`,
    process: child,
    async stop() {
      if (exited !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    },
  };
}
