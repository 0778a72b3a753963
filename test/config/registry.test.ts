import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GovpubError } from '../../domain/errors.js';
import { ACCOUNT_PLATFORMS, catalogueItem, findChannel, listChannels, parseChannelId, stagesFor, type Registry } from '../../domain/registry.js';
import { DEFAULT_REGISTRY_DIR, REPO_ROOT, loadRegistry, loadRegistrySync, registryDigest, registrySource } from '../../config/registry.js';

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry();
});

const tmpDirs: string[] = [];
afterAll(() => {
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

const THIRTEEN_ELEMENTS = [
  'category',
  'name',
  'content',
  'basis',
  'subject',
  'responsibleDepartment',
  'responsibleSection',
  'timeLimit',
  'audience',
  'channels',
  'method',
  'attribute',
  'portalColumnId',
] as const;

describe('Beilin registry: portal', () => {
  it('has 326 columns, 17 of them key areas', () => {
    expect(registry.portal.columns).toHaveLength(326);
    const keyAreas = registry.portal.columns.filter((c) => c.keyArea);
    expect(keyAreas).toHaveLength(17);
    for (const name of ['重大建设项目', '公共资源配置', '财政预决算', '安全生产', '义务教育', '社会救助', '就业']) {
      expect(keyAreas.map((c) => c.name)).toContain(name);
    }
  });

  it('gives each key area an update class and sub-columns, under one 重点领域 column', () => {
    const keyAreas = registry.portal.columns.filter((c) => c.keyArea);
    const parents = new Set(keyAreas.map((c) => c.parentId));
    expect(parents.size).toBe(1);
    for (const area of keyAreas) {
      expect(['news_dynamic', 'notice_policy', 'other']).toContain(area.updateClass);
      expect(registry.portal.columns.filter((c) => c.parentId === area.id).length).toBeGreaterThan(0);
    }
  });

  it('is a consistent tree: parents exist, paths follow the parents, ids are unique ASCII slugs', () => {
    const byId = new Map(registry.portal.columns.map((c) => [c.id, c]));
    expect(byId.size).toBe(326);
    for (const column of registry.portal.columns) {
      expect(column.id).toMatch(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/);
      if (column.parentId === null) {
        expect(column.path).toEqual([column.name]);
      } else {
        const parent = byId.get(column.parentId);
        expect(parent, `parent of ${column.id}`).toBeDefined();
        expect(column.path).toEqual([...parent!.path, column.name]);
      }
    }
    expect(byId.get('zwgk-zcwj-qzfwj')?.path).toEqual(['政府信息公开', '法定主动公开内容', '政策文件', '区政府文件']);
    expect(byId.get('xwdt-blyw')?.path).toEqual(['新闻动态', '碑林要闻']);
    expect(byId.get('xwdt-blyw')?.updateClass).toBe('news_dynamic');
  });

  it('has columns for the 8 street offices', () => {
    const streets = registry.portal.columns.filter((c) => c.parentId === 'jd');
    expect(streets.map((c) => c.name)).toEqual([
      '南院门街道办事处',
      '柏树林街道办事处',
      '长乐坊街道办事处',
      '东关南街街道办事处',
      '太乙路街道办事处',
      '文艺路街道办事处',
      '长安路街道办事处',
      '张家村街道办事处',
    ]);
  });
});

describe('Beilin registry: new-media accounts', () => {
  it('has 23 accounts including 碑林文化旅游 and 碑林人社', () => {
    expect(registry.accounts).toHaveLength(23);
    const names = registry.accounts.map((a) => a.name);
    expect(names).toContain('碑林文化旅游');
    expect(names).toContain('碑林人社');
    expect(registry.accounts.find((a) => a.id === 'blwhly')).toMatchObject({
      platform: 'wechat_oa',
      ownerUnit: '区文化和旅游体育局',
      credentials: { appSecret: { secret: 'WECHAT_OA_BLWHLY_APP_SECRET' } },
    });
  });

  it('is WeChat-heavy and covers the main platforms', () => {
    const count = (p: string) => registry.accounts.filter((a) => a.platform === p).length;
    expect(count('wechat_oa')).toBeGreaterThanOrEqual(14);
    expect(count('wechat_oa')).toBeLessThanOrEqual(16);
    for (const p of ['weibo', 'douyin', 'toutiao', 'kuaishou', 'bilibili', 'wechat_channels']) {
      expect(count(p), p).toBeGreaterThan(0);
    }
    for (const a of registry.accounts) expect(ACCOUNT_PLATFORMS as readonly string[]).toContain(a.platform);
  });

  it('publishes by API except on Toutiao and WeChat Channels, and names secrets for every API account', () => {
    for (const a of registry.accounts) {
      const manual = a.platform === 'toutiao' || a.platform === 'wechat_channels';
      expect(a.publishing, a.id).toBe(manual ? 'manual' : 'api');
      expect(a.ownerUnit.length).toBeGreaterThan(0);
      if (!manual) {
        const secrets = Object.values(a.credentials).filter((v) => typeof v !== 'string');
        expect(secrets.length, a.id).toBeGreaterThan(0);
      }
    }
  });

  it('keeps no secret values in the repository YAML', () => {
    const text = readFileSync(path.join(DEFAULT_REGISTRY_DIR, 'accounts.yaml'), 'utf8');
    for (const line of text.split('\n')) {
      if (/^\s*#/.test(line)) continue;
      if (/(secret|token|password)\w*\s*:/i.test(line)) expect(line).toMatch(/\{ secret: [A-Z][A-Z0-9_]* \}/);
    }
  });
});

describe('Beilin registry: media center', () => {
  it('has 16 news-site columns and 11 app columns', () => {
    const site = registry.mediaCenter.columns.filter((c) => c.system === 'news_site');
    const app = registry.mediaCenter.columns.filter((c) => c.system === 'media_app');
    expect(site).toHaveLength(16);
    expect(app).toHaveLength(11);
    const kinds = new Set(registry.mediaCenter.columns.flatMap((c) => c.contentKinds));
    expect([...kinds].sort()).toEqual(['graphic', 'promo', 'short_video', 'video']);
  });
});

describe('Beilin registry: disclosure catalogue', () => {
  it('has at least 40 items, each with all 13 elements filled in', () => {
    expect(registry.catalogue.length).toBeGreaterThanOrEqual(40);
    for (const item of registry.catalogue) {
      for (const key of THIRTEEN_ELEMENTS) {
        const value = item[key];
        if (Array.isArray(value)) {
          expect(value.length, `${item.id}.${key}`).toBeGreaterThan(0);
          for (const v of value) expect(v.trim().length, `${item.id}.${key}`).toBeGreaterThan(0);
        } else {
          expect(String(value).trim().length, `${item.id}.${key}`).toBeGreaterThan(0);
        }
      }
    }
  });

  it('maps every item to an existing portal column and a configured review class', () => {
    const columns = new Set(registry.portal.columns.map((c) => c.id));
    for (const item of registry.catalogue) {
      expect(columns.has(item.portalColumnId), `${item.id} → ${item.portalColumnId}`).toBe(true);
      expect(stagesFor(registry, item.contentClass).length, item.id).toBeGreaterThan(0);
    }
  });

  it('has policy documents requiring interpretation, and both disclosure attributes', () => {
    const needing = registry.catalogue.filter((i) => i.requiresInterpretation);
    expect(needing.length).toBeGreaterThanOrEqual(5);
    for (const item of needing) expect(item.contentClass).toBe('policy');
    expect(registry.catalogue.some((i) => i.attribute === 'on_request')).toBe(true);
    expect(registry.catalogue.some((i) => i.timeLimit.includes('自信息形成或变更之日起20个工作日内'))).toBe(true);
    expect(catalogueItem(registry, 'qzf-gfxwj')).toMatchObject({ contentClass: 'policy', requiresInterpretation: true, portalColumnId: 'zwgk-zcwj-gfxwj' });
    expect(catalogueItem(registry, 'nope')).toBeUndefined();
  });
});

describe('Beilin registry: review', () => {
  it('runs 初审 → 复审 → 终审 for policy and fewer stages for some classes', () => {
    expect(stagesFor(registry, 'policy').map((s) => s.name)).toEqual(['初审', '复审', '终审']);
    expect(stagesFor(registry, 'policy').map((s) => s.id)).toEqual(['first', 'second', 'final']);
    expect(stagesFor(registry, 'notice').map((s) => s.name)).toEqual(['初审', '终审']);
    for (const stage of registry.review.stages) expect(stage.roles.length).toBeGreaterThan(0);
  });

  it('refuses an unknown content class instead of returning no stages', () => {
    expect(() => stagesFor(registry, 'polcy')).toThrow(GovpubError);
    try {
      stagesFor(registry, 'polcy');
    } catch (err) {
      expect((err as GovpubError).code).toBe('unknown_content_class');
      expect((err as Error).message).toContain('"polcy"');
    }
  });
});

describe('channels', () => {
  it('lists every column and account once, with unique ids', () => {
    const channels = listChannels(registry);
    expect(channels).toHaveLength(326 + 23 + 16 + 11);
    expect(new Set(channels.map((c) => c.id)).size).toBe(channels.length);
    for (const c of channels) {
      expect(c.id).toBe(`${c.platform}:${c.ref}`);
      expect(parseChannelId(c.id)).toEqual({ platform: c.platform, ref: c.ref });
      expect(findChannel(registry, c.id)).toEqual(c);
    }
  });

  it('finds channels by id', () => {
    expect(findChannel(registry, 'portal:zwgk-zcwj')).toMatchObject({ kind: 'portal_column', publishing: 'api', ref: 'zwgk-zcwj', hasSubColumns: true });
    expect(findChannel(registry, 'portal:zwgk-zcwj-gfxwj')).not.toHaveProperty('hasSubColumns');
    // The same in the list: 66 of the 326 columns have sub-columns.
    expect(listChannels(registry).filter((c) => c.hasSubColumns).length).toBe(66);
    expect(findChannel(registry, 'wechat_oa:blwhly')).toMatchObject({
      kind: 'new_media_account',
      name: '碑林文化旅游',
      ownerUnit: '区文化和旅游体育局',
      publishing: 'api',
    });
    expect(findChannel(registry, 'toutiao:blfb-tt')).toMatchObject({ publishing: 'manual' });
    expect(findChannel(registry, 'news_site:blxw')).toMatchObject({ kind: 'media_center_column', name: '碑林新闻' });
    expect(findChannel(registry, 'media_app:zwgk')).toMatchObject({ kind: 'media_center_column', name: '政务公开' });
    expect(findChannel(registry, 'weibo:blwhly')).toBeUndefined(); // right account, wrong platform
    expect(findChannel(registry, 'portal:nope')).toBeUndefined();
    expect(findChannel(registry, 'nonsense')).toBeUndefined();
  });
});

describe('loading', () => {
  it('is the same sync and async, deeply frozen, and remembers where things are', () => {
    expect(loadRegistrySync()).toEqual(registry);
    expect(Object.isFrozen(registry)).toBe(true);
    expect(Object.isFrozen(registry.accounts[0]!.credentials)).toBe(true);
    const source = registrySource(registry)!;
    expect(source.files.accounts).toBe('config/registry/accounts.yaml');
    const text = readFileSync(path.join(REPO_ROOT, source.files.accounts), 'utf8').split('\n');
    const index = registry.accounts.findIndex((a) => a.id === 'blwhly');
    const line = source.lineOf('accounts', `accounts[${index}].credentials.appSecret`)!;
    expect(text[line - 1]).toContain('WECHAT_OA_BLWHLY_APP_SECRET');
  });

  it('builds the same files once per process, and again once one of them changed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'govpub-registry-memo-'));
    tmpDirs.push(dir);
    cpSync(DEFAULT_REGISTRY_DIR, dir, { recursive: true });
    const first = loadRegistrySync(dir);
    expect(await loadRegistry(dir)).toBe(first);
    const file = path.join(dir, 'media-center.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('name: 碑林新闻', 'name: 碑林新闻网'));
    const edited = await loadRegistry(dir);
    expect(edited).not.toBe(first);
    expect(edited.mediaCenter.columns.find((c) => c.id === 'blxw')?.name).toBe('碑林新闻网');
    expect(first.mediaCenter.columns.find((c) => c.id === 'blxw')?.name).toBe('碑林新闻');
    // A file broken after a good load is reported, not answered from the earlier build.
    writeFileSync(file, readFileSync(file, 'utf8').replace('contentKinds: [graphic, video]', 'contentKinds: [graphic, hologram]'));
    expect(() => loadRegistrySync(dir)).toThrow(/media-center\.yaml:\d+/);
  });

  it('keeps domain/registry.ts free of node imports (it runs inside Temporal workflows)', () => {
    const source = readFileSync(path.join(REPO_ROOT, 'domain', 'registry.ts'), 'utf8');
    // Type-only imports are erased before anything runs.
    const imports = [...source.matchAll(/^import (?!type ).* from '([^']+)';$/gm)].map((m) => m[1]);
    expect(imports).toEqual(['../adapters/declarations.js', './errors.js']); // the declarations: pure data (test/config/account-adapters.test.ts)
  });
});

describe('registryDigest', () => {
  function copy(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'govpub-digest-'));
    tmpDirs.push(dir);
    cpSync(DEFAULT_REGISTRY_DIR, dir, { recursive: true });
    return dir;
  }

  it('is a stable SHA-256 hex of the content, not of the formatting', async () => {
    const digest = registryDigest(registry);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(registryDigest(await loadRegistry())).toBe(digest);
    expect(registryDigest(structuredClone(registry))).toBe(digest);

    const dir = copy();
    const file = path.join(dir, 'media-center.yaml');
    // Comments and flow vs block style do not change the digest.
    const reformatted = readFileSync(file, 'utf8')
      .replace('# SAMPLE DATA', '# (comment edited) SAMPLE DATA')
      .replace(
        '    - { id: blxw, name: 碑林新闻, contentKinds: [graphic, video] }',
        '    - id: blxw\n      name: 碑林新闻\n      contentKinds:\n        - graphic\n        - video',
      );
    writeFileSync(file, reformatted);
    expect(registryDigest(await loadRegistry(dir))).toBe(digest);
  });

  it('changes when a value changes', async () => {
    const dir = copy();
    const file = path.join(dir, 'accounts.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('name: 碑林人社', 'name: 碑林人社服务'));
    expect(registryDigest(await loadRegistry(dir))).not.toBe(registryDigest(registry));
  });
});
