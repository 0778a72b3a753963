/**
 * An administrator changes who may do what: `govpub users set-role`, `set-stages` and
 * `set-display-name` through the real CLI, against the API a reviewer is using at that moment.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../../api/server.js';
import { policyPackage, startTestApp, type TestApp } from '../support/app.js';
import { runCli } from '../support/cli.js';
import { apiCaller } from '../support/http.js';

let app: TestApp;
let api: FastifyInstance;
let base: string;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'govpub-user-roles-'));
const tokens = { editor: '', zhao: '', qian: '' };
/** The package zhao approved at 初审 before moving to 复审. */
let approvedByZhao = '';

beforeAll(async () => {
  app = await startTestApp();
  api = await buildApi(app.ctx, { logger: false });
  await api.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  tokens.editor = (await app.user('roles-editor', 'editor')).token;
  tokens.qian = (await app.user('roles-qian', 'reviewer', ['复审'])).token;
  await app.user('roles-sun', 'reviewer', ['终审']);
  await app.startWorker();
});

afterAll(async () => {
  await api?.close();
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const call = apiCaller(() => base);
const env = () => ({
  DATABASE_URL: app.databaseUrl,
  GOVPUB_DATA_DIR: dataDir,
  TEMPORAL_ADDRESS: inject('temporalAddress'),
  GOVPUB_TASK_QUEUE: app.taskQueue,
});
const cli = (...args: string[]) => runCli(['users', ...args], env());

describe('govpub users set-role / set-stages / set-display-name', () => {
  it('a reviewer moved from 初审 to 复审 decides there at the next request, keeps the approval given, and still cannot approve a second stage of that package', async () => {
    const added = await cli('add', 'roles-zhao', '--role', 'reviewer', '--stages', '初审');
    expect(added.code, added.stderr).toBe(0);
    tokens.zhao = added.stdout.trim().split('\n').at(-1)!;

    const created = await call('POST', '/api/packages', tokens.editor, policyPackage(app.registry, { title: '关于调整审核分工后的测试通知' }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    approvedByZhao = id;
    expect((await call('POST', `/api/packages/${id}/submit`, tokens.editor)).status).toBe(200);
    expect((await call('POST', `/api/packages/${id}/decisions`, tokens.zhao, { decision: 'approve', revision: 1, comment: '同意' })).status).toBe(200);

    const moved = await cli('set-stages', 'roles-zhao', '复审');
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toContain('roles-zhao is now reviewer at 复审 (second) (was reviewer at 初审 (first)); from their next request');
    // Nobody else decides at 初审: said, not refused (the administrator may be about to add someone).
    expect(moved.stderr).toContain('warning: no enabled user decides at 初审 (first) now');

    // The same token, no new sign-in: 复审 is zhao's now, but not on a package zhao approved at 初审.
    const second = await call('POST', `/api/packages/${id}/decisions`, tokens.zhao, { decision: 'approve', revision: 1, comment: '同意' });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('same_reviewer_two_stages');
    const view = await call('GET', `/api/packages/${id}`, tokens.editor);
    expect(view.body.approvals.map((a: { reviewer: string; stage: string }) => `${a.reviewer}@${a.stage}`)).toEqual(['roles-zhao@first']);
    expect((await call('POST', `/api/packages/${id}/decisions`, tokens.qian, { decision: 'approve', revision: 1, comment: '同意' })).status).toBe(200);

    const audit = await app.db.selectFrom('audit_log').select('details').where('action', '=', 'user_changed').execute();
    expect(audit.map((a) => a.details)).toEqual([
      {
        user: 'roles-zhao',
        before: { role: 'reviewer', stages: ['first'], displayName: null },
        after: { role: 'reviewer', stages: ['second'], displayName: null },
      },
    ]);
  });

  it('a reviewer made an editor decides nothing from the next request; the stages go with the role', async () => {
    const demoted = await cli('set-role', 'roles-zhao', 'editor', '--json');
    expect(demoted.code, demoted.stderr).toBe(0);
    expect(JSON.parse(demoted.stdout)).toMatchObject({ name: 'roles-zhao', role: 'editor', stages: [], before: { role: 'reviewer', stages: ['second'] } });
    const created = await call('POST', '/api/packages', tokens.editor, policyPackage(app.registry, { title: '关于角色调整后的测试通知' }));
    const id = created.body.id as string;
    expect((await call('POST', `/api/packages/${id}/submit`, tokens.editor)).status).toBe(200);
    const refused = await call('POST', `/api/packages/${id}/decisions`, tokens.zhao, { decision: 'approve', revision: 1, comment: '同意' });
    expect(refused.status).toBe(403);
    const back = await cli('set-role', 'roles-zhao', 'reviewer', '--stages', '初审,终审');
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain('is now reviewer at 初审 (first), 终审 (final) (was editor)');
    expect(back.stderr).toBe('');
  });

  it('refuses what cannot be, saying what to give, and changes nothing', async () => {
    const before = await app.db.selectFrom('users').select(['role', 'stages', 'display_name']).where('name', '=', 'roles-zhao').executeTakeFirstOrThrow();
    const refusals: [string[], string, RegExp][] = [
      [['set-role', 'roles-zhao', 'reviewer', '--stages', ''], 'invalid_stages', /A reviewer decides at one or more review stages: give them \(--stages 初审/],
      [['set-role', 'roles-zhao', 'boss'], 'invalid_role', /Role "boss" is not one of editor, reviewer, ops, admin/],
      [['set-role', 'roles-editor', 'ops', '--stages', '初审'], 'invalid_stages', /an ops user takes no stages/],
      [['set-stages', 'roles-editor', '初审'], 'invalid_stages', /Only reviewers and admins decide at review stages; an editor takes no stages/],
      [['set-stages', 'roles-zhao', '四审'], 'unknown_stage', /Unknown review stage "四审"\. Valid stages: 初审 \(first\)/],
      [['set-stages', 'roles-zhao', '终审,初审'], 'user_unchanged', /roles-zhao is already reviewer at 初审 \(first\), 终审 \(final\): nothing was changed/],
      [['set-stages', 'nobody', '初审'], 'user_unknown', /No user named "nobody"/],
      // Said of the display name asked for, not of the role.
      [
        ['set-display-name', 'roles-editor', ''],
        'user_unchanged',
        /^roles-editor's display name is already empty \(the login name is shown\): nothing was changed\.$/,
      ],
      [['set-display-name', 'roles-zhao', '赵\u0007审核'], 'invalid_display_name', /The display name/],
      [
        ['set-role', `gp_${'a'.repeat(32)}`, 'admin'],
        'name_is_token',
        /looks like an API token \(gp_ followed by 32 characters\): a token is a credential, never a name/,
      ],
    ];
    for (const [args, code, message] of refusals) {
      const refused = await cli(...args, '--json');
      expect(refused.code, `${args.join(' ')}: ${refused.stdout}${refused.stderr}`).toBe(1);
      const error = JSON.parse(refused.stdout).error as { code: string; message: string };
      expect(error.code, args.join(' ')).toBe(code);
      expect(error.message, args.join(' ')).toMatch(message);
    }
    const after = await app.db.selectFrom('users').select(['role', 'stages', 'display_name']).where('name', '=', 'roles-zhao').executeTakeFirstOrThrow();
    expect(after).toEqual(before);
  });

  it('set-display-name: review history shows the full name from then on; an empty name goes back to the login name', async () => {
    const named = await cli('set-display-name', 'roles-qian', '钱审核');
    expect(named.code, named.stderr).toBe(0);
    expect(named.stdout).toContain('roles-qian (钱审核) is now reviewer at 复审 (second)');
    // A new name leaves every stage as it was: no warning about stages (it repeated them before).
    expect(named.stderr).toBe('');
    const view = await call('GET', `/api/packages/${approvedByZhao}`, tokens.editor);
    expect(view.body.decisions.find((d: { reviewer: string }) => d.reviewer === 'roles-qian').reviewerName).toBe('钱审核');
    // users list --json names its keys as every other --json answer does (it printed the database's display_name).
    const listed = await cli('list', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    const qian = (JSON.parse(listed.stdout) as Record<string, unknown>[]).find((u) => u.name === 'roles-qian')!;
    expect(qian).toMatchObject({ displayName: '钱审核', role: 'reviewer', stages: ['second'], disabledAt: null });
    expect(Object.keys(qian).filter((key) => key.includes('_'))).toEqual([]);
    const cleared = await cli('set-display-name', 'roles-qian', '');
    expect(cleared.code, cleared.stderr).toBe(0);
    const row = await app.db.selectFrom('users').select('display_name').where('name', '=', 'roles-qian').executeTakeFirstOrThrow();
    expect(row.display_name).toBeNull();
  });

  it('a token typed where a display name, a stage or a role belongs is refused, never stored, audited or printed back', async () => {
    const token = tokens.qian;
    const before = await app.db.selectFrom('users').select(['role', 'stages', 'display_name']).where('name', '=', 'roles-sun').executeTakeFirstOrThrow();
    const auditBefore = await app.db.selectFrom('audit_log').select('id').execute();
    const attempts: [string[], string][] = [
      [['set-display-name', 'roles-sun', token], 'display name'],
      [['set-stages', 'roles-sun', `初审,${token}`], 'review stage'],
      [['set-role', 'roles-sun', token], 'role'],
      [['set-role', 'roles-sun', 'reviewer', '--stages', token], 'review stage'],
      [['add', 'roles-new', '--role', 'editor', '--display-name', token], 'display name'],
      [['add', 'roles-new', '--role', 'editor', '--unit', token], 'unit'],
      [['add', 'roles-new', '--role', 'editor', '--email', token], 'e-mail address'],
      [['set-email', 'roles-sun', token], 'e-mail address'],
      [['disable', 'roles-sun', '--reason', `令牌 ${token}`], 'reason'],
    ];
    // A few at a time: each is a Node process.
    for (let i = 0; i < attempts.length; i += 3) {
      await Promise.all(
        attempts.slice(i, i + 3).map(async ([args, what], j) => {
          // Every third as a person reads it, the others as a script does.
          const json = (i + j) % 3 !== 0;
          const refused = await cli(...args, ...(json ? ['--json'] : []));
          const printed = `${refused.stdout}${refused.stderr}`;
          expect(refused.code, `${args[0]}: ${printed}`).toBe(1);
          expect(printed, args[0]).not.toContain(token);
          if (json) expect(JSON.parse(refused.stdout).error.code, `${args.join(' ')}: ${printed}`).toBe('token_in_field');
          else expect(refused.stderr).toContain(`The ${what} given looks like an API token`);
        }),
      );
    }
    const after = await app.db.selectFrom('users').select(['role', 'stages', 'display_name']).where('name', '=', 'roles-sun').executeTakeFirstOrThrow();
    expect(after).toEqual(before);
    expect(await app.db.selectFrom('users').select('id').where('name', '=', 'roles-new').executeTakeFirst()).toBeUndefined();
    expect((await app.db.selectFrom('audit_log').select('id').execute()).length).toBe(auditBefore.length);
  });

  it('a display name is one line a reader sees: a line break, a tab or only zero-width characters are refused', async () => {
    const refusals: [string[], RegExp][] = [
      [['set-display-name', 'roles-zhao', '赵\n审核'], /The display name contains a line break at position 2: a name is one line/],
      [['set-display-name', 'roles-zhao', '赵\t审核'], /The display name contains a tab at position 2/],
      [['set-display-name', 'roles-zhao', '\u200b\u200d\ufeff'], /The display name shows nothing \(only invisible characters such as zero-width spaces\)/],
      [['add', 'roles-new', '--role', 'editor', '--display-name', '\u200b'], /The display name shows nothing/],
    ];
    await Promise.all(
      refusals.map(async ([args, message]) => {
        const refused = await cli(...args, '--json');
        expect(refused.code, `${JSON.stringify(args)}: ${refused.stdout}${refused.stderr}`).toBe(1);
        const error = JSON.parse(refused.stdout).error as { code: string; message: string };
        expect(error.code).toBe('invalid_display_name');
        expect(error.message).toMatch(message);
      }),
    );
    // Spaces around a name typed at the terminal are not part of it, when a user is added as when changed.
    const added = await cli('add', 'roles-spaced', '--role', 'editor', '--display-name', ' 孙 ');
    expect(added.code, added.stderr).toBe(0);
    expect((await app.db.selectFrom('users').select('display_name').where('name', '=', 'roles-spaced').executeTakeFirstOrThrow()).display_name).toBe('孙');
  });

  it("two administrators changing one user at once: the second starts from the first one's change, which is not written over", async () => {
    // The first administrator's change is under way: its transaction has written 复审,终审 and not committed yet.
    const first = new pg.Client({ connectionString: app.databaseUrl });
    await first.connect();
    try {
      await first.query('begin');
      await first.query(`update users set stages = '["second","final"]' where name = 'roles-qian'`);
      let finished: Awaited<ReturnType<typeof cli>> | undefined;
      const second = cli('set-display-name', 'roles-qian', '钱审核', '--json').then((r) => (finished = r));
      // The second waits for the first (a row lock) ...
      for (let waited = 0; ; waited += 100) {
        if (finished) throw new Error(`the second change did not wait for the first: ${finished.stdout}${finished.stderr}`);
        // Asked outside the open transaction, which would see one snapshot of pg_stat_activity throughout.
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query like '%"users"%'`.execute(app.db);
        if (rows[0]!.n > 0) break;
        if (waited > 60_000) throw new Error('the second change never waited for the first');
        await new Promise((r) => setTimeout(r, 100));
      }
      await first.query('commit');
      const done = await second;
      expect(done.code, done.stderr).toBe(0);
      // ... and keeps what the first one wrote, and says in the audit what was there before it.
      expect(JSON.parse(done.stdout).before).toEqual({ role: 'reviewer', stages: ['second', 'final'], displayName: null });
    } finally {
      await first.end();
    }
    const row = await app.db.selectFrom('users').select(['stages', 'display_name']).where('name', '=', 'roles-qian').executeTakeFirstOrThrow();
    expect(row).toEqual({ stages: ['second', 'final'], display_name: '钱审核' });
  });

  it('disabling the last enabled reviewer of a stage warns, as moving them does; disabling one of two does not', async () => {
    expect((await cli('add', 'roles-zhou', '--role', 'reviewer', '--stages', '初审')).code).toBe(0);
    const oneOfTwo = await cli('disable', 'roles-zhou', '--reason', '借调');
    expect(oneOfTwo.code, oneOfTwo.stderr).toBe(0);
    expect(oneOfTwo.stderr).toBe('');
    // roles-zhao decides at 初审 and 终审; roles-sun at 终审 too.
    const last = await cli('disable', 'roles-zhao', '--reason', '调离', '--json');
    expect(last.code, last.stderr).toBe(0);
    expect(JSON.parse(last.stdout)).toMatchObject({ name: 'roles-zhao', stagesWithoutReviewer: ['first'] });
    expect(last.stderr).toBe(
      'warning: no enabled user decides at 初审 (first) now: packages reaching it wait until someone does (govpub users set-stages NAME 初审).\n',
    );
  });

  it('the commands that need no registry (list, set-email, rotate-token, set-password) work while its YAML is broken; add names the broken line', async () => {
    // An administrator fixing config/registry can still look after the accounts: these commands
    // neither read nor check the registry. Those that need its stages or units say what is wrong, and where.
    const configDir = mkdtempSync(path.join(os.tmpdir(), 'govpub-broken-registry-'));
    try {
      cpSync(path.join(import.meta.dirname, '..', '..', 'config'), configDir, { recursive: true });
      writeFileSync(path.join(configDir, 'registry', 'units.yaml'), 'units:\n  - id: [unclosed\n');
      const broken = { ...env(), GOVPUB_CONFIG_DIR: configDir };
      const list = await runCli(['users', 'list'], broken);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toContain('roles-qian');
      for (const args of [
        ['set-email', 'roles-qian', 'qian@beilin.gov.cn'],
        ['rotate-token', 'roles-qian'],
        ['set-password', 'roles-qian'],
      ]) {
        const done = await runCli(['users', ...args], broken);
        expect(done.code, `${args.join(' ')}: ${done.stderr}`).toBe(0);
      }
      const add = await runCli(['users', 'add', 'roles-wu', '--role', 'editor'], broken);
      expect(add.code).not.toBe(0);
      expect(add.stderr).toMatch(/registry\/units\.yaml:\d+: YAML syntax error/);
      expect(await app.db.selectFrom('users').select('name').where('name', '=', 'roles-wu').executeTakeFirst()).toBeUndefined();
    } finally {
      rmSync(configDir, { recursive: true, force: true });
    }
  });
});
