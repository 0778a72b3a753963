/**
 * `govpub channels list --platform P`, as an operator types it: a platform that does not exist is
 * refused with the ones that do (it listed nothing and exited 0, as if the platform had no channels,
 * while every filter of the acting commands refuses an unknown value).
 */
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../config/registry.js';
import { channelsWithOwners } from '../../domain/units.js';
import { runCli } from '../support/cli.js';

describe('govpub channels list --platform', () => {
  it('lists the channels of a platform, and refuses one that is not a platform, naming the nearest', { timeout: 120_000 }, async () => {
    const registry = await loadRegistry();
    const [weibo, mistyped, upper, zh] = await Promise.all([
      runCli(['channels', 'list', '--platform', 'weibo', '--json'], {}),
      runCli(['channels', 'list', '--platform', 'wechat'], {}),
      runCli(['channels', 'list', '--platform', 'WECHAT_OA', '--json'], {}),
      runCli(['channels', 'list', '--platform', 'nope'], { GOVPUB_LANG: 'zh' }),
    ]);
    expect(weibo.code, weibo.stderr).toBe(0);
    const expected = channelsWithOwners(registry).filter((c) => c.platform === 'weibo');
    expect(expected.length).toBeGreaterThan(0);
    expect((JSON.parse(weibo.stdout) as { id: string }[]).map((c) => c.id)).toEqual(expected.map((c) => c.id));

    expect(mistyped.code).toBe(1);
    expect(mistyped.stdout).toBe('');
    expect(mistyped.stderr).toContain('--platform "wechat" is not a platform (did you mean wechat_oa?); use one of portal, wechat_oa, weibo,');
    expect(upper.code).toBe(1);
    expect(JSON.parse(upper.stdout)).toMatchObject({ error: { code: 'invalid_arguments', message: expect.stringContaining('(did you mean wechat_oa?)') } });
    expect(zh.code).toBe(1);
    expect(zh.stderr).toContain('--platform "nope" 不是平台名称；可用：portal、wechat_oa、');
  });

  it('marks a portal column with sub-columns as no target, in the table and the JSON', { timeout: 120_000 }, async () => {
    const [table, zh, json] = await Promise.all([
      runCli(['channels', 'list', '--platform', 'portal'], {}),
      runCli(['channels', 'list', '--platform', 'portal'], { GOVPUB_LANG: 'zh' }),
      runCli(['channels', 'list', '--platform', 'portal', '--json'], {}),
    ]);
    for (const run of [table, zh, json]) expect(run.code, run.stderr).toBe(0);
    const line = (out: string, id: string) => out.split('\n').find((l) => l.startsWith(`${id} `)) ?? '';
    // 新闻动态 lists 碑林要闻 and the others; 碑林要闻 is a leaf.
    expect(line(table.stdout, 'portal:xwdt')).toContain('(has sub-columns: target one of them)');
    expect(line(table.stdout, 'portal:xwdt-blyw')).not.toContain('sub-columns');
    expect(line(zh.stdout, 'portal:xwdt')).toContain('（含下级栏目：请选择其下级栏目发布）');
    const listed = JSON.parse(json.stdout) as { id: string; name: string; hasSubColumns?: boolean }[];
    const parent = listed.find((c) => c.id === 'portal:xwdt');
    expect(parent).toMatchObject({ hasSubColumns: true, name: '新闻动态' });
    expect(listed.find((c) => c.id === 'portal:xwdt-blyw')?.hasSubColumns).toBeUndefined();
    expect(listed.filter((c) => c.hasSubColumns)).toHaveLength(66);
  });
});
