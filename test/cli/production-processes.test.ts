/**
 * The README's production layout run the way a new operator runs it: `govpub api` and
 * `govpub worker` as processes of their own against PostgreSQL and a Temporal server, with
 * `govpub db migrate` once per release. What happens when the order or the inputs are wrong.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadPlatformConfigs } from '../../config/platforms.js';
import { loadRegistry } from '../../config/registry.js';
import { ROOT_DIR } from '../../config/settings.js';
import { ensureDevSecrets } from '../../runtime/local-platforms.js';
import { addUser } from '../../services/users.js';
import { killHard, runCli, startCliProcess } from '../support/cli.js';
import { withDatabase } from '../support/global-setup.js';
import { freePort } from '../support/running.js';
import { freshDatabase } from '../support/services.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-production-'));
let env: Record<string, string>;

async function emptyDatabase(): Promise<string> {
  const name = `${inject('testRunId')}_unmigrated_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  return withDatabase(inject('pgAdminUrl'), name);
}

beforeAll(async () => {
  const registry = await loadRegistry();
  const secretsFile = ensureDevSecrets(dataDir, registry, loadPlatformConfigs(path.join(ROOT_DIR, 'config'), { env: {} }));
  env = {
    GOVPUB_DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    GOVPUB_SECRETS_FILE: secretsFile,
    GOVPUB_COMPLIANCE_SCHEDULES: 'off',
    GOVPUB_SIMULATORS: 'off',
  };
});

afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** `govpub api` on a fresh database and media store (`prepare` fills the store first), with an editor's token. */
async function apiWithMediaStore(prefix: string, prepare: (mediaDir: string) => void = () => undefined) {
  const database = await freshDatabase();
  const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  prepare(mediaDir);
  const port = await freePort();
  const api = await startCliProcess(
    ['api'],
    { ...process.env, ...env, DATABASE_URL: database.url, GOVPUB_MEDIA_DIR: mediaDir, PORT: String(port) },
    'listening on',
  );
  const stop = async () => {
    await killHard(api.child);
    await database.close();
    fs.rmSync(mediaDir, { recursive: true, force: true });
  };
  try {
    const { token } = await addUser(database.db, await loadRegistry(), { name: 'uploader', role: 'editor', stages: [] });
    return { api, port, mediaDir, token, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

describe('govpub api and govpub worker before `govpub db migrate`', () => {
  it('refuse to start on a database without govpub schema, saying to run govpub db migrate', async () => {
    // Before: both died with "unexpected error: relation "channels" does not exist".
    const url = await emptyDatabase();
    for (const command of [['api'], ['worker']]) {
      const result = await runCli(command, { ...env, DATABASE_URL: url, PORT: String(await freePort()) }, undefined, { timeoutMs: 90_000 });
      expect(result.code, `${command[0]}: ${result.stderr}`).toBe(1);
      expect(result.stderr).toMatch(/has no govpub schema yet: (\d+) of \1 migrations not applied \(0001_foundation … /);
      expect(result.stderr).toContain('Run `govpub db migrate` once with the same DATABASE_URL');
      expect(result.stderr).not.toContain('unexpected error');
    }
  }, 200_000);
});

describe('govpub api stopped (SIGTERM) during an upload', () => {
  it('leaves no partial file in the media store', async () => {
    // Before: the cut-off upload's .part file (tens of MB, up to 4 GB for a video) stayed in <media>/tmp for good.
    const { api, port, mediaDir, token, stop } = await apiWithMediaStore('govpub-upload-stop-');
    try {
      const boundary = 'govpubupload';
      const upload = http.request({
        host: '127.0.0.1',
        port,
        path: '/api/media',
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(50 * 1024 * 1024) },
      });
      const answered = new Promise<void>((resolve) => {
        upload.on('error', () => resolve());
        upload.on('response', () => resolve());
      });
      upload.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="clip.mp4"\r\nContent-Type: video/mp4\r\n\r\n`);
      upload.write(Buffer.concat([Buffer.from('\x00\x00\x00\x18ftypmp42'), Buffer.alloc(1024 * 1024 - 12, 7)]));
      const tmpDir = path.join(mediaDir, 'tmp');
      const parts = () => (fs.existsSync(tmpDir) ? fs.readdirSync(tmpDir).filter((f) => f.endsWith('.part')) : []);
      // Keep sending slowly until the store is writing the partial file, then stop the API.
      const feeding = setInterval(() => upload.write(Buffer.alloc(64 * 1024, 7)), 50);
      await expect.poll(() => parts().length, { timeout: 30_000, interval: 100 }).toBe(1);
      api.child.kill('SIGTERM');
      expect(await api.exited).toBe(0);
      clearInterval(feeding);
      upload.destroy();
      await answered;
      expect(parts()).toEqual([]);
    } finally {
      await stop();
    }
  });

  it('a partial file an API killed with SIGKILL left is removed by the next one once it is 10 minutes old; a fresh one (another API writing) is kept', async () => {
    let abandoned = '';
    let writing = '';
    const { port, token, stop } = await apiWithMediaStore('govpub-upload-killed-', (mediaDir) => {
      const tmpDir = path.join(mediaDir, 'tmp');
      fs.mkdirSync(tmpDir, { recursive: true });
      abandoned = path.join(tmpDir, '1700000000000-killed.part');
      writing = path.join(tmpDir, `${Date.now()}-another-api.part`);
      fs.writeFileSync(abandoned, Buffer.alloc(1024));
      fs.writeFileSync(writing, Buffer.alloc(1024));
      const elevenMinutesAgo = new Date(Date.now() - 11 * 60_000);
      fs.utimesSync(abandoned, elevenMinutesAgo, elevenMinutesAgo);
    });
    try {
      const form = new FormData();
      form.append('file', new Blob([fs.readFileSync(path.join(ROOT_DIR, 'examples', 'media', 'news.jpg'))], { type: 'image/jpeg' }), 'news.jpg');
      const answer = await fetch(`http://127.0.0.1:${port}/api/media`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
      expect(answer.status, await answer.text()).toBeLessThan(300);
      expect(fs.existsSync(abandoned)).toBe(false);
      expect(fs.existsSync(writing)).toBe(true);
    } finally {
      await stop();
    }
  });
});

describe('what an operator meets at the command line', () => {
  it('govpub api on a port in use says so, not "unexpected error"', async () => {
    const busy = http.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const database = await freshDatabase();
      try {
        const result = await runCli(['api'], { ...env, DATABASE_URL: database.url, PORT: String(port) }, undefined, { timeoutMs: 90_000 });
        expect(result.code).toBe(1);
        expect(result.stderr).toBe(`govpub: Port ${port} for the API is already in use. Stop whatever uses it or set PORT to another port.\n`);
      } finally {
        await database.close();
      }
    } finally {
      busy.close();
    }
  });

  it('a listing piped into a reader that stops early (| head) ends quietly, not with an EPIPE stack', async () => {
    const child = spawn(process.execPath, [path.join(ROOT_DIR, 'bin', 'govpub.mjs'), 'channels', 'list'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // the reader is gone before the first line
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });

  it('output that cannot be written (a full disk) is one line naming the cause, not a stack; exit 1', async () => {
    const full = fs.openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [path.join(ROOT_DIR, 'bin', 'govpub.mjs'), 'channels', 'list'], {
        env: { ...process.env, ...env },
        stdio: ['ignore', full, 'pipe'],
      });
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(1);
      expect(stderr).toMatch(
        /\ngovpub: could not write (the command's output|what it was writing) \(ENOSPC: no space left on device.*what the command did before stands.*\n$/,
      );
      expect(stderr).not.toMatch(/^\s+at /m);
    } finally {
      fs.closeSync(full);
    }
  });

  it('a refusal quoting a value of 100,000 characters keeps its start and its advice, whole through a pipe', async () => {
    const refused = await runCli(['users', 'add', 'a'.repeat(100_000), '--role', 'editor'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr.length).toBeLessThan(6000);
    expect(refused.stderr).toMatch(/characters left out/);
    expect(refused.stderr.trimEnd()).toMatch(/letters.*$/);
  });
});
