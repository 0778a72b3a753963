/**
 * The package form's state for the disclosure fields (web/src/components/editor/package-body.ts):
 * 主题分类, 主题词 and 有效性 on the document, captions and transcript on video/audio
 * interpretations — sent only when given, in the shape the API accepts, and read back unchanged.
 */
import { describe, expect, it } from 'vitest';
import { loadRegistrySync } from '../../config/registry.js';
import { parsePackageInput } from '../../services/package-input.js';
import { draftFromContent, emptyDraft, emptyInterpretation, fieldLabel, toPackageInput } from '../../web/src/components/editor/package-body.js';

const registry = loadRegistrySync();

function normativeDraft() {
  const draft = emptyDraft();
  draft.title = '关于进一步优化营商环境的若干措施';
  draft.catalogueItem = 'qzf-gfxwj';
  draft.document.body = '<p>正文</p>';
  draft.document.issuingUnit = '碑林区人民政府';
  draft.targets = ['portal:zwgk-zcwj-gfxwj'];
  draft.interpretations.push({ ...emptyInterpretation('text'), title: '文字解读', body: '<p>解读</p>' });
  return draft;
}

describe('the disclosure fields in the package form', () => {
  it('sends topic, keywords (trimmed, once each) and validity, which the API accepts and the form reads back', () => {
    const draft = normativeDraft();
    draft.document.topic = '综合政务\\政务公开';
    draft.document.keywords = [' 营商环境', '营商环境', '规范性文件', ' '];
    draft.document.validity = { state: 'expired', effectiveFrom: '2026-12-01', endedAt: '2027-06-30' };
    const input = toPackageInput(draft);
    expect(input.document).toMatchObject({
      topic: '综合政务\\政务公开',
      keywords: ['营商环境', '规范性文件'],
      validity: { state: 'expired', effectiveFrom: '2026-12-01', endedAt: '2027-06-30' },
    });
    const { content } = parsePackageInput(input, registry);
    expect(toPackageInput(draftFromContent(content))).toEqual(input);
  });

  it('leaves out what was not given, and drops an end date from a valid document', () => {
    const draft = normativeDraft();
    expect(toPackageInput(draft).document).not.toHaveProperty('validity');
    expect(toPackageInput(draft).document).not.toHaveProperty('topic');
    expect(toPackageInput(draft).document).not.toHaveProperty('keywords');
    draft.document.validity = { state: 'valid', effectiveFrom: '', endedAt: '2027-01-01' };
    expect((toPackageInput(draft).document as { validity: unknown }).validity).toEqual({ state: 'valid', effectiveFrom: null, endedAt: null });
    expect(() => parsePackageInput(toPackageInput(draft), registry)).not.toThrow();
  });

  it('sends captions and a transcript for video and audio only', () => {
    const draft = normativeDraft();
    const vtt = 'c'.repeat(64);
    draft.interpretations.push({
      ...emptyInterpretation('video'),
      title: '视频解读',
      mediaId: 'a'.repeat(64),
      captionsMediaId: vtt,
      transcript: '各位市民朋友，大家好。\n\n今天解读 <若干措施> & 实施细则。',
    });
    draft.interpretations.push({
      ...emptyInterpretation('graphic'),
      title: '图解',
      mediaId: 'b'.repeat(64),
      captionsMediaId: vtt,
      transcript: '不应发送',
    });
    const input = toPackageInput(draft) as { interpretations: Record<string, unknown>[] };
    // The transcript is typed as lines; it is sent as paragraphs, escaped.
    expect(input.interpretations[1]).toMatchObject({
      captionsMediaId: vtt,
      transcript: '<p>各位市民朋友，大家好。</p><p>今天解读 &lt;若干措施&gt; &amp; 实施细则。</p>',
    });
    expect(input.interpretations[2]).not.toHaveProperty('captionsMediaId');
    expect(input.interpretations[2]).not.toHaveProperty('transcript');
    const { content } = parsePackageInput(input, registry);
    expect(draftFromContent(content).interpretations[1]).toMatchObject({
      captionsMediaId: vtt,
      transcript: '各位市民朋友，大家好。\n今天解读 <若干措施> & 实施细则。',
    });
    expect(toPackageInput(draftFromContent(content))).toEqual(input);
  });

  it('names the new fields in Chinese when a problem points at them', () => {
    expect(fieldLabel('document.topic')).toBe('主题分类');
    expect(fieldLabel('/document/keywords/2')).toBe('主题词');
    expect(fieldLabel('document.validity.endedAt')).toBe('有效性');
    expect(fieldLabel('/interpretations/0/captionsMediaId')).toBe('解读 1 字幕');
    expect(fieldLabel('interpretations[2].transcript')).toBe('解读 3 文字实录');
  });
});
