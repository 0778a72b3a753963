/**
 * The rule for text people send (domain/text.ts): what may be stored, for every field at once —
 * titles, bodies, comments, reasons, file names. Pure: no services needed.
 */
import { describe, expect, it } from 'vitest';
import { loadRegistrySync } from '../../config/registry.js';
import { issueMessageZh } from '../../api/validation.js';
import { findUnsafeText, noteProblem, unsafeTextProblem } from '../../domain/text.js';
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
