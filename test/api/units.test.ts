/**
 * Owner units: units.yaml checked with file and line, every channel's owner unit, an editor's
 * unit scope (GET /api/channels?scope=mine, 403 target_out_of_scope with nothing stored), the
 * session's permissions, and `govpub users add --unit` / `users set-unit` through the real CLI.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { loadRegistry } from '../../config/registry.js';
import { ConfigError } from '../../domain/errors.js';
import { addUser } from '../../services/users.js';
import { writeFixture, type FixtureEdits } from '../config/registry-fixture.js';
import { runCli } from '../support/cli.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';
import { apiCaller } from '../support/http.js';

let app: TestApp;
let api: FastifyInstance;
let base: string;
const tokens = { jyj: '', rmt: '', free: '', reviewer: '' };
let jyjId = '';
const dirs: string[] = [];

beforeAll(async () => {
  app = await startTestApp();
  api = await buildApi(app.ctx, { logger: false });
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  const jyj = await addUser(app.db, app.registry, { name: 'u-jyj-editor', role: 'editor', unit: 'jyj', by: 'test' });
  tokens.jyj = jyj.token;
  jyjId = jyj.user.id;
  tokens.rmt = (await addUser(app.db, app.registry, { name: 'u-rmt-editor', role: 'editor', unit: '区融媒体中心', by: 'test' })).token;
  tokens.free = (await app.user('u-free-editor', 'editor')).token;
  tokens.reviewer = (await addUser(app.db, app.registry, { name: 'u-reviewer', role: 'reviewer', stages: ['初审'], unit: 'jyj', by: 'test' })).token;
  await app.startWorker();
});

afterAll(async () => {
  await api?.close();
  await app?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const call = apiCaller(() => base);

async function configProblems(edits: FixtureEdits): Promise<string[]> {
  const dir = writeFixture(edits);
  dirs.push(dir);
  const error = await loadRegistry(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).message.split('\n').slice(1);
}

describe('units.yaml', () => {
  it('loads the district units; every channel has an owner unit', async () => {
    const registry = await loadRegistry();
    expect(registry.units.find((u) => u.id === 'jyj')).toEqual({ id: 'jyj', name: '区教育局', portalColumns: ['bm-jyj', 'zdly-ywjy'], mediaCenter: false });
    const { body } = await call('GET', '/api/channels', tokens.free);
    expect(body.channels).toHaveLength(376);
    expect(body.channels.filter((c: { ownerUnit: string | null }) => !c.ownerUnit)).toEqual([]);
    const owner = (id: string) => body.channels.find((c: { id: string }) => c.id === id)?.ownerUnit;
    expect(owner('portal:bm-jyj')).toBe('区教育局');
    expect(owner('portal:zdly-ywjy')).toBe('区教育局'); // a listed column…
    const child = registry.portal.columns.find((c) => c.parentId === 'zdly-ywjy')!;
    expect(owner(`portal:${child.id}`)).toBe('区教育局'); // …covers its subtree
    expect(owner('portal:xwdt-blyw')).toBe('区政府办公室'); // unlisted: the government office
    expect(owner('news_site:blxw')).toBe('区融媒体中心');
    expect(owner('wechat_oa:blwhly')).toBe('区文化和旅游体育局');
  });

  it('reports an unknown owner unit, an unknown or doubly listed column, a missing default unit and media center, each with file:line', async () => {
    const unknownOwner = await configProblems({ lines: { 'accounts.yaml': { 13: '    ownerUnit: 区人社局' } } });
    expect(unknownOwner.join('\n')).toMatch(/accounts\.yaml:13: accounts\[1\]\.ownerUnit: owner unit "区人社局" is not listed in .*units\.yaml/);
    const badColumn = await configProblems({ lines: { 'units.yaml': { 3: '  - { id: wlj, name: 区文化和旅游体育局, portalColumns: [zwgk-zcwjj] }' } } });
    expect(badColumn.join('\n')).toMatch(/units\.yaml:3: .*unknown portal column "zwgk-zcwjj".*did you mean "zwgk-zcwj"/);
    const twice = await configProblems({ lines: { 'units.yaml': { 4: '  - { id: rsj, name: 区人力资源和社会保障局, portalColumns: [zwgk-zcwj] }' } } });
    expect(twice.join('\n')).toMatch(/units\.yaml:4: .*portal column "zwgk-zcwj" is already maintained by the unit at line 3/);
    const noDefault = await configProblems({ lines: { 'units.yaml': { 2: '  - { id: zfb, name: 区政府 }' } } });
    expect(noDefault.join('\n')).toMatch(/units\.yaml:1: units: must list 区政府办公室/);
    const noMediaCenter = await configProblems({ lines: { 'units.yaml': { 5: '  - { id: rmtzx, name: 区融媒体中心, mediaCenter: maybe }' } } });
    expect(noMediaCenter.join('\n')).toMatch(/units\.yaml:5: units\[3\]\.mediaCenter: expected true or false/);
    const duplicateId = await configProblems({ lines: { 'units.yaml': { 4: '  - { id: wlj, name: 区人力资源和社会保障局 }' } } });
    expect(duplicateId.join('\n')).toMatch(/units\.yaml:4: units\[2\]\.id: duplicate unit id "wlj"/);
  });

  it('GET /api/units lists every unit with its channel count (together: every channel)', async () => {
    const { status, body } = await call('GET', '/api/units', tokens.free);
    expect(status).toBe(200);
    expect(body.units.find((u: { id: string }) => u.id === 'jyj')).toMatchObject({ name: '区教育局', channelCount: expect.any(Number) });
    expect(body.units.reduce((n: number, u: { channelCount: number }) => n + u.channelCount, 0)).toBe(376);
  });
});

describe("an editor's unit scope", () => {
  it("lists only the unit's channels with scope=mine; reviewers and editors without a unit see all", async () => {
    const mine = (await call('GET', '/api/channels?scope=mine', tokens.jyj)).body.channels as { id: string; ownerUnit: string }[];
    expect(mine.length).toBeGreaterThan(2);
    expect(new Set(mine.map((c) => c.ownerUnit))).toEqual(new Set(['区教育局']));
    expect(mine.map((c) => c.id)).toEqual(expect.arrayContaining(['portal:bm-jyj', 'portal:zdly-ywjy']));
    const media = (await call('GET', '/api/channels?scope=mine', tokens.rmt)).body.channels as { id: string }[];
    expect(media.map((c) => c.id)).toEqual(expect.arrayContaining(['news_site:blxw', 'media_app:zwgk']));
    expect((await call('GET', '/api/channels?scope=mine', tokens.reviewer)).body.channels).toHaveLength(376);
    expect((await call('GET', '/api/channels?scope=mine', tokens.free)).body.channels).toHaveLength(376);
    expect((await call('GET', '/api/channels?scope=ours', tokens.free)).status).toBe(400);
  });

  it('refuses a package with a target outside the unit: 403 target_out_of_scope naming /targets/N, nothing stored; inside it is created in the unit', async () => {
    const item = app.registry.catalogue.find((i) => i.requiresInterpretation)!;
    const before = await app.db.selectFrom('packages').select('id').execute();
    const outside = policyPackage(app.registry, { targets: ['portal:bm-jyj-zcwj', 'wechat_oa:blwhly', 'portal:zdly-ywjy-zsrx', 'news_site:blxw'] });
    const refused = await call('POST', '/api/packages', tokens.jyj, outside);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('target_out_of_scope');
    expect(refused.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['/targets/1', '/targets/3']);
    expect(refused.body.error.issues[0].messageZh).toContain('wechat_oa:blwhly');
    expect(await app.db.selectFrom('packages').select('id').execute()).toEqual(before);

    const inside = await call('POST', '/api/packages', tokens.jyj, policyPackage(app.registry, { catalogueItem: item.id, targets: ['portal:bm-jyj-zcwj'] }));
    expect(inside.status).toBe(201);
    const row = await app.db.selectFrom('packages').select(['unit']).where('id', '=', inside.body.id).executeTakeFirstOrThrow();
    expect(row.unit).toBe('jyj');

    const edit = await call(
      'PUT',
      `/api/packages/${inside.body.id}`,
      tokens.jyj,
      policyPackage(app.registry, { targets: ['portal:bm-jyj-zcwj', 'weibo:blfb-wb'] }),
    );
    expect(edit.status).toBe(403);
    expect(edit.body.error.issues).toEqual([expect.objectContaining({ path: '/targets/1' })]);
    const revisions = await app.db.selectFrom('package_revisions').select('revision').where('package_id', '=', inside.body.id).execute();
    expect(revisions).toEqual([{ revision: 1 }]);

    // An editor without a unit targets anything, as before.
    expect((await call('POST', '/api/packages', tokens.free, outside)).status).toBe(201);
  });

  it("refuses every command of a unit editor on another unit's package (403 target_out_of_scope naming its first outside target); its own editor and a reviewer act as before", async () => {
    const other = await call('POST', '/api/packages', tokens.free, policyPackage(app.registry, { targets: ['portal:bm-jyj-zcwj', 'portal:xwdt-blyw'] }));
    expect(other.status).toBe(201);
    const id = other.body.id as string;
    const commands: [string, string, unknown][] = [
      ['POST', `/api/packages/${id}/submit`, undefined],
      ['POST', `/api/packages/${id}/withdraw`, {}],
      ['PUT', `/api/packages/${id}/schedule`, { releaseAt: '2030-01-01T09:00:00+08:00' }],
      ['DELETE', `/api/packages/${id}/schedule`, undefined],
      ['POST', `/api/packages/${id}/release`, undefined],
      ['PUT', `/api/packages/${id}`, policyPackage(app.registry, { targets: ['portal:bm-jyj-zcwj'] })],
    ];
    for (const [method, path, body] of commands) {
      const refused = await call(method, path, tokens.jyj, body);
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(refused.body.error.code).toBe('target_out_of_scope');
      expect(refused.body.error.message).toContain('portal:xwdt-blyw');
      expect(refused.body.error.messageZh).toContain('portal:xwdt-blyw');
      expect(refused.body.error.issues).toEqual([expect.objectContaining({ path: '/targets/1' })]);
    }
    // Nothing happened in the editor's name: no step, no revision.
    expect(await app.db.selectFrom('audit_log').select('action').where('package_id', '=', id).where('actor', '=', jyjId).execute()).toEqual([]);
    expect(await app.db.selectFrom('package_revisions').select('revision').where('package_id', '=', id).execute()).toEqual([{ revision: 1 }]);

    // The editor who wrote it (no unit), and a reviewer (with a unit, unbounded by it), still act.
    expect((await call('POST', `/api/packages/${id}/submit`, tokens.free)).status).toBe(200);
    expect((await call('PUT', `/api/packages/${id}/schedule`, tokens.reviewer, { releaseAt: '2030-01-01T09:00:00+08:00' })).status).toBe(200);
    expect((await call('POST', `/api/packages/${id}/withdraw`, tokens.free, {})).status).toBe(200);
  });

  it("answers the scope in the session's permissions", async () => {
    const editor = await call('GET', '/api/session', tokens.jyj);
    expect(editor.body.user.unit).toEqual({ id: 'jyj', name: '区教育局' });
    expect(editor.body.permissions.scope).toBe('unit');
    const reviewer = await call('GET', '/api/session', tokens.reviewer);
    expect(reviewer.body.permissions).toEqual({ commands: expect.arrayContaining(['decide']), stages: ['first'], scope: 'all' });
    expect(reviewer.body.permissions.commands).not.toContain('create');
    expect(reviewer.body.user.stages).toEqual([{ id: 'first', name: '初审' }]);
  });
});

describe('govpub users (the real CLI)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'govpub-units-cli-'));
  dirs.push(dataDir);
  const env = () => ({
    DATABASE_URL: app.databaseUrl,
    GOVPUB_DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    GOVPUB_TASK_QUEUE: app.taskQueue,
  });

  it('users add --unit prints a first password before the token (the last line); the password signs in; set-unit moves the user', async () => {
    const added = await runCli(['users', 'add', 'cli-unit-editor', '--role', 'editor', '--unit', 'jyj'], env());
    expect(added.code, added.stderr).toBe(0);
    const lines = added.stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^gp_/);
    const password = lines.find((l) => l.startsWith('password: '))!.slice('password: '.length);
    expect(lines.indexOf(`password: ${password}`)).toBeLessThan(lines.length - 1);
    const signIn = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'cli-unit-editor', password }),
    });
    expect(signIn.status).toBe(200);
    expect(((await signIn.json()) as { user: { unit: unknown } }).user.unit).toEqual({ id: 'jyj', name: '区教育局' });

    const moved = await runCli(['users', 'set-unit', 'cli-unit-editor', 'wlj'], env());
    expect(moved.code, moved.stderr).toBe(0);
    const row = await app.db.selectFrom('users').select('unit').where('name', '=', 'cli-unit-editor').executeTakeFirstOrThrow();
    expect(row.unit).toBe('wlj');
  });

  it('users add --password-stdin takes the password from a pipe and prints no password line', async () => {
    const added = await runCli(['users', 'add', 'cli-piped', '--role', 'ops', '--password-stdin'], env(), 'piped-password-123\n');
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).not.toContain('password:');
    const signIn = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'cli-piped', password: 'piped-password-123' }),
    });
    expect(signIn.status).toBe(200);
  });

  it('refuses an unknown unit and a short password, saying what to do, and adds no user', async () => {
    const unknown = await runCli(['users', 'add', 'cli-nounit', '--role', 'editor', '--unit', 'nowhere', '--json'], env());
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout).error).toMatchObject({ code: 'unknown_unit', message: expect.stringContaining('jyj (区教育局)') });
    const short = await runCli(['users', 'add', 'cli-short', '--role', 'editor', '--password-stdin', '--json'], env(), 'short\n');
    expect(JSON.parse(short.stdout).error).toMatchObject({ code: 'invalid_password', message: expect.stringContaining('at least 10') });
    const setUnknown = await runCli(['users', 'set-unit', 'cli-piped', 'nowhere', '--json'], env());
    expect(JSON.parse(setUnknown.stdout).error.code).toBe('unknown_unit');
    const rows = await app.db.selectFrom('users').select('name').where('name', 'in', ['cli-nounit', 'cli-short']).execute();
    expect(rows).toEqual([]);
  });

  it('users set-password prints a new password and ends the sessions', async () => {
    const changed = await runCli(['users', 'set-password', 'cli-piped'], env());
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toMatch(/1 session\(s\) ended/);
    const password = /password: (\S+)/.exec(changed.stdout)![1]!;
    const signIn = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'cli-piped', password }),
    });
    expect(signIn.status).toBe(200);
  });
});
