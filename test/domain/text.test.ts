/**
 * The rule for text people send (domain/text.ts): what may be stored, for every field at once —
 * titles, bodies, comments, reasons, file names. Pure: no services needed.
 */
import { describe, expect, it } from 'vitest';
import { loadRegistrySync } from '../../config/registry.js';
import { issueMessageZh } from '../../api/validation.js';
import { findUnsafeText, noteProblem, oneLineProblem, pastedLineCleaned, pastedTextCleaned, unsafeTextProblem } from '../../domain/text.js';
import { parsePackageInput, ValidationError } from '../../services/package-input.js';

describe('direction controls', () => {
  it('refuses the bidirectional overrides, which reverse the characters after them, naming the character and its place', () => {
    // U+202E in a title made "测试\u202e标题反转ABC" read "测试CBA转反题标", and every sentence quoting it backwards.
    for (const code of [0x202d, 0x202e]) {
      const problem = unsafeTextProblem(`测试${String.fromCharCode(code)}标题`);
      expect(problem, `U+${code.toString(16)}`).toBe(
        `contains the direction override \\u${code.toString(16)} at position 3, which reverses the text after it; remove it`,
      );
      expect(issueMessageZh(problem!)).toBe(`第 3 个字符是文字方向强制符 \\u${code.toString(16)}（不可见，会使其后的文字倒序显示），请删除`);
    }
  });

  it('keeps what ordinary text holds: Chinese, emoji with joiners, direction marks, embeddings and isolates around Arabic, tabs and line breaks', () => {
    for (const text of [
      '碑林区促进消费扩容提质若干措施',
      '家庭 👨‍👩‍👧 与志愿者 😀',
      'abc\u200eعربي\u200f',
      '同意 \u202bمراجعة\u202c 与 \u202aabc\u202c',
      '姓名 \u2067عربي\u2069 \u2066abc\u2069 \u2068x\u2069',
      '第一段\n第二段\t（续）',
    ]) {
      expect(unsafeTextProblem(text), JSON.stringify(text)).toBeNull();
    }
  });

  it('refuses them in a review comment or a reason as in a package body', () => {
    expect(noteProblem('请修改\u202e第二段')).toMatch(/direction override \\u202e at position 4/);
    expect(findUnsafeText({ interpretations: [{ title: '解读\u202d' }] })).toEqual([
      { path: 'interpretations[0].title', message: expect.stringContaining('direction override \\u202d') },
    ]);
    const registry = loadRegistrySync();
    let refused: unknown;
    try {
      parsePackageInput({ title: '测试\u202e标题', catalogueItem: 'qzfb-wj', targets: ['portal:zwgk-zcwj-qzfbwj'] }, registry);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).issues).toEqual([{ path: 'title', message: expect.stringContaining('direction override \\u202e at position 3') }]);
  });
});

describe('one-line fields', () => {
  const registry = loadRegistrySync();
  const refusal = (body: Record<string, unknown>) => {
    try {
      parsePackageInput(
        { title: '测试标题', catalogueItem: 'blyw', document: { title: '测试文件', body: '<p>正文。</p>' }, targets: ['portal:xwdt-blyw'], ...body },
        registry,
      );
      return [];
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return error.issues;
    }
  };

  it('refuses a tab inside a title or a name, naming where it stands, and trims one at either end', () => {
    // A tab shows as one space on the portal and as a gap or nothing in a post: a one-line field is spaced with spaces.
    expect(oneLineProblem('碑林区\t通知')).toBe('contains a tab at position 4: a one-line field takes spaces, not tabs; replace it with a space');
    expect(issueMessageZh(oneLineProblem('碑林区\t通知')!)).toBe('第 4 个字符是制表符：单行内容请用空格，不用制表符，请改为空格');
    expect(oneLineProblem('\t碑林区通知\t')).toBeNull();
    expect(refusal({ document: { title: '测试文件', issuingUnit: '碑林区\t融媒体中心', body: '<p>正文。</p>' } })).toEqual([
      { path: 'document.issuingUnit', message: expect.stringMatching(/^contains a tab at position 4/) },
    ]);
  });

  it('refuses a zero-width space, a word joiner, a soft hyphen or a byte-order mark inside one, which the site search would index as a break', () => {
    // 碑林\u200b区 reads 碑林区, but the site search indexes 碑林 and 区 apart.
    for (const [code, name, zh] of [
      [0x200b, 'zero-width space', '零宽空格'],
      [0x2060, 'word joiner', '词连接符'],
      [0x00ad, 'soft hyphen', '软连字符'],
      [0xfeff, 'byte-order mark', '字节顺序标记'],
    ] as const) {
      const ch = String.fromCharCode(code);
      const escaped = `\\u${code.toString(16).padStart(4, '0')}`;
      const problem = oneLineProblem(`😀碑林${ch}区`);
      // The emoji is one character, as an editor counts.
      expect(problem, name).toBe(
        `contains an invisible ${name} (${escaped}) at position 4, left by a copy from a web page or a chat: readers do not see it, but the site's search indexes a word it splits as two; remove it`,
      );
      expect(issueMessageZh(problem!)).toBe(
        `第 4 个字符是不可见的${zh}（${escaped}），多为从网页或聊天中复制时带入：读者看不到它，但站内搜索会把被它隔开的词当作两个词，请删除`,
      );
    }
    expect(refusal({ title: '测试\u200b标题', document: { title: '测试文件', body: '<p>碑林\u200b区</p>' }, cover: undefined })).toEqual([
      { path: 'title', message: expect.stringMatching(/^contains an invisible zero-width space \(\\u200b\) at position 3/) },
    ]);
    expect(refusal({ document: { title: '测试文件', body: '<p>正文。</p>', keywords: ['政务\u200b公开'] } })).toEqual([
      { path: 'document.keywords[0]', message: expect.stringMatching(/^contains an invisible zero-width space/) },
    ]);
  });

  it('a paste is cleaned of what the rule refuses: the stray invisible characters in any text, tabs and line breaks too in a line', () => {
    expect(pastedTextCleaned('碑林\u200b区\u00ad政\u2060府\ufeff 👨\u200d👩\u200d👧\n第二段')).toBe('碑林区政府 👨\u200d👩\u200d👧\n第二段');
    const line = pastedLineCleaned('关于\u200b优化营商环境的\t若干措施\r\n（试行）');
    expect(line).toBe('关于优化营商环境的 若干措施 （试行）');
    expect(oneLineProblem(line)).toBeNull();
  });

  it('keeps what a line of text holds: spaces, emoji built with joiners, variation selectors', () => {
    for (const text of ['碑林区 2026 年 工作要点', '家庭 👨‍👩‍👧', '☎️ 029-8765 4321']) expect(oneLineProblem(text), JSON.stringify(text)).toBeNull();
  });
});
