/**
 * The CLI's errors with GOVPUB_LANG=zh. An error thrown without a Chinese sentence of its own got
 * only its code's general one ("环境变量设置有误。请按提示修正或取消该设置。"): which variable, which
 * value, which address was lost, and the "提示" it points to was never shown.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('CLI errors in Chinese', () => {
  it('keep what the English sentence names when the error has no Chinese sentence of its own', { timeout: 120_000 }, async () => {
    const [port, api, own] = await Promise.all([
      runCli(['channels', 'list'], { GOVPUB_LANG: 'zh', PORT: '80a' }),
      runCli(['packages', 'list', '--api', 'http://127.0.0.1:1', '--token', 'gp_not-a-real-token'], { GOVPUB_LANG: 'zh' }),
      runCli(['channels', 'list', '--platform', 'nope'], { GOVPUB_LANG: 'zh' }),
    ]);
    expect(port.code).toBe(1);
    expect(port.stderr).toBe('govpub: 环境变量设置有误。请按提示修正或取消该设置。\n  PORT=80a is not a valid port number (0-65535). Fix or unset PORT.\n');
    expect(api.code).toBe(1);
    expect(api.stderr).toMatch(/^govpub: 无法连接 govpub API。.*\n {2}Cannot reach the govpub API at http:\/\/127\.0\.0\.1:1 /);
    // One with its own Chinese sentence says it alone.
    expect(own.code).toBe(1);
    expect(own.stderr).toMatch(/^govpub: --platform "nope" 不是平台名称；可用：[^\n]*\n$/);
    // What a new user meets first: no token, a mistyped API address, a log level. Each in Chinese alone.
    const [noToken, badApi, logLevel] = await Promise.all([
      runCli(['packages', 'list'], { GOVPUB_LANG: 'zh', GOVPUB_TOKEN: '' }),
      runCli(['packages', 'list', '--token', 'x', '--api', 'ftp://a'], { GOVPUB_LANG: 'zh' }),
      runCli(['packages', 'list'], { GOVPUB_LANG: 'zh', GOVPUB_LOG_LEVEL: 'loud' }),
    ]);
    expect(noToken.stderr).toMatch(/^govpub: 此命令以您的身份调用 API：请用 --token 或 GOVPUB_TOKEN 提供您的 API 令牌。[^\n]*\n$/);
    expect(badApi.stderr).toBe('govpub: API 地址（--api 或 GOVPUB_API_URL）不是 http(s) 地址；请写作 http://主机:端口。\n');
    expect(logLevel.stderr).toBe('govpub: GOVPUB_LOG_LEVEL=loud 应为 debug、info、warn、error 之一。\n');
  });

  it(
    'usage errors (an unknown command or option, a missing option, a bad choice) are Chinese too: Commander wrote them in English',
    { timeout: 120_000 },
    async () => {
      const zh = { GOVPUB_LANG: 'zh' };
      const [command, option, required, choice, extra, english] = await Promise.all([
        runCli(['packages', 'lsit'], zh),
        runCli(['packages', 'list', '--stauts', 'in_review'], zh),
        runCli(['users', 'add', 'wang'], zh),
        runCli(['packages', 'decide', 'pkg-1', '--revision', '1', '--decision', 'maybe'], zh),
        runCli(['packages', 'list', 'in_review'], zh),
        runCli(['packages', 'lsit'], {}),
      ]);
      const hint = '（运行时加 --help 可查看用法）\n';
      expect(command.code).toBe(2);
      expect(command.stderr).toBe(`错误：没有命令 lsit。\n（是否想用 list？）\n${hint}`);
      expect(option.code).toBe(2);
      expect(option.stderr).toBe(`错误：没有选项 --stauts。\n（是否想用 --status？）\n${hint}`);
      expect(required.code).toBe(2);
      expect(required.stderr).toBe(`错误：缺少必需的选项 --role <role>。\n${hint}`);
      expect(choice.code).toBe(2);
      expect(choice.stderr).toBe(`错误：选项 --decision <decision> 的取值「maybe」无效，可选：approve、reject。\n${hint}`);
      expect(extra.code).toBe(2);
      expect(extra.stderr).toBe(`错误：命令 list 的参数过多：应为 0 个，实际 1 个。\n${hint}`);
      // Without GOVPUB_LANG, as Commander says it.
      expect(english.code).toBe(2);
      expect(english.stderr).toBe("error: unknown command 'lsit'\n(Did you mean list?)\n(run with --help for usage)\n");
    },
  );

  it(
    'a second users add of one name: the Chinese sentence names the user in the command it suggests, as the English one does',
    { timeout: 120_000 },
    async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'govpub-zh-user-exists-'));
      try {
        const env = { GOVPUB_DATA_DIR: dataDir, DATABASE_URL: '' };
        expect((await runCli(['users', 'add', 'wang.wei', '--role', 'editor'], env)).code).toBe(0);
        const again = await runCli(['users', 'add', 'wang.wei', '--role', 'editor'], { ...env, GOVPUB_LANG: 'zh' });
        expect(again.code).toBe(1);
        expect(again.stderr).toContain('用户名 wang.wei 已存在');
        expect(again.stderr).toContain('govpub users rotate-token wang.wei');
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});
