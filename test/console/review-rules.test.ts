// The review page's pure rules: the word diff (word-diff.ts) and what decision is offered (decision-rules.ts); no browser needed.
import { describe, expect, it } from 'vitest';
import { decidedSentence, decisionOffer, type Reviewer, type ReviewedPackage } from '../../web/src/components/review/decision-rules.js';
import { htmlToText, sideOf, tokenize, valueAsText, wordDiff } from '../../web/src/components/shared/word-diff.js';

const rebuilt = (parts: { kind: string; text: string }[], side: 'before' | 'after') =>
  sideOf(parts as never, side)
    .map((p) => p.text)
    .join('');

describe('word diff', () => {
  it('splits Chinese into characters and keeps Latin words, numbers and tags whole', () => {
    expect(tokenize('碑林区2026年<b>policy</b> v2')).toEqual(['碑', '林', '区', '2026', '年', '<b>', 'policy', '</b>', ' ', 'v2']);
  });

  it('marks only the changed characters of a Chinese sentence', () => {
    const parts = wordDiff('关于做好冬季供暖工作的通知', '关于做好冬春季供暖保障工作的通知');
    expect(parts).toEqual([
      { kind: 'same', text: '关于做好冬' },
      { kind: 'added', text: '春' },
      { kind: 'same', text: '季供暖' },
      { kind: 'added', text: '保障' },
      { kind: 'same', text: '工作的通知' },
    ]);
  });

  it('puts a replaced word as a removal then an addition', () => {
    expect(wordDiff('deadline is Monday', 'deadline is Friday')).toEqual([
      { kind: 'same', text: 'deadline is ' },
      { kind: 'removed', text: 'Monday' },
      { kind: 'added', text: 'Friday' },
    ]);
  });

  it('rebuilds both sides exactly', () => {
    const before = '第一条 本办法自2026年1月1日起施行。\n第二条 由区政府办公室负责解释。';
    const after = '第一条 本办法自2026年3月1日起施行。\n第三条 由区司法局负责解释，详见附件。';
    const parts = wordDiff(before, after);
    expect(rebuilt(parts, 'before')).toBe(before);
    expect(rebuilt(parts, 'after')).toBe(after);
    expect(parts.some((p) => p.kind === 'removed' && p.text.includes('政府办公室'))).toBe(true);
  });

  it('handles empty sides and identical text', () => {
    expect(wordDiff('', '新增内容')).toEqual([{ kind: 'added', text: '新增内容' }]);
    expect(wordDiff('删除内容', '')).toEqual([{ kind: 'removed', text: '删除内容' }]);
    expect(wordDiff('不变', '不变')).toEqual([{ kind: 'same', text: '不变' }]);
  });

  it('stays exact for a long body with a change in the middle, and for a middle too large to tabulate', () => {
    const long = '政务公开'.repeat(20_000);
    const parts = wordDiff(`${long}旧${long}`, `${long}新${long}`);
    expect(parts.filter((p) => p.kind !== 'same')).toEqual([
      { kind: 'removed', text: '旧' },
      { kind: 'added', text: '新' },
    ]);
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`).join(' ');
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}`).join(' ');
    const coarse = wordDiff(a, b);
    expect(rebuilt(coarse, 'before')).toBe(a);
    expect(rebuilt(coarse, 'after')).toBe(b);
  });
});

describe('field values as text', () => {
  it('reads HTML as a person does, keeping links and image descriptions', () => {
    expect(htmlToText('<p>第一段&nbsp;&amp;说明</p><p><a href="https://example.gov.cn/x">原文</a><img src="/api/media/ab/content" alt="示意图"></p>')).toBe(
      '第一段 &说明\n［链接：https://example.gov.cn/x］原文［图片：示意图］',
    );
  });

  it('writes lists one item a line and objects as JSON', () => {
    expect(valueAsText(['portal:zwgk', 'wechat_oa:blfb'])).toBe('portal:zwgk\nwechat_oa:blfb');
    expect(valueAsText(null)).toBe('');
    expect(valueAsText({ mediaId: 'ab', alt: '封面' })).toBe('{\n  "mediaId": "ab",\n  "alt": "封面"\n}');
  });
});

describe('what the review page offers', () => {
  const stages = [
    { id: 'first', name: '初审' },
    { id: 'second', name: '复审' },
    { id: 'final', name: '终审' },
  ];
  const pkg = (over: Partial<ReviewedPackage> = {}): ReviewedPackage => ({
    status: 'in_review',
    currentStage: 'second',
    currentStageName: '复审',
    stages,
    decisions: [],
    ...over,
  });
  const reviewer: Reviewer = { id: 'u-2', name: 'li', stages: ['second', 'final'], mayDecide: true };
  const label = (s: string) => ({ draft: '草稿', released: '已发布' })[s] ?? s;

  it('offers the decision to a reviewer of the current stage who did not write it', () => {
    expect(decisionOffer(pkg(), reviewer, ['u-1'], label)).toEqual({ offered: true });
  });

  it('refuses the author, a reviewer who approved at another stage, the wrong stage and a package out of review, each with its sentence', () => {
    expect(decisionOffer(pkg(), reviewer, ['u-1', 'u-2'], label)).toMatchObject({ offered: false, reason: '不能审核本人撰写的发布包。' });
    const approvedFirst = pkg({ decisions: [{ stage: 'first', decision: 'approve', reviewer: 'li', voided: false }] });
    expect(decisionOffer(approvedFirst, reviewer, ['u-1'], label)).toMatchObject({ offered: false, code: 'same_reviewer_two_stages' });
    // What happened and what comes next, not a refusal of something the reviewer did wrong.
    expect(decisionOffer(approvedFirst, reviewer, ['u-1'], label)).toMatchObject({
      reason: '您已完成初审（通过）。复审须由另一位审核人进行，已转入复审队列。',
    });
    const voided = pkg({ decisions: [{ stage: 'first', decision: 'approve', reviewer: 'li', voided: true }] });
    expect(decisionOffer(voided, reviewer, ['u-1'], label)).toEqual({ offered: true });
    expect(decisionOffer(pkg({ currentStage: 'first', currentStageName: '初审' }), reviewer, ['u-1'], label)).toMatchObject({
      offered: false,
      reason: '发布包当前在「初审」环节，您可审核的环节为：复审、终审。',
    });
    expect(decisionOffer(pkg({ status: 'draft', currentStage: null }), reviewer, ['u-1'], label)).toMatchObject({
      offered: false,
      reason: expect.stringContaining('「草稿」'),
    });
    expect(decisionOffer(pkg(), { ...reviewer, mayDecide: false }, ['u-1'], label)).toMatchObject({ offered: false, code: 'role_not_allowed' });
  });

  it('says, right after a decision, what the reviewer did and where the package went', () => {
    expect(decidedSentence('approve', '初审', pkg())).toBe('您已完成初审（通过）。复审须由另一位审核人进行，已转入复审队列。');
    expect(decidedSentence('approve', '终审', pkg({ status: 'approved', currentStage: null, currentStageName: null }))).toBe(
      '您已完成终审（通过）。发布包已通过全部审核环节，将按发布时间发布。',
    );
    expect(decidedSentence('reject', '复审', pkg({ status: 'draft', currentStage: null, currentStageName: null }))).toBe(
      '您已在复审退回此发布包，编辑修改后会重新提交审核。',
    );
    for (const sentence of [
      decidedSentence('approve', '初审', pkg()),
      decisionOffer(pkg({ decisions: [{ stage: 'first', decision: 'approve', reviewer: 'li', voided: false }] }), reviewer, ['u-1'], label),
    ]) {
      expect(JSON.stringify(sentence)).not.toMatch(/一人只能|不能|须由其他/);
    }
  });
});
