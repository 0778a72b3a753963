/**
 * The README's first command as a new user runs it: `govpub start` brings up the dev server,
 * embedded PGlite, worker and API; CLI commands then work against the running system.
 */
import { freePort, portAnswers, simulatorPortBase } from '../support/running.js';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portalPagePaths } from '../../adapters/portal/urls.js';
import { ROOT_DIR } from '../../config/settings.js';
import { loadRegistry } from '../../config/registry.js';
import { policyPackage } from '../support/app.js';
import { runCli } from '../support/cli.js';

let child: ChildProcess;
let output = '';
let env: Record<string, string>;
/** API tokens of the users the tests add, by name. */
const tokens: Record<string, string> = {};
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-start-'));

beforeAll(async () => {
  env = {
    GOVPUB_DATA_DIR: dataDir,
    PORT: String(await freePort()),
    GOVPUB_TEMPORAL_PORT: String(await freePort()),
    GOVPUB_TEMPORAL_UI_PORT: String(await freePort()),
    GOVPUB_SIMULATOR_PORT: String(await simulatorPortBase()),
    DATABASE_URL: '',
    TEMPORAL_ADDRESS: '',
  };
  child = spawn(process.execPath, [path.join(ROOT_DIR, 'bin', 'govpub.mjs'), 'start'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 120_000;
  while (!output.includes('govpub is running')) {
    if (child.exitCode !== null) throw new Error(`govpub start exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`govpub start did not come up in time:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
});

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('govpub start (all-in-one on the embedded default)', () => {
  it('prints where to look: the API, Temporal web UI and the data directory', async () => {
    expect(output).toContain(`http://127.0.0.1:${env.PORT}`);
    expect(output).toContain(`Temporal UI    http://127.0.0.1:${env.GOVPUB_TEMPORAL_UI_PORT}`);
    expect(output).toContain(dataDir);
    const health = await fetch(`http://127.0.0.1:${env.PORT}/healthz`).then((r) => r.json());
    expect(health).toMatchObject({ status: 'ok', database: 'ok', temporal: 'ok' });
    expect(fs.existsSync(path.join(dataDir, 'temporal.sqlite'))).toBe(true);
    // Commands typed in another terminal act on this govpub only with its data directory: the banner's carry it.
    expect(output).toContain(`first user     GOVPUB_DATA_DIR=${dataDir} npx govpub users add admin`);
    expect(output).toContain(`examples       GOVPUB_DATA_DIR=${dataDir} GOVPUB_TOKEN=<its token> npx govpub examples load`);
  });

  it('says so when a command typed without the data directory makes a database of its own', { timeout: 60_000 }, async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-elsewhere-'));
    try {
      const added = await runCli(['users', 'add', 'stray', '--role', 'editor'], { ...env, GOVPUB_DATA_DIR: elsewhere });
      expect(added.code, added.stderr).toBe(0);
      expect(added.stderr).toContain(
        `govpub: ${elsewhere} held no database yet: this command made a new, empty embedded one there, and what it does goes into that one.`,
      );
      expect(added.stderr).toContain('set GOVPUB_DATA_DIR (or DATABASE_URL) here as it is set there');
      // Said once: the next command there finds the database it made.
      const again = await runCli(['users', 'list'], { ...env, GOVPUB_DATA_DIR: elsewhere });
      expect(again.stdout).toContain('stray');
      expect(again.stderr).not.toContain('held no database');
      // The running govpub never heard of that user; commands with its data directory say nothing of the kind.
      const here = await runCli(['users', 'list'], env);
      expect(here.stdout).not.toContain('stray');
      expect(here.stderr).not.toContain('held no database');
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('lets the CLI add users and drive a package to release while it runs', { timeout: 240_000 }, async () => {
    const registry = await loadRegistry();
    // Acting commands go through the API with the user's token; `users add` prints it as the last line.
    for (const [name, role, stages] of [
      ['wang', 'editor', ''],
      ['zhao', 'reviewer', '初审'],
      ['qian', 'reviewer', '复审'],
      ['sun', 'reviewer', '终审'],
    ]) {
      const added = await runCli(['users', 'add', name!, '--role', role!, ...(stages ? ['--stages', stages] : [])], env);
      expect(added.code, added.stderr).toBe(0);
      tokens[name!] = added.stdout.trim().split('\n').at(-1)!;
    }
    const as = (name: string) => ({ ...env, GOVPUB_TOKEN: tokens[name]! });
    const token = (await runCli(['users', 'add', 'ops-li', '--role', 'ops'], env)).stdout.trim().split('\n').at(-1)!;
    const file = path.join(dataDir, 'package.json');
    // Portal and Weibo: the all-in-one start publishes to its local Weibo simulator.
    const portal = `portal:${registry.catalogue.find((i) => i.requiresInterpretation)!.portalColumnId}`;
    fs.writeFileSync(file, JSON.stringify(policyPackage(registry, { targets: [portal, 'weibo:blfb-wb'] })));
    const created = await runCli(['packages', 'create', '--file', file, '--json'], as('wang'));
    expect(created.code, created.stderr).toBe(0);
    const id = JSON.parse(created.stdout).id as string;
    expect((await runCli(['packages', 'submit', id], as('wang'))).stdout).toContain('in_review');
    const selfish = await runCli(['packages', 'decide', id, '--revision', '1', '--decision', 'approve'], as('qian'));
    expect(selfish.code).toBe(1);
    expect(selfish.stderr).toMatch(/you may decide only at: 复审 \(second\)\./);
    for (const reviewer of ['zhao', 'qian', 'sun']) {
      const decided = await runCli(['packages', 'decide', id, '--revision', '1', '--decision', 'approve', '--comment', '同意'], as(reviewer));
      expect(decided.code, decided.stderr).toBe(0);
    }
    let view: { status: string; deliveries: unknown[] } = { status: '', deliveries: [] };
    for (let i = 0; i < 200 && view.status !== 'released'; i++) {
      view = JSON.parse((await runCli(['packages', 'show', id, '--json'], as('wang'))).stdout);
      if (view.status !== 'released') await new Promise((r) => setTimeout(r, 300));
    }
    expect(view.status).toBe('released');
    expect(view.deliveries).toHaveLength(2);
    // The Weibo simulator holds the post; the portal serves the page under /portal/.
    const weibo = await fetch(`http://127.0.0.1:${env.GOVPUB_SIMULATOR_PORT ? Number(env.GOVPUB_SIMULATOR_PORT) + 1 : 7302}/__sim/publications`).then(
      (r) => r.json() as Promise<{ count: number }>,
    );
    expect(weibo.count).toBe(1);
    const page = await fetch(`http://127.0.0.1:${env.PORT}/portal/${portalPagePaths(id, 0).document}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('政策解读');
    // The same package through the HTTP API, with the token the CLI printed.
    const viaApi = (await fetch(`http://127.0.0.1:${env.PORT}/api/packages/${id}`, { headers: { authorization: `Bearer ${token}` } }).then((r) =>
      r.json(),
    )) as { status: string };
    expect(viaApi.status).toBe('released');
    const audit = JSON.parse((await runCli(['audit', '--package', id, '--json'], { ...env, GOVPUB_TOKEN: token })).stdout) as { action: string }[];
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['create', 'submit', 'approve', 'released']));

    // Retraction: the command says it has begun (the answer comes before the workflow takes it up), then it completes.
    const retracted = await runCli(['packages', 'retract', id, '--reason', '政策已调整'], as('sun'));
    expect(retracted.code, retracted.stderr).toBe(0);
    expect(retracted.stdout).toMatch(
      new RegExp(
        `^${id}: retraction begun at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\(Beijing time; reason: 政策已调整\\); every channel takes it down now`,
      ),
    );
    expect(retracted.stdout).toContain(`govpub packages show ${id}`);
    await expect
      .poll(async () => JSON.parse((await runCli(['packages', 'show', id, '--json'], as('wang'))).stdout).status, { timeout: 120_000 })
      .toBe('retracted');
    // The time said is the API's instant in Beijing time; `packages show` says when it was released and retracted, and why.
    const { retraction, releasedAt } = JSON.parse((await runCli(['packages', 'show', id, '--json'], as('wang'))).stdout) as {
      retraction: { at: string };
      releasedAt: string;
    };
    const inBeijing = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    expect(retracted.stdout).toContain(`retraction begun at ${inBeijing(retraction.at)} (Beijing time;`);
    const shown = await runCli(['packages', 'show', id], as('wang'));
    expect(shown.stdout).toContain(`  released at ${inBeijing(releasedAt)} (Beijing time)`);
    expect(shown.stdout).toContain(`  retraction asked at ${inBeijing(retraction.at)} (Beijing time), reason: 政策已调整`);
    const shownZh = await runCli(['packages', 'show', id], { ...as('wang'), GOVPUB_LANG: 'zh' });
    expect(shownZh.stdout).toContain(`  撤稿：${inBeijing(retraction.at)}（北京时间）申请，原因：政策已调整`);
  });

  it('a manual hand-off: deliveries bundle writes the bundle with its pictures, confirm --url makes it live', { timeout: 240_000 }, async () => {
    const registry = await loadRegistry();
    const as = (name: string) => ({ ...env, GOVPUB_TOKEN: tokens[name]! });
    const ops = (await runCli(['users', 'add', 'ops-zhang', '--role', 'ops'], env)).stdout.trim().split('\n').at(-1)!;
    const cover = await runCli(['media', 'add', path.join(ROOT_DIR, 'examples', 'media', 'cover.jpg'), '--json'], as('wang'));
    expect(cover.code, cover.stderr).toBe(0);
    const portal = `portal:${registry.catalogue.find((i) => i.requiresInterpretation)!.portalColumnId}`;
    const file = path.join(dataDir, 'handoff.json');
    const body = policyPackage(registry, { title: '关于做好冬季供暖保障工作的通知', targets: [portal, 'toutiao:blfb-tt'] });
    fs.writeFileSync(file, JSON.stringify({ ...body, cover: { mediaId: JSON.parse(cover.stdout).id, alt: '碑林区街景' } }));
    const created = await runCli(['packages', 'create', '--file', file, '--json'], as('wang'));
    expect(created.code, created.stderr).toBe(0);
    const id = JSON.parse(created.stdout).id as string;
    expect((await runCli(['packages', 'submit', id], as('wang'))).code).toBe(0);
    for (const reviewer of ['zhao', 'qian', 'sun'])
      expect((await runCli(['packages', 'decide', id, '--revision', '1', '--decision', 'approve'], as(reviewer))).code).toBe(0);
    const manual = async () =>
      (
        JSON.parse((await runCli(['deliveries', 'list', '--package', id, '--json'], { ...env, GOVPUB_TOKEN: ops })).stdout).items as {
          id: string;
          channelId: string;
          state: string;
        }[]
      ).find((d) => d.channelId === 'toutiao:blfb-tt');
    await expect.poll(async () => (await manual())?.state, { timeout: 120_000, interval: 500 }).toBe('awaiting_manual');
    const deliveryId = (await manual())!.id;
    // In Chinese the hand-off's task is named as the console names it, with its id.
    const shownZh = await runCli(['deliveries', 'show', deliveryId], { ...env, GOVPUB_TOKEN: ops, GOVPUB_LANG: 'zh' });
    expect(shownZh.stdout).toMatch(/^ {2}状态：待人工发布（awaiting_manual），任务：人工发布（manual_post），/m);
    // The pictures come from the API's rendition routes, which want the token like every /api route.
    const out = path.join(dataDir, 'bundle');
    const bundle = await runCli(['deliveries', 'bundle', deliveryId, '--out', out], { ...env, GOVPUB_TOKEN: ops });
    expect(bundle.code, bundle.stderr).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['封面.jpg', '标题.txt', '正文.html', '正文.txt', '说明.txt'].sort());
    expect(fs.statSync(path.join(out, '封面.jpg')).size).toBeGreaterThan(10_000);
    // --out a file, or under one: said as such, naming the path, never "unexpected error: EEXIST".
    const onFile = await runCli(['deliveries', 'bundle', deliveryId, '--out', path.join(out, '说明.txt')], { ...env, GOVPUB_TOKEN: ops });
    expect(onFile.code).toBe(1);
    expect(onFile.stderr).toContain(`--out ${path.join(out, '说明.txt')} is a file: give a directory for the bundle`);
    const underFile = await runCli(['deliveries', 'bundle', deliveryId, '--out', path.join(out, '说明.txt', 'sub')], {
      ...env,
      GOVPUB_TOKEN: ops,
      GOVPUB_LANG: 'zh',
    });
    expect(underFile.code).toBe(1);
    expect(underFile.stderr).toContain(`无法创建目录 ${path.join(out, '说明.txt', 'sub')}：路径中的某一段是文件而不是目录（ENOTDIR）`);
    expect(underFile.stderr).not.toMatch(/unexpected|意外错误/);
    const confirmed = await runCli(['deliveries', 'confirm', deliveryId, '--url', 'https://www.toutiao.com/article/7312345678901234567/'], {
      ...env,
      GOVPUB_TOKEN: ops,
    });
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(confirmed.stdout).toContain('state: live');
  });

  it(
    "acts only with a valid token: no token, a name typed where the token belongs, a rotated or a disabled user's token are refused",
    { timeout: 180_000 },
    async () => {
      const added = await runCli(['users', 'add', 'zhou', '--role', 'editor'], env);
      const token = added.stdout.trim().split('\n').at(-1)!;
      const none = await runCli(['packages', 'list'], { ...env, GOVPUB_TOKEN: '' });
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/--token or GOVPUB_TOKEN/);
      const asName = await runCli(['packages', 'list', '--token', 'zhou'], env);
      expect(asName.code).toBe(1);
      expect(asName.stderr).toMatch(/not a govpub API token: govpub tokens start with gp_/);
      expect(asName.stderr).not.toMatch(/zhou/);
      expect((await runCli(['packages', 'list', '--json'], { ...env, GOVPUB_TOKEN: token })).code).toBe(0);
      // --as is gone: naming a user is no credential.
      expect((await runCli(['packages', 'list', '--as', 'admin'], { ...env, GOVPUB_TOKEN: token })).code).not.toBe(0);

      const rotated = await runCli(['users', 'rotate-token', 'zhou'], env);
      expect(rotated.code, rotated.stderr).toBe(0);
      const fresh = rotated.stdout.trim().split('\n').at(-1)!;
      expect(fresh).not.toBe(token);
      expect((await runCli(['packages', 'list'], { ...env, GOVPUB_TOKEN: token })).code).toBe(1);
      expect((await runCli(['packages', 'list'], { ...env, GOVPUB_TOKEN: fresh })).code).toBe(0);

      expect((await runCli(['users', 'disable', 'zhou', '--reason', '调岗'], env)).code).toBe(0);
      const disabled = await runCli(['packages', 'list'], { ...env, GOVPUB_TOKEN: fresh });
      expect(disabled.code).toBe(1);
      expect(disabled.stderr).toMatch(/unknown or its user is disabled|disabled/);
      const audit = JSON.parse((await runCli(['audit', '--json', '--action', 'user_disabled'], { ...env, GOVPUB_TOKEN: tokens.wang! })).stdout) as {
        actor: string;
      }[];
      expect(audit[0]!.actor).toMatch(/^os:/);
    },
  );
});

describe('start-up refuses bad setups with one clear message and a non-zero exit', () => {
  it('a broken registry file: names the file, line and key', async () => {
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-badconfig-'));
    fs.cpSync(path.join(ROOT_DIR, 'config'), configDir, { recursive: true });
    const accounts = path.join(configDir, 'registry', 'accounts.yaml');
    fs.writeFileSync(accounts, fs.readFileSync(accounts, 'utf8').replace(/platform: weibo/, 'platform: weibo_typo'));
    const result = await runCli(['start'], { ...env, GOVPUB_CONFIG_DIR: configDir, GOVPUB_DATA_DIR: path.join(configDir, 'data') });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/accounts\.yaml:\d+: accounts\[\d+\]\.platform: .*weibo_typo/);
    fs.rmSync(configDir, { recursive: true, force: true });
  });

  it('an unreachable database or Temporal server', async () => {
    const db = await runCli(['start'], {
      ...env,
      GOVPUB_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-nodb-')),
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/govpub',
      // Ports of its own: the running start's are refused before the database is tried.
      PORT: String(await freePort()),
      GOVPUB_TEMPORAL_PORT: String(await freePort()),
      GOVPUB_TEMPORAL_UI_PORT: String(await freePort()),
      GOVPUB_SIMULATOR_PORT: String(await simulatorPortBase()),
    });
    expect(db.code).toBe(1);
    expect(db.stderr).toMatch(/Cannot reach the database at postgres:\/\/postgres@127\.0\.0\.1:1\/govpub/);
    const api = await runCli(['packages', 'list'], { ...env, GOVPUB_TOKEN: 'gp_x', GOVPUB_API_URL: 'http://127.0.0.1:1' });
    expect(api.code).toBe(1);
    expect(api.stderr).toMatch(/Cannot reach the govpub API at http:\/\/127\.0\.0\.1:1 .*govpub start/);
  });

  it('a production worker with platform secrets missing: names each secret, its account and YAML line', async () => {
    const result = await runCli(['worker'], { ...env, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/platform secrets are missing/);
    expect(result.stderr).toMatch(
      /WECHAT_OA_BLWHLY_APP_SECRET is not provided\. It is needed by account 碑林文化旅游 \(wechat_oa:blwhly\).*accounts\.yaml:\d+/,
    );
    // With every secret provided, the same worker gets past the check (and stops at the unreachable Temporal).
    const { collectSecretRefs } = await import('../../config/secrets.js');
    const { loadPlatformConfigs, platformSecretNames } = await import('../../config/platforms.js');
    // The accounts' secrets alone are not all: the media center's client secrets (platforms.yaml) are missing still.
    const accountSecrets = Object.fromEntries(collectSecretRefs(await loadRegistry()).map((u) => [u.secret, 'value-from-test']));
    const withoutPlatforms = await runCli(['worker'], { ...env, ...accountSecrets, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(withoutPlatforms.code).toBe(1);
    expect(withoutPlatforms.stderr).toMatch(/Secret NEWS_SITE_CLIENT_SECRET is not provided\. It is needed by every news_site channel/);
    const platformSecrets = Object.fromEntries(
      platformSecretNames(loadPlatformConfigs(path.join(ROOT_DIR, 'config'), { env: {} })).map((name) => [name, 'value-from-test']),
    );
    const secrets = { ...accountSecrets, ...platformSecrets };
    const provided = await runCli(['worker'], { ...env, ...secrets, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(provided.stderr).toMatch(/Cannot reach the Temporal server/);
    expect(provided.stderr).not.toContain('value-from-test');
  });

  it('a second start on the data directory of a running one: refused, naming the running process and its API; the first runs on', async () => {
    const recorded = fs.readFileSync(path.join(dataDir, 'run', 'api.json'), 'utf8');
    // Other ports, so it is the data directory that is refused, not a port.
    const ports = {
      PORT: String(await freePort()),
      GOVPUB_TEMPORAL_PORT: String(await freePort()),
      GOVPUB_TEMPORAL_UI_PORT: String(await freePort()),
      GOVPUB_SIMULATOR_PORT: String(await simulatorPortBase()),
    };
    const second = await runCli(['start'], { ...env, ...ports });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`govpub is already running on the data directory ${dataDir} (process ${child.pid}, API at http://127.0.0.1:${env.PORT})`);
    expect(second.stderr).toContain('GOVPUB_DATA_DIR=<another directory>');
    const inChinese = await runCli(['start'], { ...env, ...ports, GOVPUB_LANG: 'zh' });
    expect(inChinese.code).toBe(1);
    expect(inChinese.stderr).toContain(`govpub 已在数据目录 ${dataDir} 上运行（进程 ${child.pid}，API 地址 http://127.0.0.1:${env.PORT}），本次未启动`);
    // Nothing of the second came up or was overwritten: no dev server on its port, the first's records and API as they were.
    expect(fs.existsSync(path.join(dataDir, 'temporal-server.log'))).toBe(true);
    expect(await portAnswers(Number(ports.GOVPUB_TEMPORAL_PORT))).toBe(false);
    expect(fs.readFileSync(path.join(dataDir, 'run', 'api.json'), 'utf8')).toBe(recorded);
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'run', 'start.json'), 'utf8')).pid).toBe(child.pid);
    const health = await fetch(`http://127.0.0.1:${env.PORT}/healthz`).then((r) => r.json());
    expect(health).toMatchObject({ status: 'ok', database: 'ok', temporal: 'ok' });
  });

  it('a port in use', async () => {
    const result = await runCli(['start'], { ...env, GOVPUB_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-port-')) });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Port \d+ for .* is already in use/);
  });
});

describe('stopping', () => {
  it(
    'stops within 15 s on SIGTERM, exit code 0, while the console holds its event stream, a delivery is in flight at the platform and an upload is under way',
    { timeout: 180_000 },
    async () => {
      const registry = await loadRegistry();
      const user = async (name: string, role: string, stages = '') => {
        const added = await runCli(['users', 'add', name, '--role', role, ...(stages ? ['--stages', stages] : [])], env);
        expect(added.code, added.stderr).toBe(0);
        return added.stdout.trim().split('\n').at(-1)!;
      };
      const editor = await user('stop-editor', 'editor');
      const reviewers = [
        await user('stop-first', 'reviewer', '初审'),
        await user('stop-second', 'reviewer', '复审'),
        await user('stop-final', 'reviewer', '终审'),
      ];
      const ops = await user('stop-ops', 'ops');
      const api = (method: string, path: string, token: string, body?: unknown) =>
        fetch(`http://127.0.0.1:${env.PORT}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));

      // The console's live board: an event stream the server must end itself.
      const events = net.connect(Number(env.PORT), '127.0.0.1');
      events.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ops}\r\nAccept: text/event-stream\r\n\r\n`);
      let stream = '';
      events.on('data', (d) => (stream += d));
      await expect.poll(() => stream, { timeout: 10_000 }).toContain('text/event-stream');

      // Weibo holds the post's request without answering: the transmit is in flight at the stop.
      const weibo = `http://127.0.0.1:${Number(env.GOVPUB_SIMULATOR_PORT) + 1}`;
      const fault = await fetch(`${weibo}/__sim/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ match: '/2/statuses/share.json', kind: 'timeout', delayMs: 120_000, note: 'in flight at the stop' }),
      });
      expect(fault.status).toBe(200);
      const portal = `portal:${registry.catalogue.find((i) => i.requiresInterpretation)!.portalColumnId}`;
      const created = await api(
        'POST',
        '/api/packages',
        editor,
        policyPackage(registry, { title: '关于做好岁末年初安全生产工作的通知', targets: [portal, 'weibo:blfb-wb'] }),
      );
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      expect((await api('POST', `/api/packages/${id}/submit`, editor)).status).toBe(200);
      for (const reviewer of reviewers) {
        expect((await api('POST', `/api/packages/${id}/decisions`, reviewer, { decision: 'approve', revision: 1, comment: '同意' })).status).toBe(200);
      }
      await expect
        .poll(async () => (await api('GET', `/api/deliveries?package=${id}&channel=weibo%3Ablfb-wb`, ops)).body.items[0]?.state, {
          timeout: 60_000,
          interval: 300,
        })
        .toBe('transmitting');

      // An upload whose body is still arriving (a large video over a slow link).
      const upload = net.connect(Number(env.PORT), '127.0.0.1');
      upload.on('error', () => {});
      upload.write(
        `POST /api/media HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${editor}\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 50000000\r\n\r\n` +
          `--b\r\nContent-Disposition: form-data; name="file"; filename="clip.mp4"\r\nContent-Type: video/mp4\r\n\r\n` +
          'x'.repeat(64 * 1024),
      );
      await new Promise((r) => setTimeout(r, 1_000));

      const from = output.length;
      const stoppedAt = Date.now();
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      child.kill('SIGTERM');
      const exit = await exited;
      const seconds = (Date.now() - stoppedAt) / 1000;
      const said = output.slice(from);
      console.log(`govpub start stopped ${seconds.toFixed(1)} s after SIGTERM (exit ${exit.code ?? exit.signal}):\n${said}`);
      upload.destroy();
      events.destroy();
      expect(exit).toEqual({ code: 0, signal: null });
      expect(seconds).toBeLessThan(15);
      // It said what it was waiting for, and that it closed the upload's connection rather than wait for it.
      expect(said).toMatch(/stopping: still waiting for the API \(1 open connection; requests still running get 5 s\)/);
      expect(said).toMatch(/api: 1 connection still busy 5 s after the stop .*: closed/);
      expect(said).toContain('stopped.');
      // The event stream was ended by the server, not left to hang.
      expect(events.readableEnded || events.destroyed).toBe(true);
    },
  );
});
