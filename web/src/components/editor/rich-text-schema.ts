/**
 * The rich-text editor's schema: only what the API's sanitizer keeps (services/package-input.ts,
 * sanitize-html with its default tags plus img/figure/u/s/sub/sup, `a` with href and title only,
 * no classes, no target/rel, only text-align styles). Whatever the editor can hold it writes as
 * HTML the sanitizer returns unchanged, so what the editor shows is what is stored and published.
 * test/console/rich-text-schema.test.ts holds the editor to that.
 */
import { mergeAttributes, Node, type AnyExtension } from '@tiptap/core';
import { OrderedList } from '@tiptap/extension-list';
import StarterKit from '@tiptap/starter-kit';
import { mediaIdFromSrc } from '../../../../domain/package-media.js';
import { pastedTextCleaned } from '../../../../domain/text.js';

/** Heading levels the toolbar offers: the page's own title is the document title (h1). */
export const HEADING_LEVELS = [2, 3, 4] as const;

/** Link schemes the sanitizer allows (allowedSchemes); anything else is not a link. */
export const LINK_PROTOCOLS = ['http:', 'https:', 'mailto:'] as const;

/** True for an absolute http(s) or mailto URL, the only links a government page may carry. */
export function isAllowedLink(url: string): boolean {
  try {
    return (LINK_PROTOCOLS as readonly string[]).includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * An ordered list always renders as a plain `<ol>`: the sanitizer drops `start` and `type`, so a
 * list typed as "3. " or pasted from Word would otherwise change on the way in.
 */
const PlainOrderedList = OrderedList.extend({
  renderHTML({ HTMLAttributes }) {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const { start, type, ...rest } = HTMLAttributes as Record<string, unknown>;
    return ['ol', mergeAttributes(this.options.HTMLAttributes, rest), 0];
  },
});

/**
 * Pictures and tables a body already holds (written through the API or the CLI, as the example
 * policy's picture is): the toolbar adds neither, but without a node for them the editor dropped
 * them on load, and the next keystroke in the body saved it without them. Kept with the attributes
 * the sanitizer keeps (img: src, alt, width, height; cells: colspan, rowspan).
 */
const BodyImage = Node.create({
  name: 'image',
  inline: true,
  group: 'inline',
  atom: true,
  draggable: true,
  addAttributes: () => ({ src: { default: null }, alt: { default: null }, width: { default: null }, height: { default: null } }),
  parseHTML: () => [{ tag: 'img[src]' }],
  renderHTML: ({ HTMLAttributes }) => ['img', HTMLAttributes],
});
const BodyTable = Node.create({
  name: 'table',
  group: 'block',
  content: 'tableRow+',
  isolating: true,
  parseHTML: () => [{ tag: 'table' }],
  renderHTML: () => ['table', ['tbody', 0]],
});
const BodyTableRow = Node.create({
  name: 'tableRow',
  content: '(tableCell | tableHeader)+',
  parseHTML: () => [{ tag: 'tr' }],
  renderHTML: () => ['tr', 0],
});
const tableCell = (name: 'tableCell' | 'tableHeader', tag: 'td' | 'th') =>
  Node.create({
    name,
    content: 'inline*',
    isolating: true,
    addAttributes: () => ({ colspan: { default: null }, rowspan: { default: null } }),
    parseHTML: () => [{ tag }],
    renderHTML: ({ HTMLAttributes }) => [tag, HTMLAttributes, 0],
  });

/** The editor's extensions: StarterKit restricted to the sanitizer's tags, links without target/rel. */
export function richTextExtensions(): AnyExtension[] {
  return [
    StarterKit.configure({
      heading: { levels: [...HEADING_LEVELS] },
      // Not offered (and code blocks carry a language class the sanitizer removes).
      code: false,
      codeBlock: false,
      horizontalRule: false,
      strike: false,
      underline: false,
      orderedList: false,
      link: {
        openOnClick: false,
        autolink: true,
        defaultProtocol: 'https',
        protocols: ['http', 'https', 'mailto'],
        isAllowedUri: (url) => isAllowedLink(url),
        // The sanitizer keeps only href and title on links.
        HTMLAttributes: { target: null, rel: null, class: null },
      },
    }),
    PlainOrderedList,
    BodyImage,
    BodyTable,
    BodyTableRow,
    tableCell('tableCell', 'td'),
    tableCell('tableHeader', 'th'),
  ];
}

/** The HTML of an editor with nothing typed in it; stored as an empty body. */
export function isEmptyRichText(html: string): boolean {
  return html.replace(/<p>(?:<br>)?<\/p>/g, '').trim() === '';
}

/**
 * The editor's HTML written the way the sanitizer writes it, so the body stays byte-for-byte what
 * is stored: the browser writes U+00A0 as `&nbsp;` (the sanitizer decodes entities and writes the
 * character) and a line break as `<br>`, a picture as `<img …>` (the sanitizer writes `<br />`, `<img … />`).
 */
export function normalizedEditorHtml(html: string): string {
  return html
    .replaceAll('&nbsp;', '\u00a0')
    .replaceAll('<br>', '<br />')
    .replace(/<img([^>]*?)\s*\/?>/g, '<img$1 />');
}

/**
 * Whether a picture's source is one the API keeps: on the web (http, https) or an upload of
 * govpub's own (/api/media/…). Word and WPS put pasted pictures in as file:// or data: addresses,
 * which the sanitizer removes (no data: URLs in a government page), leaving an empty picture.
 */
export function isKeptImageSource(src: string): boolean {
  const trimmed = src.trim();
  if (mediaIdFromSrc(trimmed) !== null) return true;
  try {
    return ['http:', 'https:'].includes(new URL(trimmed).protocol);
  } catch {
    return false;
  }
}

const IMG_TAG = /<img\b[^>]*>/gi;
const SRC_ATTRIBUTE = /\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;

const TABLE_CELL = /(<t[dh]\b[^>]*>)([\s\S]*?)(<\/t[dh]>)/gi;

/**
 * A table cell's paragraphs as lines: Word and WPS write every cell's text as <p>, and a cell holds
 * text (inline content) only, so each paragraph would otherwise be moved out of the table, leaving
 * it a grid of empty cells with the text under it.
 */
function cellParagraphsAsLines(html: string): string {
  return html.replace(TABLE_CELL, (_cell, open: string, inner: string, close: string) => {
    const lines = inner
      .replace(/<\/p\s*>\s*<p\b[^>]*>/gi, '<br>')
      .replace(/<\/?p\b[^>]*>/gi, '')
      .trim();
    return `${open}${lines}${close}`;
  });
}

/**
 * HTML pasted into the editor (from Word, WPS or a web page) made what the API stores as it is:
 * characters the API refuses or nobody sees removed (pastedTextCleaned), pictures it would empty
 * (file://, data:) left out and counted, so the editor can say so rather than show a picture that
 * is never saved, and table cells' paragraphs made lines. Pure; TipTap's own schema drops the
 * classes, styles and <o:p>.
 */
export function cleanedPastedHtml(html: string): { html: string; droppedPictures: number } {
  let droppedPictures = 0;
  const kept = cellParagraphsAsLines(html).replace(IMG_TAG, (tag) => {
    const match = SRC_ATTRIBUTE.exec(tag);
    const src = match ? (match[1] ?? match[2] ?? match[3] ?? '') : '';
    if (src === '' || isKeptImageSource(src)) return tag;
    droppedPictures += 1;
    return '';
  });
  return { html: pastedTextCleaned(kept), droppedPictures };
}
