/**
 * Text hidden from the gate but not from the reader: invisible characters, full-width forms, spaces and
 * decorative marks inside a wrong form or a personal number, HTML entities that decode to them. Each is
 * found, and its place is the offset in the field's own text.
 */
import { describe, expect, it } from 'vitest';
import { foldText } from '../../domain/content-gate/fold.js';
import { packageTexts } from '../../domain/content-gate/package-texts.js';
import { findPersonalData, idCheckCharacter } from '../../domain/content-gate/personal-data.js';
import { scanText } from '../../domain/content-gate/scan.js';
import { htmlText } from '../../domain/content-gate/text.js';
import { compileWording, type WordingEntry } from '../../domain/content-gate/wording.js';
import { extractText } from '../../services/content-gate/attachments.js';

const ID = '61010319900307002' + idCheckCharacter('61010319900307002');
const entries: WordingEntry[] = [
  { kind: 'wrong', wrong: '中华人民共合国', right: '中华人民共和国', level: 'blocking' },
  { kind: 'wrong', wrong: '攻府', right: '政府', level: 'blocking' },
  { kind: 'name', wrong: '碑林区人民政付', right: '碑林区人民政府', level: 'blocking' },
  { kind: 'blocked', wrong: '最高级', level: 'warning', allow: ['最高级别'] },
];
const matcher = compileWording(entries);

describe('wording hidden inside a word', () => {
  const hidden = [
    ['a zero-width space', '中华人民共\u200b合国'],
    ['a zero-width joiner', '中华人民共\u200d合国'],
    ['a word joiner', '攻\u2060府'],
    ['a byte-order mark', '攻\ufeff府'],
    ['a soft hyphen', '攻\u00ad府'],
    ['a right-to-left mark', '攻\u200f府'],
    ['a space', '中华人民 共合国'],
    ['an ideographic space', '攻\u3000府'],
    ['a no-break space', '攻\u00a0府'],
    ['a middle dot', '攻·府'],
    ['an asterisk', '攻*府'],
    ['a full-width asterisk', '攻＊府'],
  ] as const;
  for (const [what, form] of hidden) {
    it(`finds a wrong form with ${what} inside, placed at its offset`, () => {
      const text = `根据${form}的规定`;
      const hits = matcher.find(text);
      expect(hits).toHaveLength(1);
      expect(hits[0]).toMatchObject({ start: 2, end: 2 + form.length });
    });
  }

  it('entities that decode to invisible characters in body HTML do not hide a wrong form', () => {
    for (const html of ['<p>攻&#8203;府</p>', '<p>攻&shy;府</p>', '<p>攻&zwj;府</p>', '<p>攻&ZeroWidthSpace;府</p>']) {
      const matches = scanText({ field: '/document/body', text: htmlText(html) }, matcher);
      expect(
        matches.map((m) => m.code),
        html,
      ).toEqual(['wording_wrong']);
    }
  });

  it('allowed words and right forms still shield, whatever is inside them; a line end still separates words', () => {
    expect(matcher.find('达到最高\u200b级别的标准')).toEqual([]);
    expect(matcher.find('中华人民共\u200b和国')).toEqual([]);
    expect(matcher.find('发起进攻\n府谷县')).toEqual([]);
  });

  it('traditional characters read as simplified ones: 中華人民共合國 is the miswriting, 中華人民共和國 is right', () => {
    const text = '根据中華人民共合國宪法，碑林區人民政付发布';
    expect(matcher.find(text).map((h) => [h.entry.wrong, text.slice(h.start, h.end)])).toEqual([
      ['中华人民共合国', '中華人民共合國'],
      ['碑林区人民政付', '碑林區人民政付'],
    ]);
    expect(matcher.find('中華人民共和國')).toEqual([]);
    // A character outside the basic plane keeps every offset after it.
    const wide = '𠮷攻府';
    expect(matcher.find(wide)).toMatchObject([{ start: 2, end: 4 }]);
  });

  it('Kangxi radicals and compatibility ideographs (as text copied out of a PDF has them) read as the ideograph they show', () => {
    // ⼈ U+2F08 and ⼤ U+2F24 are 人 and 大 on screen; the compatibility ideograph U+F92C is 郎.
    const text = '根据中华\u2F08民共合国宪法，\u2F08民代表\u2F24全';
    expect(matcher.find(text).map((h) => [h.entry.wrong, text.slice(h.start, h.end)])).toEqual([['中华人民共合国', '中华\u2F08民共合国']]);
    const m = compileWording([
      { kind: 'wrong', wrong: '人民代表大全', right: '人民代表大会', level: 'blocking' },
      { kind: 'name', wrong: '王郎', right: '王朗', level: 'blocking' },
    ]);
    expect(m.find('\u2F08民代表\u2F24全，王\uF92C').map((h) => [h.entry.wrong, h.start, h.end])).toEqual([
      ['人民代表大全', 0, 6],
      ['王郎', 7, 9],
    ]);
    expect(m.find('\u2F08民代表\u2F24会')).toEqual([]);
  });

  it('a list entry written with a full-width or spaced form matches the plain one', () => {
    const m = compileWording([{ kind: 'blocked', wrong: 'ＡＢ 测试', level: 'blocking' }]);
    expect(m.find('这是AB测试')).toHaveLength(1);
  });
});

describe('personal numbers hidden by invisible or full-width characters', () => {
  it('an ID number with a zero-width space inside is found and its whole span masked', () => {
    const hidden = `${ID.slice(0, 9)}\u200b${ID.slice(9)}`;
    const text = `身份证号${hidden}。`;
    const hits = findPersonalData(text);
    expect(hits).toMatchObject([{ code: 'personal_id_number', start: 4, end: 4 + hidden.length }]);
    const [match] = scanText({ field: '/document/body', text }, null);
    expect(match!.excerpt).toBe(`身份证号610103********${ID.slice(14)}。`);
  });

  it('a mobile number with word joiners between its groups, and an e-mail with a full-width @', () => {
    expect(findPersonalData('电话 138\u20601234\u20605678').map((h) => h.code)).toEqual(['personal_mobile']);
    expect(findPersonalData('邮箱 zhang.san＠example.com').map((h) => h.code)).toEqual(['personal_email']);
  });

  it('folding keeps the map back to the original offsets', () => {
    const folded = foldText('a\u200bＢ c', { dropSpacing: true });
    expect(folded).toEqual({ text: 'aBc', origin: [0, 2, 4, 5] });
  });
});

describe('every published text is read', () => {
  it('the issuing unit and the document number (the disclosure block) are scanned', () => {
    const texts = packageTexts({
      title: '通知',
      document: { title: '通知', body: '<p>正文</p>', issuingUnit: '碑林区人民政付', documentNumber: `碑政发〔2026〕1号 ${ID}` },
    });
    const matches = texts.flatMap((t) => scanText(t, matcher));
    expect(matches.map((m) => [m.code, m.place.field])).toEqual([
      ['wording_blocked', '/document/issuingUnit'],
      ['personal_id_number', '/document/documentNumber'],
    ]);
  });

  it('a table reads cell by cell: an ID number and a mobile number in adjacent cells of a roster are both found', () => {
    // 公示名单 as editors paste them: one row per person, the ID number and the phone side by side.
    const roster =
      '<table><tbody><tr><th>序号</th><th>姓名</th><th>身份证号</th><th>联系电话</th></tr>' +
      `<tr><td>1</td><td>张三</td><td>${ID}</td><td>13812345678</td></tr></tbody></table>`;
    const matches = packageTexts({ title: '公示', document: { title: '公示', body: roster } }).flatMap((t) => scanText(t, matcher));
    expect(matches.map((m) => [m.code, m.place.field, m.place.line])).toEqual([
      ['personal_id_number', '/document/body', 7],
      ['personal_mobile', '/document/body', 8],
    ]);
    // Definition lists and rules between values too; a wrong form split across two cells is two words, as a line end is.
    expect(findPersonalData(htmlText('<dl><dt>电话</dt><dd>13812345678</dd><dd>2</dd></dl><p>1</p><hr><p>13912345678</p>')).map((h) => h.code)).toEqual([
      'personal_mobile',
      'personal_mobile',
    ]);
    expect(matcher.find(htmlText('<table><tr><td>攻</td><td>府</td></tr></table>'))).toEqual([]);
  });

  it('WebVTT captions: the cue text is read, not the header, timings, cue ids or notes', async () => {
    const vtt = `WEBVTT\n\nNOTE 攻府 in a note is not shown\n\n1\n00:00:01.000 --> 00:00:03.000\n<v 主持人>欢迎收看，中华人民共合国\n第二行 电话13812345678\n\n00:00:04.000 --> 00:00:05.000\n谢谢\n`;
    const read = await extractText(new TextEncoder().encode(vtt), 'vtt');
    expect(read).toEqual({ readable: true, truncated: false, parts: [{ within: '字幕', text: '欢迎收看，中华人民共合国\n第二行 电话13812345678\n谢谢' }] });
  });
});
