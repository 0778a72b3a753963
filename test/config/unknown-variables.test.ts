/**
 * A mistyped GOVPUB_* variable is named with the setting it most likely means: `GOVPUB_DATADIR=/srv/govpub
 * npm start` ran on ./.govpub, and `GOVPUB_TOKN=… govpub packages list` said only that no token was given.
 */
import { describe, expect, it } from 'vitest';
import { PLATFORMS } from '../../domain/registry.js';
import { GOVPUB_VARIABLES, unknownGovpubVariables } from '../../config/unknown-variables.js';
import { runCli } from '../support/cli.js';

describe('GOVPUB_* variables govpub does not read', () => {
  it('are found with the nearest setting; settings, platform base URLs and secrets named GOVPUB_… are not', () => {
    const env = {
      GOVPUB_DATADIR: '/srv/govpub',
      GOVPUB_TOKN: 'gp_x',
      GOVPUB_WEIBO_BASEURL: 'http://127.0.0.1:1',
      GOVPUB_SOMETHING_ELSE_ENTIRELY: '1',
      GOVPUB_DATA_DIR: '/srv/govpub',
      GOVPUB_WECHAT_OA_BASE_URL: 'http://127.0.0.1:2',
      GOVPUB_SMTP_PASSWORD_SECRET: 'GOVPUB_SMTP_PASSWORD',
      GOVPUB_SMTP_PASSWORD: 'named by the setting above',
      GOVPUB_ACCOUNT_SECRET: 'named in accounts.yaml',
      PATH: '/usr/bin',
    };
    expect(unknownGovpubVariables(env, { platforms: PLATFORMS, secrets: ['GOVPUB_ACCOUNT_SECRET'] })).toEqual([
      { name: 'GOVPUB_DATADIR', near: 'GOVPUB_DATA_DIR' },
      { name: 'GOVPUB_SOMETHING_ELSE_ENTIRELY', near: undefined },
      { name: 'GOVPUB_TOKN', near: 'GOVPUB_TOKEN' },
      { name: 'GOVPUB_WEIBO_BASEURL', near: 'GOVPUB_WEIBO_BASE_URL' },
    ]);
  });

  it('the list holds every GOVPUB_ variable the README documents', async () => {
    const { readFile } = await import('node:fs/promises');
    const { ROOT_DIR } = await import('../../config/settings.js');
    const readme = await readFile(`${ROOT_DIR}/README.md`, 'utf8');
    const documented = new Set([...readme.matchAll(/`(GOVPUB_[A-Z0-9_]+)`/g)].map((m) => m[1]!).filter((n) => !n.endsWith('_')));
    documented.delete('GOVPUB_WECHAT_OA_BASE_URL');
    // The README's example of a typo.
    documented.delete('GOVPUB_DATADIR');
    expect([...documented].filter((name) => !GOVPUB_VARIABLES.includes(name))).toEqual([]);
  });

  it('the list holds every GOVPUB_ variable the code reads (a new setting left off it would be warned about as a typo)', async () => {
    const { readFile, readdir } = await import('node:fs/promises');
    const { ROOT_DIR } = await import('../../config/settings.js');
    const sourceDirs = [
      'bin',
      'cli',
      'config',
      'api',
      'services',
      'db',
      'activities',
      'adapters',
      'worker',
      'workflows',
      'runtime',
      'media',
      'simulators',
      'bench',
      'domain',
    ];
    const read = new Set<string>();
    for (const dir of sourceDirs) {
      for (const entry of await readdir(`${ROOT_DIR}/${dir}`, { recursive: true })) {
        if (!/\.(ts|mjs)$/.test(entry)) continue;
        const text = await readFile(`${ROOT_DIR}/${dir}/${entry}`, 'utf8');
        // A variable read by name: env.GOVPUB_X, env['GOVPUB_X'], or the name as a string ('GOVPUB_X').
        for (const m of text.matchAll(/(?:env\.|env\[['"]|['"`])(GOVPUB_[A-Z0-9_]+)\b/g)) read.add(m[1]!);
      }
    }
    // Each platform's base URL is a setting by pattern (GOVPUB_<PLATFORM>_BASE_URL), not by name.
    read.delete('GOVPUB_WECHAT_OA_BASE_URL');
    // The typo the module's own comment gives as its example.
    read.delete('GOVPUB_DATADIR');
    expect(read.size).toBeGreaterThan(40);
    expect([...read].filter((name) => !GOVPUB_VARIABLES.includes(name)).sort()).toEqual([]);
  });

  it('every command names them on stderr, in Chinese with GOVPUB_LANG=zh, and still runs', { timeout: 120_000 }, async () => {
    const [english, chinese] = await Promise.all([
      runCli(['channels', 'list', '--platform', 'weibo', '--json'], { GOVPUB_DATADIR: '/srv/govpub', GOVPUB_WEIBO_BASE_URL: 'http://127.0.0.1:1' }),
      runCli(['channels', 'list', '--platform', 'weibo', '--json'], { GOVPUB_DATADIR: '/srv/govpub', GOVPUB_LANG: 'zh' }),
    ]);
    expect(english.code, english.stderr).toBe(0);
    expect(JSON.parse(english.stdout)).not.toHaveLength(0);
    // Its first line, once (the command's own note that pauses are not shown without a token follows).
    const warning =
      'govpub: warning: GOVPUB_DATADIR is not a govpub setting, so it changes nothing (did you mean GOVPUB_DATA_DIR?); README "Configuration" lists the settings.\n';
    expect(english.stderr.startsWith(warning), english.stderr).toBe(true);
    expect(english.stderr.split('GOVPUB_DATADIR')).toHaveLength(2);
    expect(chinese.code, chinese.stderr).toBe(0);
    expect(chinese.stderr).toContain('警告：环境变量 GOVPUB_DATADIR 不是 govpub 的设置，不起作用（是否要设置 GOVPUB_DATA_DIR？）');
  });
});
