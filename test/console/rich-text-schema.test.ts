/**
 * The console's rich-text editor writes only HTML the API's sanitizer keeps as it is: the body an
 * editor sees is the body stored and published. Two ways in: HTML strings as TipTap writes them for
 * every toolbar action, and documents holding every node and mark of the editor's real schema,
 * rendered by that schema's own toDOM rules. Both go through parsePackageInput (the API's input
 * path, sanitize-html with its options) and must come out unchanged.
 */
import { getSchema } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';
import type { DOMOutputSpec, Mark, Node as PmNode, Schema } from '@tiptap/pm/model';
import { describe, expect, it } from 'vitest';
import { loadRegistrySync } from '../../config/registry.js';
import { parsePackageInput } from '../../services/package-input.js';
import {
  cleanedPastedHtml,
  isAllowedLink,
  isEmptyRichText,
  normalizedEditorHtml,
  richTextExtensions,
} from '../../web/src/components/editor/rich-text-schema.js';

const registry = loadRegistrySync();

/** The body as the API stores it (document body and an interpretation body both go through the sanitizer). */
function sanitizedByApi(html: string): { document: string; interpretation: string } {
  const { content } = parsePackageInput(
    {
      title: '关于印发《碑林区政务公开工作要点》的通知',
      catalogueItem: 'qzf-gfxwj',
      document: { title: '碑林区政务公开工作要点', body: html, issuingUnit: '西安市碑林区人民政府办公室' },
      interpretations: [{ form: 'text', title: '图文解读', body: html }],
      targets: ['portal:zwgk-zcwj-gfxwj'],
    },
    registry,
  );
  return { document: content.document!.body, interpretation: content.interpretations[0]!.body };
}

// -------------------------------------------------------------------------------------------------
// Rendering a document by the schema's own toDOM rules, as the browser's DOMSerializer + innerHTML
// would write it (text: & < > and U+00A0 escaped; attributes: & and " escaped).
// -------------------------------------------------------------------------------------------------

const VOID_TAGS = new Set(['br', 'img', 'hr']);
const escapeText = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('\u00a0', '&nbsp;');
const escapeAttribute = (s: string) => s.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('\u00a0', '&nbsp;');

function renderSpec(spec: DOMOutputSpec, hole: string): string {
  if (typeof spec === 'string') return escapeText(spec);
  if (!Array.isArray(spec)) throw new Error('the schema renders a DOM node directly; this test expects array specs');
  const [tag, ...rest] = spec as unknown as [string, ...unknown[]];
  let attributes = '';
  let children = rest;
  const first = rest[0];
  if (first && typeof first === 'object' && !Array.isArray(first)) {
    for (const [name, value] of Object.entries(first as Record<string, unknown>)) {
      if (value !== null && value !== undefined) attributes += ` ${name}="${escapeAttribute(String(value))}"`;
    }
    children = rest.slice(1);
  }
  if (VOID_TAGS.has(tag)) return `<${tag}${attributes}>`;
  const inner = children.map((child) => (child === 0 ? hole : renderSpec(child as DOMOutputSpec, hole))).join('');
  return `<${tag}${attributes}>${inner}</${tag}>`;
}

function renderMarks(marks: readonly Mark[], html: string): string {
  return [...marks].reverse().reduce((inner, mark) => renderSpec(mark.type.spec.toDOM!(mark, true), inner), html);
}

function renderNode(node: PmNode): string {
  if (node.isText) return renderMarks(node.marks, escapeText(node.text ?? ''));
  let children = '';
  node.forEach((child) => {
    children += renderNode(child);
  });
  const html = renderSpec(node.type.spec.toDOM!(node), children);
  return node.isInline ? renderMarks(node.marks, html) : html;
}

function renderDocument(schema: Schema, json: Record<string, unknown>): string {
  let html = '';
  schema.nodeFromJSON(json).forEach((block) => {
    html += renderNode(block);
  });
  return normalizedEditorHtml(html);
}

const text = (value: string, marks: Record<string, unknown>[] = []) => ({ type: 'text', text: value, ...(marks.length ? { marks } : {}) });
const paragraph = (...content: Record<string, unknown>[]) => ({ type: 'paragraph', content });
const item = (...content: Record<string, unknown>[]) => ({ type: 'listItem', content });
const link = (href: string, title?: string) => ({ type: 'link', attrs: { href, ...(title ? { title } : {}) } });

describe('the editor schema', () => {
  const schema = getSchema(richTextExtensions());

  it('holds only the nodes and marks the toolbar offers (adding one is a decision this test re-checks)', () => {
    expect(Object.keys(schema.nodes).sort()).toEqual([
      'blockquote',
      'bulletList',
      'doc',
      'hardBreak',
      'heading',
      'image',
      'listItem',
      'orderedList',
      'paragraph',
      'table',
      'tableCell',
      'tableHeader',
      'tableRow',
      'text',
    ]);
    expect(Object.keys(schema.marks).sort()).toEqual(['bold', 'italic', 'link']);
  });

  it('renders every node and mark of the schema as HTML the sanitizer keeps unchanged', () => {
    const documents: Record<string, unknown>[] = [
      {
        type: 'doc',
        content: [
          { type: 'heading', attrs: { level: 2 }, content: [text('一、总体要求')] },
          { type: 'heading', attrs: { level: 3 }, content: [text('（一）工作目标')] },
          { type: 'heading', attrs: { level: 4 }, content: [text('1. 具体任务')] },
          paragraph(text('依法'), text('公开', [{ type: 'bold' }]), text('政府信息，'), text('重点', [{ type: 'italic' }]), text('领域')),
          paragraph(text('加粗且倾斜', [{ type: 'bold' }, { type: 'italic' }])),
          paragraph(text('详见'), text('区政府门户网站', [link('https://www.beilin.gov.cn/zwgk/index.html?col=1&page=2', '碑林区人民政府')]), text('。')),
          paragraph(text('来信请寄'), text('gk@beilin.gov.cn', [link('mailto:gk@beilin.gov.cn')])),
          paragraph(text('链接中的粗体', [link('http://www.beilin.gov.cn/'), { type: 'bold' }])),
          paragraph(text('第一行'), { type: 'hardBreak' }, text('第二行')),
          paragraph(),
          {
            type: 'bulletList',
            content: [item(paragraph(text('第一项'))), item(paragraph(text('第二项')), { type: 'bulletList', content: [item(paragraph(text('子项')))] })],
          },
          { type: 'orderedList', attrs: { start: 3 }, content: [item(paragraph(text('第三条'))), item(paragraph(text('第四条')))] },
          { type: 'blockquote', content: [paragraph(text('《条例》第二十条：行政机关应当主动公开……'))] },
          paragraph(text('比较：a < b && c > d，"引号"与\'单引号\'，全角空格\u3000与不换行\u00a0空格，😀')),
          paragraph(text('图：'), {
            type: 'image',
            attrs: { src: '/api/media/' + 'a'.repeat(64) + '/content', alt: '五项措施一览', width: '640', height: '360' },
          }),
          {
            type: 'table',
            content: [
              {
                type: 'tableRow',
                content: [
                  { type: 'tableHeader', content: [text('街区')] },
                  { type: 'tableHeader', content: [text('数量')] },
                ],
              },
              { type: 'tableRow', content: [{ type: 'tableCell', attrs: { colspan: '2' }, content: [text('书院门', [{ type: 'bold' }])] }] },
            ],
          },
        ],
      },
    ];
    for (const json of documents) {
      const html = renderDocument(schema, json);
      expect(html).toContain('<ol><li>'); // an ordered list that started at 3 still renders plainly
      expect(html).not.toContain('target=');
      expect(html).toContain('<br />');
      const stored = sanitizedByApi(html);
      expect(stored.document).toBe(html);
      expect(stored.interpretation).toBe(html);
    }
  });

  it('is load-bearing: TipTap’s defaults (links with target and rel, numbered lists with start) would be changed by the sanitizer', () => {
    const unrestricted = getSchema([StarterKit]);
    const html = renderDocument(unrestricted, {
      type: 'doc',
      content: [
        paragraph(text('区政府门户网站', [link('https://www.beilin.gov.cn/')])),
        { type: 'orderedList', attrs: { start: 3 }, content: [item(paragraph(text('第三条')))] },
      ],
    });
    expect(html).toContain('target="_blank"');
    expect(html).toContain('<ol start="3">');
    expect(sanitizedByApi(html).document).toBe('<p><a href="https://www.beilin.gov.cn/">区政府门户网站</a></p><ol><li><p>第三条</p></li></ol>');
  });
});

describe('HTML as the editor writes it for each toolbar action', () => {
  const samples: Record<string, string> = {
    bold: '<p>依法<strong>公开</strong>政府信息</p>',
    italic: '<p><em>重点领域</em>信息公开</p>',
    'bold and italic': '<p><strong><em>特别提示</em></strong>：请于月底前提交</p>',
    'heading 2': '<h2>一、总体要求</h2>',
    'heading 3': '<h3>（一）工作目标</h3>',
    'heading 4': '<h4>1. 具体任务</h4>',
    'bullet list': '<ul><li><p>完善政策解读</p></li><li><p>加强政民互动</p></li></ul>',
    'ordered list': '<ol><li><p>第一条</p></li><li><p>第二条</p></li></ol>',
    'nested list': '<ol><li><p>总体要求</p><ul><li><p>子项一</p></li><li><p>子项二</p></li></ul></li></ol>',
    link: '<p>详见<a href="https://www.beilin.gov.cn/zwgk/">区政府门户网站</a>。</p>',
    'link with query and title': '<p><a href="https://www.beilin.gov.cn/search?q=%E6%94%BF%E7%AD%96&amp;page=2" title="站内搜索">搜索</a></p>',
    'mail link': '<p>联系邮箱：<a href="mailto:gk@beilin.gov.cn">gk@beilin.gov.cn</a></p>',
    blockquote: '<blockquote><p>《中华人民共和国政府信息公开条例》第十九条</p></blockquote>',
    'line break (Shift+Enter), written as the sanitizer writes it': normalizedEditorHtml('<p>碑林区人民政府<br>2026年11月30日</p>'),
    'empty paragraph between blocks': '<p>第一段</p><p></p><p>第二段</p>',
    'escaped text': '<p>a &lt; b &amp;&amp; c &gt; d，"引号"</p>',
    'non-breaking space (normalized)': normalizedEditorHtml('<p>甲&nbsp;乙</p>'),
    'undo/redo leave ordinary markup': '<h2>标题</h2><p>正文<strong>加粗</strong></p><ul><li><p>列表</p></li></ul>',
  };

  for (const [action, html] of Object.entries(samples)) {
    it(`${action}: stored unchanged`, () => {
      expect(sanitizedByApi(html).document).toBe(html);
    });
  }
});

describe('editor helpers', () => {
  it('accepts only http(s) and mailto links', () => {
    expect(isAllowedLink('https://www.beilin.gov.cn/')).toBe(true);
    expect(isAllowedLink('mailto:gk@beilin.gov.cn')).toBe(true);
    expect(isAllowedLink('javascript:alert(1)')).toBe(false);
    expect(isAllowedLink('data:text/html,hi')).toBe(false);
    expect(isAllowedLink('www.beilin.gov.cn')).toBe(false);
  });

  it('treats an editor with nothing typed as empty', () => {
    expect(isEmptyRichText('<p></p>')).toBe(true);
    expect(isEmptyRichText('<p></p><p></p>')).toBe(true);
    expect(isEmptyRichText('<p>字</p>')).toBe(false);
  });

  it('takes in a paste from Word or WPS only as the API stores it: pictures it would empty left out and counted, invisible and control characters gone', () => {
    const pasted =
      '<p class=MsoNormal>各街道\u000b办事处\u200b：<img src="file:///C:/Temp/clip_image001.png"><img src=\'data:image/png;base64,iVBORw0KGgo=\'>' +
      '<img src="https://www.beilin.gov.cn/u/1.png" alt="图"><img src="/api/media/' +
      'a'.repeat(64) +
      '/content" alt="上传"><o:p></o:p>\u0007\ufeff</p>';
    const { html, droppedPictures } = cleanedPastedHtml(pasted);
    expect(droppedPictures).toBe(2);
    expect(html).toBe(
      '<p class=MsoNormal>各街道 办事处：<img src="https://www.beilin.gov.cn/u/1.png" alt="图"><img src="/api/media/' +
        'a'.repeat(64) +
        '/content" alt="上传"><o:p></o:p></p>',
    );
    // What is left the sanitizer keeps: both pictures, no empty one.
    expect(sanitizedByApi(html).document).toBe(
      '<p>各街道 办事处：<img src="https://www.beilin.gov.cn/u/1.png" alt="图" /><img src="/api/media/' + 'a'.repeat(64) + '/content" alt="上传" /></p>',
    );
    expect(cleanedPastedHtml('<p>正文</p>')).toEqual({ html: '<p>正文</p>', droppedPictures: 0 });
    // Word writes each cell's text as paragraphs: they become lines of the cell, which holds text only.
    expect(
      cleanedPastedHtml('<table class=MsoTableGrid><tr><td width=100><p class=MsoNormal>时间<o:p></o:p></p>\n<p>上午</p></td><th><p>事项</p></th></tr></table>')
        .html,
    ).toBe('<table class=MsoTableGrid><tr><td width=100>时间<o:p></o:p><br>上午</td><th>事项</th></tr></table>');
  });
});
