import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../domain/errors.js';
import { DEFAULT_REGISTRY_DIR, REPO_ROOT, loadRegistry, loadRegistrySync } from '../../config/registry.js';
import { writeFixture, type FixtureEdits } from './registry-fixture.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function fixture(edits: FixtureEdits = {}, parent?: string): string {
  const dir = writeFixture(edits, parent);
  dirs.push(dir);
  return dir;
}

/** Loads and returns the ConfigError's message lines (without the header). */
async function problems(dir: string): Promise<string[]> {
  try {
    await loadRegistry(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.code).toBe('config_invalid');
    const lines = e.message.split('\n');
    expect(lines[0]).toBe(`Configuration is invalid (${e.issues.length} problem${e.issues.length === 1 ? '' : 's'}):`);
    return lines.slice(1).map((l) => l.trim());
  }
  throw new Error(`expected ${dir} to be rejected`);
}

describe('registry loader: one mistake, one problem', () => {
  it('a units.yaml that fails names its own problem, not every unit of index-numbers.yaml as unknown', async () => {
    const dir = fixture({ lines: { 'units.yaml': { 2: '  - { id: zfb, name: 区政府办公室x }' } } });
    const found = await problems(dir);
    expect(found.some((l) => l.includes('units.yaml'))).toBe(true);
    expect(found.filter((l) => l.includes('index-numbers.yaml'))).toEqual([]);
    // The organ codes are still checked.
    const bad = fixture({ lines: { 'units.yaml': { 2: '  - { id: zfb, name: 区政府办公室x }' }, 'index-numbers.yaml': { 4: '  wlj: "12"' } } });
    expect((await problems(bad)).filter((l) => l.includes('index-numbers.yaml'))).toEqual([expect.stringContaining('index-numbers.yaml:4: units.wlj')]);
  });
});

describe('registry loader: the fixture itself', () => {
  it('loads, async and sync alike', async () => {
    const dir = fixture();
    const registry = await loadRegistry(dir);
    expect(registry.portal.columns.map((c) => c.id)).toEqual(['zwgk', 'zwgk-zcwj', 'zwgk-zcwj-qzfwj', 'zdly', 'zdly-czyjs']);
    expect(registry.portal.columns.find((c) => c.id === 'zdly-czyjs')).toEqual({
      id: 'zdly-czyjs',
      name: '财政预决算',
      parentId: 'zdly',
      updateClass: 'notice_policy',
      keyArea: true,
      path: ['政府信息公开', '重点领域信息公开', '财政预决算'],
    });
    // updateClass is inherited from the parent when omitted
    expect(registry.portal.columns.find((c) => c.id === 'zwgk-zcwj-qzfwj')?.updateClass).toBe('notice_policy');
    expect(registry.accounts[2]).toEqual({
      id: 'blfb-tt',
      name: '碑林发布',
      platform: 'toutiao',
      ownerUnit: '区融媒体中心',
      publishing: 'manual',
      credentials: {},
    });
    expect(loadRegistrySync(dir)).toEqual(registry);
  });
});

describe('registry loader: every problem with file, line and key path', () => {
  it('reports a YAML syntax error with its line', async () => {
    const dir = fixture({ lines: { 'accounts.yaml': { 3: '    name: 碑林文化旅游: 文旅' } } });
    expect(await problems(dir)).toEqual([
      `${dir}/accounts.yaml:3: YAML syntax error: Nested mappings are not allowed in compact mappings (column 11; put text that contains ": " in quotes)`,
    ]);
  });

  it('reports a duplicate YAML key', async () => {
    const dir = fixture({ lines: { 'review.yaml': { 4: '    name: 初审' } } });
    const out = await problems(dir);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(new RegExp(`^${dir}/review\\.yaml:4: YAML syntax error: Map keys must be unique`));
  });

  it('reports a missing required field at the entry that lacks it', async () => {
    const dir = fixture({ lines: { 'accounts.yaml': { 13: null } } });
    expect(await problems(dir)).toEqual([`${dir}/accounts.yaml:10: accounts[1].ownerUnit: required field is missing`]);
  });

  it('reports a wrong enum value with the allowed values', async () => {
    const dir = fixture({ lines: { 'accounts.yaml': { 12: '    platform: wexin' } } });
    expect(await problems(dir)).toEqual([
      `${dir}/accounts.yaml:12: accounts[1].platform: expected one of wechat_oa, weibo, douyin, toutiao, kuaishou, bilibili, wechat_channels, xiaohongshu, got "wexin"`,
    ]);
  });

  it('reports a duplicate id and names the first occurrence', async () => {
    const dir = fixture({ lines: { 'accounts.yaml': { 10: '  - id: blwhly' } } });
    expect(await problems(dir)).toEqual([`${dir}/accounts.yaml:10: accounts[1].id: duplicate account id "blwhly" (first used at line 2, accounts[0].id)`]);
  });

  it('reports an unknown portal column referenced by the catalogue', async () => {
    const dir = fixture({ lines: { 'catalogue.yaml': { 15: '    portalColumnId: zwgk-zcwj-qzfw' } } });
    expect(await problems(dir)).toEqual([
      `${dir}/catalogue.yaml:15: items[0].portalColumnId: unknown portal column "zwgk-zcwj-qzfw" (not in ${dir}/portal-columns.yaml) (did you mean "zwgk-zcwj-qzfwj"?)`,
    ]);
  });

  it('reports a catalogue item whose column has sub-columns (items go into one of them)', async () => {
    const dir = fixture({ lines: { 'catalogue.yaml': { 15: '    portalColumnId: zwgk-zcwj' } } });
    expect(await problems(dir)).toEqual([
      `${dir}/catalogue.yaml:15: items[0].portalColumnId: portal column "zwgk-zcwj" has sub-columns (${dir}/portal-columns.yaml): an item goes into one of them; name the sub-column its documents are published in`,
    ]);
  });

  it('reports an unknown parent column', async () => {
    const dir = fixture({ lines: { 'portal-columns.yaml': { 12: '    parentId: zwgkk' } } });
    expect(await problems(dir)).toEqual([`${dir}/portal-columns.yaml:12: columns[1].parentId: unknown parent column "zwgkk" (did you mean "zwgk"?)`]);
  });

  it('reports a parentId that makes a cycle', async () => {
    const dir = fixture({ lines: { 'portal-columns.yaml': { 12: '    parentId: zdly-czyjs' } } });
    expect(await problems(dir)).toEqual([
      `${dir}/portal-columns.yaml:12: columns[1].parentId: parentId "zdly-czyjs" makes a cycle: that column is inside this block`,
    ]);
  });

  it('does not cascade: a bad column id is one problem, not one per descendant', async () => {
    const dir = fixture({ lines: { 'portal-columns.yaml': { 6: '      - id: ZWGK-ZCWJ' } } });
    expect(await problems(dir)).toEqual([
      `${dir}/portal-columns.yaml:6: columns[0].children[0].id: must be an ASCII slug (lower-case letters, digits, "-" or "_"), got "ZWGK-ZCWJ"`,
    ]);
  });

  it('reports nested key paths in the portal tree', async () => {
    const dir = fixture({ lines: { 'portal-columns.yaml': { 9: '          - { id: zwgk-zcwj-qzfwj, name: 区政府文件, updateClass: weekly }' } } });
    expect(await problems(dir)).toEqual([
      `${dir}/portal-columns.yaml:9: columns[0].children[0].children[0].updateClass: expected one of news_dynamic, notice_policy, other, got "weekly"`,
    ]);
  });

  it('reports review classes naming unknown or out-of-order stages', async () => {
    const dir = fixture({ lines: { 'review.yaml': { 11: '  policy: [final, first]', 12: '  news: [frist]' } } });
    expect(await problems(dir)).toEqual([
      `${dir}/review.yaml:11: classes.policy[1]: stage "first" is out of order: stages run in the order they are defined (first → final)`,
      `${dir}/review.yaml:12: classes.news[0]: unknown review stage "frist" (defined: first, final)`,
    ]);
  });

  it('reports a catalogue content class without review stages', async () => {
    const dir = fixture({ lines: { 'catalogue.yaml': { 16: '    contentClass: notice' } } });
    expect(await problems(dir)).toEqual([
      `${dir}/catalogue.yaml:16: items[0].contentClass: content class "notice" has no review stages in ${dir}/review.yaml (configured: policy, news)`,
    ]);
  });

  it('requires policy items to say whether they need an interpretation', async () => {
    const dir = fixture({ lines: { 'catalogue.yaml': { 17: null } } });
    expect(await problems(dir)).toEqual([
      `${dir}/catalogue.yaml:2: items[0].requiresInterpretation: a policy item must say whether it is released with an interpretation (三同步): set true or false`,
    ]);
  });

  it('refuses secret values written into the repository and API publishing on manual-only platforms', async () => {
    const dir = fixture({
      lines: {
        'accounts.yaml': { 9: '      appSecret: 0123456789abcdef0123456789abcdef', 22: '    publishing: api' },
      },
    });
    expect(await problems(dir)).toEqual([
      `${dir}/accounts.yaml:9: accounts[0].credentials.appSecret: "appSecret" is a secret: name it as { secret: NAME } and supply the value from the environment or the secrets file; secret values never go in the repository`,
      `${dir}/accounts.yaml:18: accounts[2].credentials: an account published through the API needs credentials naming at least one secret, e.g. appSecret: { secret: NAME }`,
      `${dir}/accounts.yaml:22: accounts[2].publishing: toutiao has no public publishing API; use publishing: manual (a person posts the prepared bundle)`,
    ]);
  });

  it('reports unknown keys (typos) and wrong types', async () => {
    const dir = fixture({
      lines: {
        'accounts.yaml': { 6: '    publshing: api' },
        'media-center.yaml': { 3: '    - { id: blxw, name: 碑林新闻, contentKinds: [graphic, vlog] }' },
        'catalogue.yaml': { 12: '    channels: 政府网站' },
      },
    });
    expect(await problems(dir)).toEqual([
      `${dir}/accounts.yaml:2: accounts[0].publishing: required field is missing`,
      `${dir}/accounts.yaml:6: accounts[0].publshing: unknown key (allowed: id, name, platform, ownerUnit, publishing, credentials)`,
      `${dir}/media-center.yaml:3: news_site.columns[0].contentKinds[1]: expected one of graphic, video, short_video, promo, got "vlog"`,
      `${dir}/catalogue.yaml:12: items[0].channels: expected a list of channels, got "政府网站"`,
    ]);
  });

  it('lists every problem across all files at once', async () => {
    const dir = fixture({
      lines: {
        'portal-columns.yaml': { 7: '        name: ""' },
        'accounts.yaml': { 12: '    platform: wexin', 10: '  - id: blwhly' },
        'media-center.yaml': { 6: '    - { id: zwgk, name: 政务公开, contentKinds: [] }' },
        'catalogue.yaml': { 14: '    attribute: 主动公开' },
      },
    });
    expect(await problems(dir)).toEqual([
      `${dir}/portal-columns.yaml:7: columns[0].children[0].name: must not be empty`,
      `${dir}/accounts.yaml:10: accounts[1].id: duplicate account id "blwhly" (first used at line 2, accounts[0].id)`,
      `${dir}/accounts.yaml:12: accounts[1].platform: expected one of wechat_oa, weibo, douyin, toutiao, kuaishou, bilibili, wechat_channels, xiaohongshu, got "wexin"`,
      `${dir}/media-center.yaml:6: media_app.columns[0].contentKinds: must list at least one of the content kinds`,
      `${dir}/catalogue.yaml:14: items[0].attribute: expected one of proactive, on_request, got "主动公开"`,
    ]);
  });

  it('reports a missing file', async () => {
    const dir = fixture({ files: { 'review.yaml': null } });
    expect(await problems(dir)).toEqual([`${dir}/review.yaml: file not found (every registry file is required)`]);
  });

  it('reports a file saved in GBK or UTF-16 as such, at its line (GBK names were read as U+FFFD and reported as duplicates), and reads one with a byte-order mark', async () => {
    const dir = fixture();
    const units = readFileSync(path.join(dir, 'units.yaml'), 'utf8');
    const firstChinese = units.split('\n').findIndex((line) => /[\u4e00-\u9fff]/.test(line)) + 1;
    // Chinese in GBK: each character two bytes from 0x81 up, never valid UTF-8 where it starts.
    const asGbk = Buffer.from(
      units
        .split('')
        .map((ch) => (/[\u4e00-\u9fff]/.test(ch) ? '\xd6\xd0' : ch))
        .join(''),
      'latin1',
    );
    writeFileSync(path.join(dir, 'units.yaml'), asGbk);
    const [gbkProblem, ...rest] = await problems(dir);
    expect(rest).toEqual([]);
    expect(gbkProblem).toMatch(
      new RegExp(
        `^${dir}/units\\.yaml:${firstChinese}: the file is not UTF-8: byte \\d+ starts an invalid sequence \\(d6 d0 .*\\); save it encoded in UTF-8 \\(a file in GBK: convert it first, e\\.g\\. iconv -f GBK -t UTF-8\\)$`,
      ),
    );
    writeFileSync(path.join(dir, 'units.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(units, 'utf16le')]));
    expect(await problems(dir)).toEqual([
      `${dir}/units.yaml: the file is UTF-16 (it begins ff fe ${[...Buffer.from(units.slice(0, 1), 'utf16le')].map((b) => b.toString(16).padStart(2, '0')).join(' ')}), not UTF-8: save it encoded in UTF-8 (convert it, e.g. iconv -f UTF-16 -t UTF-8)`,
    ]);
    writeFileSync(path.join(dir, 'units.yaml'), `\ufeff${units}`);
    expect((await loadRegistry(dir)).units.length).toBeGreaterThan(0);
    expect(loadRegistrySync(dir).units.length).toBeGreaterThan(0);
  });

  it('shows paths relative to the repository root for files inside it', async () => {
    const dir = fixture({ lines: { 'accounts.yaml': { 12: '    platform: wexin' } } }, path.join(REPO_ROOT, 'test', '.artifacts'));
    const rel = path.relative(REPO_ROOT, dir);
    expect(rel.startsWith('test/.artifacts/')).toBe(true);
    const out = await problems(dir);
    expect(out[0]).toMatch(new RegExp(`^${rel}/accounts\\.yaml:12: accounts\\[1\\]\\.platform: expected one of`));
  });

  it('reports a broken reference in a copy of the real registry at its exact line', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'govpub-registry-real-'));
    dirs.push(dir);
    cpSync(DEFAULT_REGISTRY_DIR, dir, { recursive: true });
    const file = path.join(dir, 'catalogue.yaml');
    const text = readFileSync(file, 'utf8');
    const target = '    portalColumnId: zdly-ywjy-zsrx\n';
    const offset = text.indexOf(target);
    expect(offset).toBeGreaterThan(0);
    writeFileSync(file, text.replace(target, '    portalColumnId: zdly-ywjy-zs\n'));
    const line = text.slice(0, offset).split('\n').length;
    const index = [...text.slice(0, offset).matchAll(/^ {2}- id: /gm)].length - 1;
    expect(await problems(dir)).toEqual([
      `${dir}/catalogue.yaml:${line}: items[${index}].portalColumnId: unknown portal column "zdly-ywjy-zs" (not in ${dir}/portal-columns.yaml) (did you mean "zdly-ywjy-zsrx"?)`,
    ]);
  });
});

describe('registry loader: a directory that is not there', () => {
  it('is one problem naming GOVPUB_CONFIG_DIR, not "file not found" once per registry file', async () => {
    const missing = path.join(os.tmpdir(), `govpub-no-such-config-${process.pid}`, 'registry');
    const lines = await problems(missing);
    expect(lines).toEqual([
      `${missing}: no registry directory here: GOVPUB_CONFIG_DIR must name a directory holding registry/ with the registry files (portal-columns.yaml, accounts.yaml, media-center.yaml, …), as the shipped config/ does; fix it or unset it`,
    ]);
    expect(() => loadRegistrySync(missing)).toThrow(ConfigError);
  });
});
