// The config check refuses an account published through the API on a platform without an API adapter (Xiaohongshu, Toutiao, WeChat Channels).
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PLATFORM_DECLARATIONS } from '../../adapters/declarations.js';
import { createChannelAdapters } from '../../adapters/index.js';
import { accountAdapterProblem } from '../../config/account-adapters.js';
import { REPO_ROOT, loadRegistry } from '../../config/registry.js';
import { ConfigError } from '../../domain/errors.js';
import { ACCOUNT_PLATFORMS, channelId, type Channel } from '../../domain/registry.js';
import { writeFixture } from './registry-fixture.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('an account published through the API needs an API adapter', () => {
  it('refuses publishing: api on Xiaohongshu at load time, with file, line and the way out', async () => {
    // The fixture's third account (lines 18–22) moved to Xiaohongshu, published through the API, with a secret.
    const dir = writeFixture({
      lines: { 'accounts.yaml': { 20: '    platform: xiaohongshu', 22: '    publishing: api\n    credentials: { appSecret: { secret: XHS_SECRET } }' } },
    });
    dirs.push(dir);
    const error = await loadRegistry(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      {
        file: expect.stringMatching(/accounts\.yaml$/),
        line: 22,
        path: 'accounts[2].publishing',
        message: 'xiaohongshu has no public publishing API; use publishing: manual (a person posts the prepared bundle)',
      },
    ]);
  });

  it('accepts publishing: manual on Xiaohongshu', async () => {
    const dir = writeFixture({ lines: { 'accounts.yaml': { 20: '    platform: xiaohongshu' } } });
    dirs.push(dir);
    const registry = await loadRegistry(dir);
    expect(registry.accounts.find((a) => a.platform === 'xiaohongshu')?.publishing).toBe('manual');
  });

  it('answers for every account platform as its adapter publishes', () => {
    const adapterFor = createChannelAdapters({ portal: { webRoot: '/nonexistent', publicBaseUrl: 'https://www.beilin.gov.cn' }, mediaCenterColumns: [] });
    for (const platform of ACCOUNT_PLATFORMS) {
      const channel: Channel = { id: channelId(platform, 'x'), platform, kind: 'new_media_account', name: 'x', publishing: 'api', ref: 'x' };
      const byApi = adapterFor(channel).capabilities.publishing === 'api';
      expect(accountAdapterProblem(platform, 'api') === undefined, platform).toBe(byApi);
      expect(accountAdapterProblem(platform, 'manual'), platform).toBeUndefined();
    }
  });

  it('every declaration gets an adapter that publishes and deletes as the declaration says', () => {
    const adapterFor = createChannelAdapters({ portal: { webRoot: '/nonexistent', publicBaseUrl: 'https://www.beilin.gov.cn' }, mediaCenterColumns: [] });
    for (const d of PLATFORM_DECLARATIONS) {
      const adapter = adapterFor({ id: channelId(d.id, 'x'), platform: d.id, kind: d.channelKind, name: 'x', publishing: d.publishing, ref: 'x' });
      expect(adapter.platform, d.id).toBe(d.id);
      expect(adapter.capabilities.publishing, d.id).toBe(d.publishing);
      expect(adapter.capabilities.canDelete, d.id).toBe(d.canDelete);
      expect(adapter.takeDown !== undefined, d.id).toBe(d.canDelete);
    }
  });
});

describe('the platform declarations stay pure (domain/registry.ts imports them, and it runs inside Temporal workflows)', () => {
  it('import nothing but types and the declaration files', () => {
    const dir = path.join(REPO_ROOT, 'adapters');
    const files = [
      'declarations.ts',
      'platform-declaration.ts',
      ...readdirSync(dir)
        .filter((f) => existsSync(path.join(dir, f, 'declaration.ts')))
        .map((f) => `${f}/declaration.ts`),
    ];
    expect(files.length).toBeGreaterThanOrEqual(PLATFORM_DECLARATIONS.length - 1);
    const valueImportsOf = (file: string) =>
      [...readFileSync(path.join(dir, file), 'utf8').matchAll(/^import (?!type )[^;]* from '([^']+)';$/gm)].map((m) => m[1]!);
    for (const file of files) {
      // platform-declaration.ts is itself checked here, so its shared facts may be imported; so are
      // the platform's post-link rule (./post-links.js) and the refusals it is written with, below.
      for (const from of valueImportsOf(file)) expect(from, file).toMatch(/^(\.\/[a-z-]+\/declaration|\.\.\/platform-declaration|\.\/post-links)\.js$/);
    }
    const rules = readdirSync(dir)
      .filter((f) => existsSync(path.join(dir, f, 'post-links.ts')))
      .map((f) => `${f}/post-links.ts`);
    expect(rules.length).toBeGreaterThanOrEqual(9);
    for (const file of rules) for (const from of valueImportsOf(file)) expect(from, file).toBe('../post-link-refusals.js');
    expect(valueImportsOf('post-link-refusals.ts')).toEqual([]);
  });
});
