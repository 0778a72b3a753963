/**
 * The editor pages' pure helpers: the word diff of the revision view, and the package form's
 * mapping between its state, the API's PackageInput and the field paths problems point at.
 */
import { describe, expect, it } from 'vitest';
import { loadRegistrySync } from '../../config/registry.js';
import { parsePackageInput } from '../../services/package-input.js';
import {
  draftFromContent,
  emptyDraft,
  emptyInterpretation,
  fieldElementCandidates,
  fieldElementId,
  fieldLabel,
  toPackageInput,
  withForm,
} from '../../web/src/components/editor/package-body.js';
import { renditionLine, renditionNotes, renditionProblems } from '../../web/src/components/editor/rendition-problems.js';
import { htmlToText, tokenize, wordDiff } from '../../web/src/components/shared/word-diff.js';

const spell = (segments: { kind: string; text: string }[], keep: string) =>
  segments
    .filter((s) => s.kind === 'same' || s.kind === keep)
    .map((s) => s.text)
    .join('');

describe('wordDiff', () => {
  it('marks the Chinese characters that changed, one character a word', () => {
    const segments = wordDiff('自2026年1月1日起施行', '自2026年3月1日起施行');
    expect(segments).toEqual([
      { kind: 'same', text: '自2026年' },
      { kind: 'removed', text: '1' },
      { kind: 'added', text: '3' },
      { kind: 'same', text: '月1日起施行' },
    ]);
  });

  it('keeps Latin words and tags whole and always spells both texts back', () => {
    const before = '<p>Apply online at the portal</p>';
    const after = '<p>Apply in person at the service hall</p>';
    expect(tokenize(before)).toContain('<p>');
    const segments = wordDiff(before, after);
    expect(spell(segments, 'removed')).toBe(before);
    expect(spell(segments, 'added')).toBe(after);
    expect(segments.filter((s) => s.kind === 'removed').map((s) => s.text.trim())).toContain('online');
  });

  it('handles empty sides and very long texts without a quadratic table', () => {
    expect(wordDiff('', '新增')).toEqual([{ kind: 'added', text: '新增' }]);
    expect(wordDiff('删除', '')).toEqual([{ kind: 'removed', text: '删除' }]);
    const long = '政'.repeat(5000);
    // Past the table's size limit the middle is one removal and one addition (nothing quadratic is built).
    const segments = wordDiff(`${long}甲${'务'.repeat(5000)}`, `${'公'.repeat(5000)}乙${long}`);
    expect(spell(segments, 'added')).toBe(`${'公'.repeat(5000)}乙${long}`);
  });

  it('reads HTML as text for the diff', () => {
    expect(htmlToText('<h2>标题</h2><p>a &amp; b<br />c</p>')).toBe('标题\na & b\nc');
  });
});

describe('package form state', () => {
  const registry = loadRegistrySync();

  it('sends only what has a value, and the API accepts it', () => {
    const draft = emptyDraft();
    draft.title = ' 关于印发工作要点的通知 ';
    draft.catalogueItem = 'qzf-gfxwj';
    draft.document.body = '<p>正文</p>';
    draft.document.issuingUnit = '区政府办公室';
    draft.targets = ['portal:zwgk-zcwj-gfxwj'];
    draft.interpretations.push({ ...emptyInterpretation('text'), title: '图文解读', body: '<p>解读</p>' });
    const input = toPackageInput(draft);
    expect(input).toEqual({
      title: '关于印发工作要点的通知',
      catalogueItem: 'qzf-gfxwj',
      document: { title: '关于印发工作要点的通知', body: '<p>正文</p>', issuingUnit: '区政府办公室' },
      interpretations: [{ form: 'text', title: '图文解读', body: '<p>解读</p>' }],
      targets: ['portal:zwgk-zcwj-gfxwj'],
    });
    const { content } = parsePackageInput(input, registry);
    // A stored revision comes back into the form as it was typed.
    const again = draftFromContent(content);
    expect(toPackageInput(again)).toEqual(input);
  });

  it('a form switched leaves behind what the new form cannot carry, so the API takes what the person sees', () => {
    const graphic = {
      ...emptyInterpretation('graphic'),
      title: '一图读懂',
      body: '<p>说明</p>',
      mediaId: 'a'.repeat(64),
      url: 'https://www.beilin.gov.cn/tu/1.html',
    };
    // To text: the picture and the link go (a text interpretation carries neither).
    expect(withForm(graphic, 'text')).toMatchObject({ form: 'text', mediaId: '', url: '', title: '一图读懂', body: '<p>说明</p>' });
    // To a cartoon: still a picture, kept; to a video: a picture is no video.
    expect(withForm(graphic, 'cartoon')).toMatchObject({ mediaId: 'a'.repeat(64), url: graphic.url });
    expect(withForm(graphic, 'video')).toMatchObject({ mediaId: '', url: graphic.url });
    expect(withForm(graphic, 'h5')).toMatchObject({ mediaId: '', url: graphic.url });

    const draft = emptyDraft();
    draft.title = '关于印发工作要点的通知';
    draft.catalogueItem = 'qzf-gfxwj';
    draft.document.body = '<p>正文</p>';
    draft.targets = ['portal:zwgk-zcwj-gfxwj'];
    // An older revision's text interpretation with a file out of sight: not sent; with a link: sent, for the API to name it beside its field.
    draft.interpretations.push({ ...emptyInterpretation('text'), title: '解读', body: '<p>解读</p>', mediaId: 'b'.repeat(64) });
    expect(toPackageInput(draft).interpretations).toEqual([{ form: 'text', title: '解读', body: '<p>解读</p>' }]);
    draft.interpretations[0] = { ...draft.interpretations[0]!, url: 'https://www.beilin.gov.cn/a.html' };
    expect(() => parsePackageInput(toPackageInput(draft), registry)).toThrow(
      /interpretations\[0\]\.url: a text interpretation is its text and carries no link/,
    );
  });

  it('names the control a field path points at, from a preflight pointer or a validation path', () => {
    expect(fieldElementId('/interpretations/1/body')).toBe('field-interpretations-1-body');
    expect(fieldElementId('interpretations[1].body')).toBe('field-interpretations-1-body');
    expect(fieldElementId('/cover')).toBe('field-cover');
    expect(fieldElementCandidates('/interpretations/0/mediaId')).toEqual([
      'field-interpretations-0-mediaId',
      'field-interpretations-0',
      'field-interpretations',
    ]);
    expect(fieldLabel('/interpretations/1/body')).toBe('解读 2 正文');
    expect(fieldLabel('/targets/4')).toBe('发布渠道 5');
    expect(fieldLabel('/cover')).toBe('封面');
    expect(fieldLabel('document.title')).toBe('文件标题');
  });
});

describe('the upload field: why renditions were not made', () => {
  it('lists those refused before any work, then those that failed while made, in Chinese where the API has it', () => {
    const problems = renditionProblems({
      problems: [{ spec: 'douyin.video_1080', code: 'media_too_long', message: 'too long', messageZh: '视频太长' }],
      results: {
        'portal.video_720': { ok: true },
        'portal.poster': { ok: false, code: 'media_transcode_failed', message: 'no frame', messageZh: '无法截取封面画面' },
        'wechat.cover': { ok: false, code: 'media_failed', message: 'English only' },
      },
    });
    expect(problems).toEqual([
      { spec: 'douyin.video_1080', text: '视频太长' },
      { spec: 'portal.poster', text: '无法截取封面画面' },
      { spec: 'wechat.cover', text: 'English only' },
    ]);
    expect(renditionProblems(null)).toEqual([]);
    expect(renditionProblems({ problems: [] })).toEqual([]);
  });

  it("lists what the renditions made noted (enlarged, no watermark), in Chinese where the API has it, and none of a failed one's", () => {
    const notes = renditionNotes({
      problems: [],
      results: {
        'wechat_oa.thumb': {
          ok: true,
          warnings: ['Original is 600×300; … is enlarged 1.5×'],
          warningsZh: ['原图为 600×300，该版本（900×383）要放大 1.5 倍，可能不够清晰。'],
        },
        'portal.w480.jpg': { ok: true, warnings: ['No watermark: 480 px wide is too small for a legible one.'] },
        'portal.poster': { ok: false, code: 'media_transcode_failed', message: 'no frame', warnings: ['never shown'] },
      },
    });
    expect(notes).toEqual([
      { spec: 'wechat_oa.thumb', text: '原图为 600×300，该版本（900×383）要放大 1.5 倍，可能不够清晰。' },
      { spec: 'portal.w480.jpg', text: 'No watermark: 480 px wide is too small for a legible one.' },
    ]);
    expect(renditionNotes(null)).toEqual([]);
  });

  it('leads each note with the rendition’s Chinese name, never its key, unless the sentence names it already', () => {
    const job = {
      specNames: { 'portal.w480.jpg': { labelZh: '门户网站正文图片（480 像素宽，JPEG 备用）' }, 'bilibili.cover': { labelZh: '哔哩哔哩视频封面（16:10）' } },
    };
    expect(renditionLine(job, { spec: 'portal.w480.jpg', text: '未加水印：宽 480 像素的画面太小，放不下看得清的水印。' })).toBe(
      '门户网站正文图片（480 像素宽，JPEG 备用）：未加水印：宽 480 像素的画面太小，放不下看得清的水印。',
    );
    const named = '原图为 1200×800，不放大：哔哩哔哩视频封面（16:10）为 1200×750，而不是 1920×1200。';
    expect(renditionLine(job, { spec: 'bilibili.cover', text: named })).toBe(named);
    // A job recorded before the names: the key is all there is.
    expect(renditionLine(null, { spec: 'wechat_oa.thumb', text: '原图为 600×300。' })).toBe('wechat_oa.thumb：原图为 600×300。');
  });
});
