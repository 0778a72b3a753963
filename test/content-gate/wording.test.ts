/** The wording list: overlaps, allowed words, the file's check with file:line, reload on change, and a 10,000-entry list on a 100,000-character text. */
import { mkdtemp, rm, writeFile, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileWording, type WordingEntry } from '../../domain/content-gate/wording.js';
import { scanText } from '../../domain/content-gate/scan.js';
import { ConfigError } from '../../domain/errors.js';
import { DEFAULT_WORDING_FILE, loadWordingListSync, parseWordingList, WordingSource } from '../../services/content-gate/wording-list.js';

const entry = (wrong: string, right: string | undefined, extra: Partial<WordingEntry> = {}): WordingEntry => ({
  kind: right ? 'wrong' : 'blocked',
  wrong,
  ...(right ? { right } : {}),
  level: 'blocking',
  ...extra,
});

describe('matching', () => {
  it('finds a wrong form, not the right form that contains it, and keeps the longest of overlapping wrong forms', () => {
    const m = compileWording([
      entry('中华人民共合国', '中华人民共和国'),
      entry('碑林县', '碑林区'),
      entry('陕西省西安市碑林县', '陕西省西安市碑林区'),
      entry('攻府', '政府'),
    ]);
    const text = '中华人民共和国宪法；中华人民共合国；陕西省西安市碑林县人民攻府';
    const hits = m.find(text);
    expect(hits.map((h) => text.slice(h.start, h.end))).toEqual(['中华人民共合国', '陕西省西安市碑林县', '攻府']);
  });

  it('a wrong form inside a right form of another entry, or inside an allowed word, is not reported', () => {
    // 共合 alone is wrong (it should be 共和), but not inside the listed right word 共合作 (a made-up case).
    const m = compileWording([entry('最高级', undefined, { allow: ['最高级别'] }), entry('公升', '公开', {}), entry('政务公开栏', '政务公开栏目')]);
    expect(m.find('达到最高级别的标准').length).toBe(0);
    expect(m.find('全省最高级的服务').length).toBe(1);
    // "公升" is a unit of volume too; an entry lists it, and a right form containing it would shield it.
    const shielded = compileWording([entry('公升', '公开'), entry('每公升水', '每升水', { kind: 'wrong' })]);
    expect(shielded.find('每升水').length).toBe(0);
  });

  it('a right form that contains the wrong form shields it (政务公开栏 inside 政务公开栏目)', () => {
    const m = compileWording([entry('政务公开栏', '政务公开栏目')]);
    expect(m.find('请查看政务公开栏目')).toEqual([]);
    expect(m.find('张贴在政务公开栏')).toHaveLength(1);
  });

  it('gives wrong and right forms, level and place through scanText', () => {
    const m = compileWording([entry('攻府', '政府'), entry('既使', '即使', { level: 'warning' })]);
    const matches = scanText({ field: '/document/body', text: '第一段\n区人民攻府，既使如此' }, m);
    expect(matches).toMatchObject([
      { code: 'wording_wrong', blocking: true, wrong: '攻府', right: '政府', place: { line: 2, offset: 7 } },
      { code: 'wording_wrong', blocking: false, wrong: '既使', right: '即使' },
    ]);
  });

  it('10,000 entries over 100,000 characters: every planted wrong form found, fast', () => {
    const entries: WordingEntry[] = [];
    for (let i = 0; i < 10_000; i += 1) entries.push(entry(`错词${i.toString(36)}甲`, `正词${i.toString(36)}乙`));
    const t0 = performance.now();
    const m = compileWording(entries);
    const compileMs = performance.now() - t0;
    const filler = '为深入贯彻落实国家和省市优化营商环境决策部署，结合我区实际，制定以下措施。';
    let text = '';
    const planted: string[] = [];
    while (text.length < 100_000) {
      text += filler;
      if (planted.length < 50) {
        const w = entries[planted.length * 199]!.wrong;
        planted.push(w);
        text += w;
      }
    }
    const t1 = performance.now();
    const hits = m.find(text);
    const scanMs = performance.now() - t1;
    expect(hits.map((h) => h.entry.wrong)).toEqual(planted);
    expect(compileMs).toBeLessThan(5_000);
    expect(scanMs).toBeLessThan(2_000);
  });
});

describe('the wording file', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the shipped list checks and catches 中华人民共合国', () => {
    const list = loadWordingListSync(DEFAULT_WORDING_FILE);
    expect(list.entries.length).toBeGreaterThan(10);
    expect(list.matcher.find('中华人民共合国').length).toBe(1);
    expect(list.matcher.find('中华人民共和国').length).toBe(0);
  });

  it('problems are reported with file:line', () => {
    const text = [
      'entries:',
      '  - kind: wrong',
      '    wrong: 攻府',
      '    level: blocking', // no right form
      '  - kind: typo',
      '    wrong: 既使',
      '    right: 即使',
      '    level: warning',
      '  - kind: blocked',
      '    wrong: 攻府',
      '    level: sometimes',
      '  - kind: blocked',
      '    wrong: 国',
      '    level: warning',
      '    allow: [中国人]',
    ].join('\n');
    let error: unknown;
    try {
      parseWordingList(text, '/tmp/wording.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as ConfigError).issues.map((i) => `${i.line}: ${i.path}: ${i.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^2: entries\[0\]\.right: a "wrong" entry needs its right form/),
        expect.stringMatching(/^5: entries\[1\]\.kind: expected one of wrong, blocked, name/),
        expect.stringMatching(/^10: entries\[2\]\.wrong: "攻府" is listed twice \(first at line 3\)/),
        expect.stringMatching(/^11: entries\[2\]\.level: expected one of blocking, warning/),
        expect.stringMatching(/^13: entries\[3\]\.wrong: must be 2 to 50 characters/),
      ]),
    );
    expect(() => parseWordingList('entries: [1, 2', 'x.yaml')).toThrow(/YAML syntax error/);
    // Forms the gate reads alike are one form: as wrong and right they would flag every correct use.
    const alike = [
      'entries:',
      '  - kind: wrong',
      '    wrong: 碑林區',
      '    right: 碑林区',
      '    level: warning',
      '  - kind: wrong',
      '    wrong: 攻府',
      '    right: 政府',
      '    level: blocking',
      '  - kind: blocked',
      '    wrong: 攻·府',
      '    level: warning',
      '  - kind: blocked',
      '    wrong: "· ·"',
      '    level: warning',
    ].join('\n');
    let alikeError: unknown;
    try {
      parseWordingList(alike, '/tmp/wording.yaml');
    } catch (e) {
      alikeError = e;
    }
    expect((alikeError as ConfigError).issues.map((i) => `${i.line}: ${i.path}: ${i.message}`)).toEqual([
      expect.stringMatching(
        /^4: entries\[0\]\.right: the right form "碑林区" is the same as the wrong one "碑林區" once the gate reads it \(traditional characters as simplified/,
      ),
      expect.stringMatching(/^11: entries\[2\]\.wrong: "攻·府" is listed twice \(first at line 7 as "攻府", which the gate reads the same\)/),
      expect.stringMatching(/^14: entries\[3\].wrong: "· ·" is only spacing, marks or invisible characters/),
    ]);
    expect(() => parseWordingList('entries:\n  - kind: wrong\n    wrong: "a\\u0007b"\n    right: ab\n    level: warning\n', 'x.yaml')).toThrow(/control/);
  });

  it('is reloaded when it changes; a broken edit keeps the list in force; each new list is announced once', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'govpub-wording-'));
    const file = path.join(dir, 'wording.yaml');
    const v1 = 'entries:\n  - kind: wrong\n    wrong: 攻府\n    right: 政府\n    level: blocking\n';
    await writeFile(file, v1);
    const source = new WordingSource(file);
    const seen: string[] = [];
    source.onChange((list) => seen.push(list.digest));
    const first = await source.current();
    expect(first.matcher.find('既使').length).toBe(0);
    expect(await source.current()).toBe(first);

    await writeFile(file, v1 + '  - kind: wrong\n    wrong: 既使\n    right: 即使\n    level: warning\n');
    await utimes(file, new Date(), new Date(Date.now() + 5_000));
    const second = await source.current();
    expect(second.matcher.find('既使').length).toBe(1);

    await writeFile(file, 'entries: [oops');
    await utimes(file, new Date(), new Date(Date.now() + 10_000));
    expect(await source.current()).toBe(second);
    expect(source.lastProblem?.message).toMatch(/wording\.yaml:1/);
    expect(seen).toEqual([first.digest, second.digest]);

    // The same list saved in GBK (an Excel export on a Chinese Windows): read as U+FFFD, it was refused for
    // what it was not, or taken where the garbled forms stayed apart. Refused as GBK with its line; the list in force stays.
    const inGbk = Buffer.from(
      [...(v1 + '  - kind: wrong\n    wrong: 既使\n    right: 即使\n    level: warning\n')].map((ch) => (ch.charCodeAt(0) > 0x7f ? '\xbc\xc8' : ch)).join(''),
      'latin1',
    );
    await writeFile(file, inGbk);
    await utimes(file, new Date(), new Date(Date.now() + 15_000));
    const kept = await source.current();
    expect(kept).toBe(second);
    expect(kept.matcher.find('既使').length).toBe(1);
    expect(source.lastProblem?.message).toMatch(/wording\.yaml:3: the file is not UTF-8: byte \d+ starts an invalid sequence \(bc c8/);
    expect(() => loadWordingListSync(file)).toThrow(/wording\.yaml:3: the file is not UTF-8/);
    expect(seen).toEqual([first.digest, second.digest]);
  });
});
