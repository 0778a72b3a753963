/**
 * Whole-tree steps of the portal's generations — copying a root's ≈ 900 unit symlinks, removing a
 * generation — done on a thread of their own. Each is thousands of system calls; through
 * fs/promises every one of them costs the main thread a request and a callback, and the main
 * thread is what every delivery in the worker waits for (issue 14: a sixth of its time went to
 * the portal's commits under load). On the tree thread they are plain synchronous calls and the
 * main thread only waits for the answer. Where a thread cannot be started, the same steps run
 * here, asynchronously, with the same results.
 */
import { Worker } from 'node:worker_threads';
import { rm } from 'node:fs/promises';
import { linkTree } from './files.js';

/** The thread's code: plain JavaScript (no loader needed), the synchronous twin of files.ts' linkTree (a string, so it cannot import it). */
const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
function linkTree(from, to, relative, skip) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const rel = relative ? relative + '/' + entry.name : entry.name;
    if (skip.has(rel)) continue;
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) linkTree(source, target, rel, skip);
    else if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(source), target);
    else fs.linkSync(source, target);
  }
}
parentPort.on('message', (m) => {
  try {
    if (m.op === 'remove') fs.rmSync(m.dir, { recursive: true, force: true });
    else if (m.op === 'copy') linkTree(m.from, m.to, '', new Set(m.skip));
    else throw new Error('unknown tree operation ' + m.op);
    parentPort.postMessage({ id: m.id });
  } catch (error) {
    parentPort.postMessage({ id: m.id, error: { message: error && error.message, code: error && error.code, path: error && error.path } });
  }
});
`;

type Request = { op: 'remove'; dir: string } | { op: 'copy'; from: string; to: string; skip: string[] };

class TreeThread {
  private worker: Worker | null = null;
  private broken = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();

  private thread(): Worker | null {
    if (this.worker || this.broken) return this.worker;
    try {
      // execArgv []: the source runs as CommonJS whatever loader or --input-type this process was started with.
      const worker = new Worker(THREAD_SOURCE, { eval: true, name: 'govpub portal tree', execArgv: [] });
      worker.on('message', (m: { id: number; error?: { message: string; code?: string; path?: string } }) => {
        const waiter = this.pending.get(m.id);
        if (!waiter) return;
        this.pending.delete(m.id);
        if (this.pending.size === 0) worker.unref();
        if (!m.error) return waiter.resolve();
        const error = Object.assign(new Error(m.error.message), { code: m.error.code, path: m.error.path });
        waiter.reject(error);
      });
      // A thread that dies fails what it was doing (the callers' own error handling applies) and is started again next time.
      const fail = (error: Error) => {
        if (this.worker === worker) this.worker = null;
        for (const [, waiter] of this.pending) waiter.reject(error);
        this.pending.clear();
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`The portal's tree thread exited (code ${code}).`)));
      worker.unref();
      this.worker = worker;
    } catch {
      this.broken = true; // no threads here: the steps run on this thread
    }
    return this.worker;
  }

  run(request: Request): Promise<void> | null {
    const worker = this.thread();
    if (!worker) return null;
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref(); // an answer is awaited: the process stays up for it
      worker.postMessage({ id, ...request });
    });
  }
}

const tree = new TreeThread();

/** Removes a directory tree (like `rm -rf`); nothing there is not an error. */
export function removeTree(dir: string): Promise<void> {
  return tree.run({ op: 'remove', dir }) ?? rm(dir, { recursive: true, force: true });
}

/** A hard-link copy of `from` at `to` (symlinks copied as symlinks), leaving out `skip` (paths relative to `from`). */
export function copyTreeLinks(from: string, to: string, skip: Iterable<string> = []): Promise<void> {
  return tree.run({ op: 'copy', from, to, skip: [...skip] }) ?? linkTree(from, to, '', new Set(skip));
}
