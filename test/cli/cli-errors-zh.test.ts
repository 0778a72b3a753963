/**
 * The CLI's errors with GOVPUB_LANG=zh. An error thrown without a Chinese sentence of its own got
 * only its code's general one ("环境变量设置有误。请按提示修正或取消该设置。"): which variable, which
 * value, which address was lost, and the "提示" it points to was never shown.
 */
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
  });
});
