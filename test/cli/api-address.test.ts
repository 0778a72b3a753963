/**
 * Where acting CLI commands send requests without --api, GOVPUB_API_URL, PORT or HOST: the API a
 * running `govpub start` or `govpub topology` recorded in the data directory. With a topology
 * running on another port, commands in another terminal went to 127.0.0.1:8080 instead (another
 * system's API on a shared host, or nothing).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordedApiUrl, topologyRecordFile, writeRuntimeRecord, apiRuntimeFile } from '../../runtime/runtime-files.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-api-address-'));
  dirs.push(dir);
  return dir;
}

/** A process id that is not running: a child that has exited. */
function deadPid(): number {
  let pid = 999_999;
  while (pid > 1) {
    try {
      process.kill(pid, 0);
      pid--;
    } catch {
      return pid;
    }
  }
  throw new Error('no free pid');
}

describe('the API a running system recorded', () => {
  it("is govpub start's run/api.json, or a topology's run/topology.json, while its process lives", () => {
    const none = dataDir();
    expect(recordedApiUrl(none)).toBeNull();

    const started = dataDir();
    writeRuntimeRecord(apiRuntimeFile(started), { pid: process.pid, url: 'http://127.0.0.1:18080' });
    expect(recordedApiUrl(started)).toBe('http://127.0.0.1:18080');

    const topology = dataDir();
    writeRuntimeRecord(topologyRecordFile(topology), { pid: process.pid, api: 'http://127.0.0.1:18090', workers: [] });
    expect(recordedApiUrl(topology)).toBe('http://127.0.0.1:18090');

    // A record a crashed supervisor left names nothing.
    const crashed = dataDir();
    writeRuntimeRecord(topologyRecordFile(crashed), { pid: deadPid(), api: 'http://127.0.0.1:18091' });
    expect(recordedApiUrl(crashed)).toBeNull();
  });
});
