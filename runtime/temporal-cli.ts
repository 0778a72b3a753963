/**
 * Finds the `temporal` CLI binary (which contains the dev server), or provisions it:
 *   TEMPORAL_CLI → `temporal` on PATH → the project's cache → `go install` into the cache →
 *   the official release download → one error that lists all of these.
 * The Go build takes minutes the first time, so progress is reported as it happens.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GovpubError } from '../domain/errors.js';

export const TEMPORAL_CLI_VERSION = '1.5.1';
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;

export interface ResolveOptions {
  cacheDir: string;
  env?: NodeJS.ProcessEnv;
  /** Where progress lines go (the Go build is slow); defaults to stderr. */
  log?: (line: string) => void;
  /** Allow building or downloading when nothing is installed (default true). */
  provision?: boolean;
}

export interface ResolvedBinary {
  path: string;
  source: 'TEMPORAL_CLI' | 'PATH' | 'cache' | 'go install' | 'download';
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

export function cachedBinaryPath(cacheDir: string): string {
  return path.join(cacheDir, 'tools', `temporal-v${TEMPORAL_CLI_VERSION}`, 'temporal');
}

/** Locate without provisioning; undefined when nothing is installed yet. */
export function findTemporalCli(cacheDir: string, env: NodeJS.ProcessEnv = process.env): ResolvedBinary | undefined {
  const explicit = env.TEMPORAL_CLI?.trim();
  if (explicit) {
    if (!isExecutable(explicit)) {
      throw new GovpubError('temporal_cli_missing', `TEMPORAL_CLI=${explicit} is not an executable file. Point it at a temporal CLI binary or unset it.`);
    }
    return { path: explicit, source: 'TEMPORAL_CLI' };
  }
  const fromPath = onPath('temporal', env);
  if (fromPath) return { path: fromPath, source: 'PATH' };
  const cached = cachedBinaryPath(cacheDir);
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  return undefined;
}

export async function resolveTemporalCli(options: ResolveOptions): Promise<ResolvedBinary> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const found = findTemporalCli(options.cacheDir, env);
  if (found) return found;
  const target = cachedBinaryPath(options.cacheDir);
  const attempts: string[] = [];
  if (options.provision !== false) {
    const go = onPath('go', env) ?? (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
    if (go) {
      try {
        await goInstall(go, target, env, log);
        return { path: target, source: 'go install' };
      } catch (error) {
        attempts.push(`go install failed: ${(error as Error).message}`);
      }
    } else {
      attempts.push('Go is not installed, so the CLI could not be built');
    }
    try {
      await download(target, log);
      return { path: target, source: 'download' };
    } catch (error) {
      attempts.push(`download failed: ${(error as Error).message}`);
    }
  }
  throw new GovpubError(
    'temporal_cli_missing',
    [
      `The Temporal CLI (v${TEMPORAL_CLI_VERSION}, which runs the local dev server) was not found.`,
      ...attempts.map((a) => `  - ${a}`),
      'Provide it in one of these ways:',
      '  1. set TEMPORAL_CLI=/path/to/temporal',
      '  2. put `temporal` on PATH',
      `  3. install Go and run \`govpub tools ensure\` (runs go install ${GO_PACKAGE} into ${path.dirname(target)})`,
      '  4. connect to an existing Temporal server instead: set TEMPORAL_ADDRESS=host:7233',
    ].join('\n'),
  );
}

async function goInstall(go: string, target: string, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<void> {
  // Build into a private directory, then rename: a concurrent reader never sees a half-written binary.
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-temporal-build-'));
  log(`Building the Temporal CLI v${TEMPORAL_CLI_VERSION} with Go (first time only; this takes several minutes)…`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(go, ['install', GO_PACKAGE], {
      env: { ...env, GOBIN: staging, GOFLAGS: `${env.GOFLAGS ?? ''} -mod=mod`.trim() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastLines: string[] = [];
    let downloads = 0;
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        if (line.startsWith('go: downloading')) downloads += 1;
        lastLines = [...lastLines.slice(-19), line];
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const ticker = setInterval(() => {
      const seconds = Math.round((Date.now() - started) / 1000);
      log(`  … still building the Temporal CLI (${seconds}s, ${downloads} modules downloaded)`);
    }, 30_000);
    child.on('error', (error) => {
      clearInterval(ticker);
      reject(error);
    });
    child.on('close', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new Error(`exit code ${code}: ${lastLines.slice(-5).join(' | ')}`));
    });
  });
  const built = path.join(staging, 'temporal');
  if (!isExecutable(built)) throw new Error(`go install finished but ${built} is missing`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(built, `${target}.tmp-${process.pid}`);
  fs.chmodSync(`${target}.tmp-${process.pid}`, 0o755);
  fs.renameSync(`${target}.tmp-${process.pid}`, target);
  fs.rmSync(staging, { recursive: true, force: true });
  log(`Temporal CLI built in ${Math.round((Date.now() - started) / 1000)}s: ${target}`);
}

async function download(target: string, log: (line: string) => void): Promise<void> {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const url = `https://temporal.download/cli/archive/v${TEMPORAL_CLI_VERSION}?platform=${process.platform}&arch=${arch}`;
  log(`Downloading the Temporal CLI from ${url} …`);
  const response = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-temporal-dl-'));
  const archive = path.join(staging, 'temporal.tar.gz');
  fs.writeFileSync(archive, Buffer.from(await response.arrayBuffer()));
  const untar = spawnSync('tar', ['-xzf', archive, '-C', staging], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`could not unpack the archive: ${untar.stderr}`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(path.join(staging, 'temporal'), target);
  fs.chmodSync(target, 0o755);
  fs.rmSync(staging, { recursive: true, force: true });
}
