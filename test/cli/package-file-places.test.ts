/**
 * `govpub packages create|edit --file`: a package file the API refuses field by field is answered
 * with where each field stands in the file (`my-package.json:12:7: document.title: required`), as a
 * file that is not JSON is, so an editor goes to the line instead of counting braces in a long file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';
import { runCli } from '../support/cli.js';

const CLI_TIMEOUT_MS = 120_000;

let app: TestApp;
let api: FastifyInstance;
let dir: string;
let env: Record<string, string>;
let draftId = '';

beforeAll(async () => {
  // No worker: refusals never reach a workflow, and creating one needs none.
  app = await startTestApp();
  dir = await mkdtemp(path.join(tmpdir(), 'govpub-cli-places-'));
  api = await buildApi(app.ctx, { logger: false });
  await api.listen({ port: 0, host: '127.0.0.1' });
  const editor = await app.user('places-editor', 'editor');
  env = {
    GOVPUB_API_URL: `http://127.0.0.1:${(api.server.address() as { port: number }).port}`,
    GOVPUB_TOKEN: editor.token,
    GOVPUB_DATA_DIR: path.join(dir, 'data'),
    DATABASE_URL: app.databaseUrl,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    GOVPUB_TASK_QUEUE: app.taskQueue,
  };
  draftId = (await app.packages.create(editor.actor, policyPackage(app.registry, { title: '文件定位：草稿' }))).id;
}, 180_000);

afterAll(async () => {
  await api?.close();
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A package file as an editor writes it (two-space indent), with these changes. */
async function packageFile(name: string, change: (body: Record<string, any>) => void): Promise<string> {
  const body = policyPackage(app.registry) as Record<string, any>;
  change(body);
  const file = path.join(dir, name);
  await writeFile(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}

/** The line (from 1) of the first line of `file`'s text that contains `needle`. */
async function lineOf(file: string, needle: string): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const lines = (await readFile(file, 'utf8')).split('\n');
  const index = lines.findIndex((l) => l.includes(needle));
  expect(index, `${needle} in ${file}`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

describe('govpub packages create --file with fields the API refuses', () => {
  it('names the file, the line and column, and the field path of each problem', async () => {
    const file = await packageFile('fields.json', (b) => {
      b.document.documentNumber = '碑政发[2026]3号';
      b.interpretations[0].form = 'poster';
      b.targets = [...b.targets, 'weibo:no-such-account'];
      delete b.document.title;
    });
    const result = await runCli(['packages', 'create', '--file', file], env, undefined, { timeoutMs: CLI_TIMEOUT_MS });
    expect(result.code, result.stderr).toBe(1);
    const name = path.basename(file);
    expect(result.stderr).toContain(`${name}: the package has 4 problems`);
    expect(result.stderr).toMatch(new RegExp(`${name}:${await lineOf(file, '"documentNumber"')}:\\d+: document\\.documentNumber: .*碑政发〔2026〕3号`));
    expect(result.stderr).toMatch(new RegExp(`${name}:${await lineOf(file, '"form"')}:\\d+: interpretations\\[0\\]\\.form: `));
    expect(result.stderr).toMatch(new RegExp(`${name}:${await lineOf(file, '"weibo:no-such-account"')}:\\d+: targets\\[2\\]: unknown channel`));
    // A field left out: where the object that misses it starts.
    expect(result.stderr).toMatch(new RegExp(`${name}:${await lineOf(file, '"document"')}:\\d+: document\\.title: required`));
  });

  it('in Chinese too (GOVPUB_LANG=zh), and with --json the message carries the places', async () => {
    const file = await packageFile('title.json', (b) => {
      b.title = '';
    });
    const zh = await runCli(['packages', 'create', '--file', file], { ...env, GOVPUB_LANG: 'zh' }, undefined, { timeoutMs: CLI_TIMEOUT_MS });
    expect(zh.code, zh.stderr).toBe(1);
    expect(zh.stderr).toContain('title.json：稿件有 1 处问题');
    expect(zh.stderr).toMatch(/title\.json:2:3: title: /);
    const json = await runCli(['packages', 'create', '--file', file, '--json'], env, undefined, { timeoutMs: CLI_TIMEOUT_MS });
    const printed = JSON.parse(json.stdout) as { error: { code: string; message: string; issues?: unknown[] } };
    expect(printed.error.code).toBe('invalid_body');
    expect(printed.error.message).toMatch(/title\.json:2:3: title: required/);
    // Before: the paths only inside the message; a script reads each field and its place.
    expect(printed.error.issues).toEqual([expect.objectContaining({ path: 'title', message: 'required', file: file, line: 2, column: 3 })]);
  });

  it('edit --file: the same, and from stdin the file is named (stdin)', async () => {
    const file = await packageFile('edit.json', (b) => {
      b.document.formedAt = '2026-02-30';
    });
    const edited = await runCli(['packages', 'edit', draftId, '--file', file], env, undefined, { timeoutMs: CLI_TIMEOUT_MS });
    expect(edited.code, edited.stderr).toBe(1);
    expect(edited.stderr).toMatch(new RegExp(`edit\\.json:${await lineOf(file, '"formedAt"')}:\\d+: document\\.formedAt: `));
    const { readFile } = await import('node:fs/promises');
    const piped = await runCli(['packages', 'create', '--file', '-'], env, await readFile(file, 'utf8'), { timeoutMs: CLI_TIMEOUT_MS });
    expect(piped.code, piped.stderr).toBe(1);
    expect(piped.stderr).toMatch(new RegExp(`\\(stdin\\):${await lineOf(file, '"formedAt"')}:\\d+: document\\.formedAt: `));
  });
});
