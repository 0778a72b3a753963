/**
 * The portal's file-system work, done on a thread of its own: whole-tree steps (copying a root's
 * ≈ 900 unit symlinks, removing a generation) and a commit's build steps (the files it writes and
 * fsyncs, the links it makes), sent as one batch of steps.
 *
 * Why a thread: through fs/promises every system call costs the main thread a request, a wait in
 * libuv's 4-thread pool (which sharp's image work fills under load) and a callback on the main
 * thread, which every delivery in the worker shares. Issue 14 measured it: a 16-package commit
 * builds in 0.17 s on an idle machine and took 1.2 s (mean; 4 s over a whole year) under load,
 * waiting, not working. On the thread the same steps are plain synchronous calls (a 200-file
 * batch with fdatasync takes ≈ 50 ms here) and the main thread waits for one answer per batch.
 * Where a thread cannot be started, the same steps run here: tree copies and removals
 * asynchronously, build steps from the thread's own source, synchronously.
 */
import { Worker } from 'node:worker_threads';
import fs from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { linkTree } from './files.js';

/**
 * The steps themselves: plain JavaScript over `fs` and `path` (no loader needed), the synchronous
 * twin of files.ts' linkTree (a string, so it cannot import it). The thread runs it; where no thread
 * can be started, the same source is compiled here (`stepsHere`), so there is one implementation.
 */
const STEPS_SOURCE = `
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
function syncTree(from, to, relative, skip) {
  const source = fs.readdirSync(path.join(from, relative), { withFileTypes: true });
  const names = new Set(source.map((e) => e.name));
  let present = [];
  try {
    present = fs.readdirSync(path.join(to, relative), { withFileTypes: true });
  } catch {}
  for (const entry of present) {
    const rel = relative ? relative + '/' + entry.name : entry.name;
    if (!names.has(entry.name) && !skip.has(rel)) fs.rmSync(path.join(to, rel), { recursive: true, force: true });
  }
  for (const entry of source) {
    const rel = relative ? relative + '/' + entry.name : entry.name;
    if (skip.has(rel)) continue;
    const sourcePath = path.join(from, rel);
    const target = path.join(to, rel);
    const info = fs.lstatSync(target, { throwIfNoEntry: false });
    if (entry.isDirectory()) {
      if (info && !info.isDirectory()) fs.rmSync(target, { recursive: true, force: true });
      fs.mkdirSync(target, { recursive: true });
      syncTree(from, to, rel, skip);
      continue;
    }
    if (info) {
      const had = fs.lstatSync(sourcePath);
      if (had.ino === info.ino && had.dev === info.dev) continue;
      fs.rmSync(target, { recursive: true, force: true });
    }
    if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(sourcePath), target);
    else fs.linkSync(sourcePath, target);
  }
}
function parentOf(file, made) {
  const dir = path.dirname(file);
  if (!made.has(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    made.add(dir);
  }
}
const SYNC_GROUP = 128;
function syncAndClose(fds) {
  // One at a time off the list: after a failed sync the caller still closes the rest.
  while (fds.length > 0) {
    try {
      fs.fdatasyncSync(fds[0]);
    } finally {
      fs.closeSync(fds.shift());
    }
  }
}
function applySteps(steps) {
  const made = new Set();
  const removedEmpty = [];
  // Durable writes are fdatasynced after the files around them are written, not one by one:
  // a sync then finds most of the journal work done (≈ 20 % less time here); at most SYNC_GROUP open.
  const unsynced = [];
  try {
    applyEach(steps, made, removedEmpty, unsynced);
    syncAndClose(unsynced);
  } finally {
    for (const fd of unsynced) fs.closeSync(fd);
  }
  return removedEmpty;
}
function applyEach(steps, made, removedEmpty, unsynced) {
  for (const s of steps) {
    if (s.op === 'rm') {
      fs.rmSync(s.path, { recursive: true, force: true });
      // Directories made earlier in this batch may have gone with it.
      for (const dir of made) if (dir === s.path || dir.startsWith(s.path + path.sep)) made.delete(dir);
    } else if (s.op === 'mkdir') {
      fs.mkdirSync(s.path, { recursive: true });
      made.add(s.path);
    } else if (s.op === 'write') {
      parentOf(s.path, made);
      fs.rmSync(s.path, { force: true });
      const fd = fs.openSync(s.path, 'wx', 0o644);
      let keep = false;
      try {
        fs.writeFileSync(fd, s.data);
        if (s.durable) {
          unsynced.push(fd);
          keep = true;
          if (unsynced.length >= SYNC_GROUP) syncAndClose(unsynced);
        }
      } finally {
        if (!keep) fs.closeSync(fd);
      }
    } else if (s.op === 'link') {
      parentOf(s.to, made);
      fs.linkSync(s.from, s.to);
    } else if (s.op === 'symlink') {
      parentOf(s.path, made);
      fs.symlinkSync(s.target, s.path);
    } else if (s.op === 'copy') linkTree(s.from, s.to, '', new Set(s.skip));
    else if (s.op === 'syncTree') syncTree(s.from, s.to, '', new Set(s.skip));
    else if (s.op === 'linkSet') {
      const wanted = new Set(s.names);
      const present = new Set(fs.readdirSync(s.dir).filter((name) => !name.startsWith('.')));
      for (const name of present) if (!wanted.has(name)) fs.unlinkSync(path.join(s.dir, name));
      for (const name of wanted) if (!present.has(name)) fs.linkSync(path.join(s.from, name), path.join(s.dir, name));
    } else if (s.op === 'rmdirIfEmpty') {
      try {
        fs.rmdirSync(s.path);
        removedEmpty.push(s.path);
      } catch (error) {
        if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      }
    } else throw new Error('unknown build step ' + s.op);
  }
}
`;

/** The thread's code: the steps and the answering of requests. */
const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
${STEPS_SOURCE}
parentPort.on('message', (m) => {
  try {
    let removedEmpty;
    if (m.op === 'remove') fs.rmSync(m.dir, { recursive: true, force: true });
    else if (m.op === 'copy') linkTree(m.from, m.to, '', new Set(m.skip));
    else if (m.op === 'steps') removedEmpty = applySteps(m.steps);
    else throw new Error('unknown tree operation ' + m.op);
    parentPort.postMessage({ id: m.id, removedEmpty });
  } catch (error) {
    parentPort.postMessage({ id: m.id, error: { message: error && error.message, code: error && error.code, path: error && error.path } });
  }
});
`;

/**
 * One step of a build, done in the order given. Parent directories are made as needed; a `write`
 * unlinks the path first (after a hard-link copy it may share its inode with the live site) and
 * creates the file exclusively.
 */
export type BuildStep =
  /** Like `rm -rf`: nothing there is not an error. */
  | { op: 'rm'; path: string }
  | { op: 'mkdir'; path: string }
  | { op: 'write'; path: string; data: string | Uint8Array; durable: boolean }
  /** A hard link of `from` at `to`. */
  | { op: 'link'; from: string; to: string }
  | { op: 'symlink'; target: string; path: string }
  | { op: 'copy'; from: string; to: string; skip: string[] }
  /**
   * `to` brought to `from`'s entries (files hard-linked, symlinks copied, directories walked), leaving
   * `skip` (paths relative to both) alone: an entry already sharing its inode is kept, anything
   * else that differs or is missing is replaced, and what `from` lacks goes.
   */
  | { op: 'syncTree'; from: string; to: string; skip: string[] }
  /** `dir` brought to exactly `names` (dot files aside), each a hard link to the same name in `from`. */
  | { op: 'linkSet'; dir: string; from: string; names: string[] }
  /** Removes the directory if it is empty; the answer lists the ones removed. */
  | { op: 'rmdirIfEmpty'; path: string };

type Request = { op: 'remove'; dir: string } | { op: 'copy'; from: string; to: string; skip: string[] } | { op: 'steps'; steps: BuildStep[] };
type Answer = { removedEmpty?: string[] };

class TreeThread {
  private worker: Worker | null = null;
  private broken = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (answer: Answer) => void; reject: (error: Error) => void }>();

  private thread(): Worker | null {
    if (this.worker || this.broken) return this.worker;
    try {
      // execArgv []: the source runs as CommonJS whatever loader or --input-type this process was started with.
      const worker = new Worker(THREAD_SOURCE, { eval: true, name: 'govpub portal tree', execArgv: [] });
      worker.on('message', (m: Answer & { id: number; error?: { message: string; code?: string; path?: string } }) => {
        const waiter = this.pending.get(m.id);
        if (!waiter) return;
        this.pending.delete(m.id);
        if (this.pending.size === 0) worker.unref();
        if (!m.error) return waiter.resolve(m);
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

  run(request: Request): Promise<Answer> | null {
    const worker = this.thread();
    if (!worker) return null;
    const id = this.nextId++;
    return new Promise<Answer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref(); // an answer is awaited: the process stays up for it
      worker.postMessage({ id, ...request });
    });
  }
}

const tree = new TreeThread();

/** Removes a directory tree (like `rm -rf`); nothing there is not an error. */
export async function removeTree(dir: string): Promise<void> {
  await (tree.run({ op: 'remove', dir }) ?? rm(dir, { recursive: true, force: true }));
}

/** A hard-link copy of `from` at `to` (symlinks copied as symlinks), leaving out `skip` (paths relative to `from`). */
export async function copyTreeLinks(from: string, to: string, skip: Iterable<string> = []): Promise<void> {
  await (tree.run({ op: 'copy', from, to, skip: [...skip] }) ?? linkTree(from, to, '', new Set(skip)));
}

/** Runs build steps in order, as one request to the thread; answers the directories `rmdirIfEmpty` removed. */
export async function applyBuildSteps(steps: BuildStep[]): Promise<Set<string>> {
  if (steps.length === 0) return new Set();
  const answer = tree.run({ op: 'steps', steps });
  return new Set(answer ? ((await answer).removedEmpty ?? []) : applyStepsHere(steps));
}

type StepFunctions = { applySteps(steps: BuildStep[]): string[] };
let compiledHere: StepFunctions | null = null;

/**
 * The thread's steps run on this thread, synchronously (they block it: only for where no thread
 * can be started, and for the tests that hold both to the same results).
 */
export function applyStepsHere(steps: BuildStep[]): string[] {
  // The same source the thread runs, given this process's fs and path.
  compiledHere ??= new Function('fs', 'path', `${STEPS_SOURCE}\nreturn { applySteps };`)(fs, path) as StepFunctions;
  return compiledHere.applySteps(steps);
}

/**
 * Build steps gathered from many units and sent in batches: `add` queues a unit's steps (together,
 * in order) and sends the batch once it holds `flushBytes` of file content, so that re-rendering a
 * whole site never holds every page in memory; `flush` sends the rest.
 */
export class BuildBatch {
  private steps: BuildStep[] = [];
  private bytes = 0;
  private sending: Promise<void> = Promise.resolve();
  readonly removedEmpty = new Set<string>();
  files = 0;
  bytesWritten = 0;
  /** Milliseconds the batches took to be done, from being sent (waiting for the thread included). */
  sendMs = 0;

  constructor(private readonly flushBytes = 16 * 1024 * 1024) {}

  /** Queues steps; resolves once they are sent, when the batch was full, or at once. */
  async add(...steps: BuildStep[]): Promise<void> {
    for (const step of steps) {
      this.steps.push(step);
      if (step.op === 'write') {
        const size = typeof step.data === 'string' ? Buffer.byteLength(step.data) : step.data.byteLength;
        this.bytes += size;
        this.files += 1;
        this.bytesWritten += size;
      }
    }
    if (this.bytes >= this.flushBytes) await this.flush();
  }

  /** Sends what is queued and waits for every batch sent so far. */
  async flush(): Promise<void> {
    const steps = this.steps;
    this.steps = [];
    this.bytes = 0;
    // One batch at a time, in order: a later unit's steps may depend on an earlier one's directories.
    this.sending = this.sending.then(async () => {
      const started = performance.now();
      for (const dir of await applyBuildSteps(steps)) this.removedEmpty.add(dir);
      this.sendMs += performance.now() - started;
    });
    await this.sending;
  }
}
