/** `govpub start` as a child process, the way a user runs it, for tests that drive it over HTTP and the CLI. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { ROOT_DIR } from '../../config/settings.js';

/**
 * Ports for servers a test starts are taken below Linux's ephemeral range (32768+). A port the OS
 * hands out for `listen(0)` comes from that range, where any outgoing connection (a gRPC or database
 * client of a parallel test file) may take it before the server that was to use it binds it: a
 * `govpub start` once failed with "Port … for the API is already in use" that way. Picked at random,
 * checked free now, and never handed out twice by this process.
 */
const LOW_PORTS = { from: 20000, to: 32767 };
const handedOut = new Set<number>();

function portFreeNow(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` consecutive ports, each free now and none handed out before by this process. */
async function freeRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = LOW_PORTS.from + Math.floor(Math.random() * (LOW_PORTS.to + 1 - LOW_PORTS.from - count));
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if (ports.some((p) => handedOut.has(p))) continue;
    if (!(await Promise.all(ports.map(portFreeNow))).every(Boolean)) continue;
    for (const p of ports) handedOut.add(p);
    return base;
  }
  throw new Error(`no ${count} consecutive free ports found between ${LOW_PORTS.from} and ${LOW_PORTS.to}`);
}

/** A port free now, for a server a test starts (see LOW_PORTS). */
export function freePort(): Promise<number> {
  return freeRun(1);
}

/** Whether something accepts TCP connections on this loopback port. */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A base port for the simulators, which take one consecutive port per kind. */
export async function simulatorPortBase(): Promise<number> {
  const { SIMULATOR_KINDS } = await import('../../simulators/index.js');
  return freeRun(SIMULATOR_KINDS.length);
}

export interface RunningGovpub {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** http://127.0.0.1:<PORT> */
  api: string;
  env: Record<string, string>;
  /** The simulators' URLs it recorded under <data dir>/run/simulators.json. */
  simulatorUrls(): Record<string, string>;
  stop(): Promise<void>;
}

/** What Node's diagnostic report says the process was doing: its JavaScript stack and the top of its native one. */
function stuckWhere(reportDir: string): string {
  const file = fs.readdirSync(reportDir).find((f) => f.endsWith('.json'));
  if (!file) return 'No diagnostic report came within 5 s of SIGUSR2 (the main thread did not reach a safe point: a blocking system call?).';
  const report = JSON.parse(fs.readFileSync(path.join(reportDir, file), 'utf8')) as {
    header?: { dumpEventTime?: string };
    javascriptStack?: { message?: string; stack?: string[] };
    nativeStack?: { symbol?: string }[];
    libuv?: { type?: string; is_active?: boolean }[];
  };
  const handles = (report.libuv ?? []).filter((h) => h.is_active).map((h) => h.type);
  return [
    // Written late (well after SIGUSR2) means the main thread was busy or blocked until then.
    `Diagnostic report written at ${report.header?.dumpEventTime ?? '?'} (SIGUSR2 sent 5 s before the kill). JavaScript: ${report.javascriptStack?.message ?? ''}`,
    ...(report.javascriptStack?.stack ?? []).slice(0, 25),
    'native:',
    ...(report.nativeStack ?? []).slice(0, 15).map((f) => `  ${f.symbol ?? '?'}`),
    `active libuv handles: ${handles.join(', ')}`,
  ].join('\n');
}

/** How long `govpub start` may take to stop after Ctrl+C (it waits for running activities). */
const STOP_DEADLINE_MS = 90_000;

/** Starts `govpub start` with `env` (PORT, GOVPUB_DATA_DIR, … set by the caller) and waits until it says it is running. */
export async function startGovpub(env: Record<string, string>, timeoutMs = 150_000): Promise<RunningGovpub> {
  let output = '';
  // On a stop that hangs, SIGUSR2 makes Node write a diagnostic report (JavaScript and native stacks,
  // open handles) here, so the failure says where the process is stuck.
  const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-stop-report-'));
  const nodeOptions = `${process.env.NODE_OPTIONS ?? ''} --report-on-signal --report-signal=SIGUSR2 --report-directory=${reportDir}`.trim();
  const child = spawn(process.execPath, [path.join(ROOT_DIR, 'bin', 'govpub.mjs'), 'start'], {
    env: { ...process.env, NODE_OPTIONS: nodeOptions, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.once('exit', () => setTimeout(() => fs.rmSync(reportDir, { recursive: true, force: true }), 100));
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    // A stop that hangs fails here with what govpub printed (it names the part it waits for),
    // not as a bare hook timeout; the process is killed so nothing outlives the test.
    const hung = await Promise.race([exited.then(() => false), new Promise((r) => setTimeout(() => r(true), STOP_DEADLINE_MS))]);
    if (hung) {
      child.kill('SIGUSR2');
      await new Promise((r) => setTimeout(r, 5000));
      const where = stuckWhere(reportDir);
      child.kill('SIGKILL');
      await exited;
      throw new Error(`govpub start did not stop within ${STOP_DEADLINE_MS / 1000} s of Ctrl+C; its last lines:\n${output.slice(-4000)}\n${where}`);
    }
  };
  const deadline = Date.now() + timeoutMs;
  while (!output.includes('govpub is running')) {
    if (child.exitCode !== null) throw new Error(`govpub start exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`govpub start did not come up in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    child,
    output: () => output,
    api: `http://127.0.0.1:${env.PORT}`,
    env,
    simulatorUrls: () =>
      (JSON.parse(fs.readFileSync(path.join(env.GOVPUB_DATA_DIR!, 'run', 'simulators.json'), 'utf8')) as { urls: Record<string, string> }).urls,
    stop,
  };
}
