/**
 * The text of an uploaded attachment (附件), page by page or sheet by sheet, for the gate to scan.
 *
 *   PDF    pdfjs-dist (Mozilla's PDF.js, legacy build for Node 20), no fonts, no eval, at most
 *          MAX_PDF_PAGES pages.
 *   DOCX   the paragraphs of word/document.xml (and headers, footers, notes).
 *   XLSX   the shared strings and inline strings of every sheet, and numbers written in full
 *          (an ID number typed as a number is still one), sheet by sheet.
 *   VTT    the cue text of WebVTT captions (timings, cue ids, NOTE and STYLE blocks and voice tags left out).
 *   DOC, XLS, OFD: not read (no kept parser for Node 20): an `attachment_unreadable` warning says
 *          so, and the reviewer reads the file.
 *
 * DOCX and XLSX are unzipped with fflate, which inflates each part into a buffer of the size the
 * ZIP's directory declares and no further: a part declaring more than MAX_PART_BYTES is not read
 * (a bomb), nor a file whose parts declare more than MAX_UNPACKED_BYTES together (a bomb of many
 * parts: 60 headers of 32 MB of zeros fit in a 2 MB DOCX and took 4 GB), and a part lying about
 * its size stops at what it declared. Every read has a time
 * limit; whatever goes wrong becomes "unreadable" with a reason, never a crash. The text of an
 * upload never changes (media ids are content hashes), so it is cached in the media store's
 * records under the media id.
 */
import { unzipSync } from 'fflate';
import type { MediaStore } from '../../media/store.js';
import { decodeEntities } from '../../domain/content-gate/text.js';

/** Where each piece of text stands in the file: `第 2 页`, `工作表“名单”`, `正文`. */
export interface AttachmentPart {
  within: string;
  text: string;
}

export type AttachmentText = { readable: true; parts: AttachmentPart[]; truncated: boolean } | { readable: false; reason: string; reasonEn: string };

export const MAX_FILE_BYTES = 50 * 1024 * 1024;
export const MAX_PART_BYTES = 32 * 1024 * 1024;
/** All the parts read from one DOCX or XLSX together (a long policy's document.xml is a few MB). */
export const MAX_UNPACKED_BYTES = 64 * 1024 * 1024;
export const MAX_PDF_PAGES = 500;
export const MAX_TEXT_CHARS = 2_000_000;
export const READ_TIMEOUT_MS = 20_000;
/** Bump when extraction changes, so cached texts are read again. */
const CACHE_VERSION = 1;

class Unreadable extends Error {
  constructor(
    readonly reason: string,
    readonly reasonEn: string,
  ) {
    super(reasonEn);
  }
}

function capped(parts: AttachmentPart[]): { parts: AttachmentPart[]; truncated: boolean } {
  let total = 0;
  const out: AttachmentPart[] = [];
  for (const p of parts) {
    if (total + p.text.length > MAX_TEXT_CHARS) {
      out.push({ within: p.within, text: p.text.slice(0, MAX_TEXT_CHARS - total) });
      return { parts: out, truncated: true };
    }
    total += p.text.length;
    out.push(p);
  }
  return { parts: out, truncated: false };
}

async function pdfParts(bytes: Uint8Array, deadline: number): Promise<AttachmentPart[]> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const task = getDocument({ data: bytes, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, stopAtErrors: false, verbosity: 0 });
  try {
    const doc = await task.promise;
    if (doc.numPages > MAX_PDF_PAGES)
      throw new Unreadable(`共 ${doc.numPages} 页，超过 ${MAX_PDF_PAGES} 页的检查上限`, `it has ${doc.numPages} pages, over the ${MAX_PDF_PAGES}-page limit`);
    const parts: AttachmentPart[] = [];
    for (let n = 1; n <= doc.numPages; n += 1) {
      // The race in extractText answers in time; this stops the work itself (and destroys the document).
      if (Date.now() > deadline) throw new Unreadable('读取超时', 'reading it took too long');
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        text += item.str + (item.hasEOL ? '\n' : '');
      }
      parts.push({ within: `第 ${n} 页`, text });
      page.cleanup();
    }
    return parts;
  } finally {
    await task.destroy();
  }
}

/** The parts of a DOCX or XLSX the test names, inflated within the limits. */
function unzipParts(bytes: Uint8Array, wanted: (name: string) => boolean): Record<string, string> {
  let tooBig: string | undefined;
  let unpacked = 0;
  let parts = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        if (!wanted(f.name)) return false;
        if (f.originalSize > MAX_PART_BYTES) tooBig ??= f.name;
        // Counted before anything is inflated; a name given twice counts twice (each is inflated).
        unpacked += f.originalSize;
        parts += 1;
        return !tooBig && unpacked <= MAX_UNPACKED_BYTES;
      },
    });
  } catch (error) {
    throw new Unreadable('文件已损坏，无法解压', `its ZIP container cannot be read (${(error as Error).message})`);
  }
  if (!tooBig && unpacked > MAX_UNPACKED_BYTES)
    throw new Unreadable(
      `其中 ${parts} 个部分解压后合计超过 ${MAX_UNPACKED_BYTES / 1024 / 1024} MB，疑为压缩炸弹`,
      `its ${parts} text parts declare more than ${MAX_UNPACKED_BYTES} bytes unpacked together (a zip bomb?)`,
    );
  if (tooBig)
    throw new Unreadable(
      `其中的 ${tooBig} 解压后超过 ${MAX_PART_BYTES / 1024 / 1024} MB，疑为压缩炸弹`,
      `its part ${tooBig} declares more than ${MAX_PART_BYTES} bytes unpacked (a zip bomb?)`,
    );
  const decoder = new TextDecoder('utf-8', { fatal: false });
  return Object.fromEntries(Object.entries(files).map(([name, data]) => [name, decoder.decode(data)]));
}

/** The text of WordprocessingML: one line per paragraph, tabs and breaks kept. */
function wordText(xml: string): string {
  let out = '';
  for (const m of xml.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>|<\/w:p>|<w:tab\/>|<w:(?:br|cr)\b[^>]*\/>/g)) {
    if (m[1] !== undefined) out += m[1];
    else out += m[0] === '<w:tab/>' ? '\t' : '\n';
  }
  return decodeEntities(out);
}

function docxParts(bytes: Uint8Array): AttachmentPart[] {
  const files = unzipParts(bytes, (n) => /^word\/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$/.test(n));
  const body = files['word/document.xml'];
  if (body === undefined) throw new Unreadable('不是有效的 Word 文件（缺少正文部分）', 'it has no word/document.xml');
  const parts: AttachmentPart[] = [{ within: '正文', text: wordText(body) }];
  for (const [name, xml] of Object.entries(files)) {
    if (name === 'word/document.xml') continue;
    const label = name.includes('header') ? '页眉' : name.includes('footer') ? '页脚' : '注释';
    parts.push({ within: label, text: wordText(xml) });
  }
  return parts.filter((p) => p.text.trim());
}

/** The text of each `<si>`/`<is>` (rich runs joined). */
function stringItems(xml: string, tag: 'si'): string[] {
  const out: string[] = [];
  for (const m of xml.matchAll(new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))) {
    let s = '';
    for (const t of m[1]!.matchAll(/<t(?:\s[^>]*)?>([^<]*)<\/t>/g)) s += t[1];
    out.push(decodeEntities(s));
  }
  return out;
}

function xlsxParts(bytes: Uint8Array): AttachmentPart[] {
  const files = unzipParts(
    bytes,
    (n) => n === 'xl/sharedStrings.xml' || n === 'xl/workbook.xml' || n === 'xl/_rels/workbook.xml.rels' || /^xl\/worksheets\/sheet\d+\.xml$/.test(n),
  );
  const shared = stringItems(files['xl/sharedStrings.xml'] ?? '', 'si');
  // Sheet names by their part: workbook.xml names sheets by relationship id, the rels file maps ids to parts.
  const partOf = new Map<string, string>();
  for (const m of (files['xl/_rels/workbook.xml.rels'] ?? '').matchAll(/<Relationship\b[^>]*>/g)) {
    const id = /\bId="([^"]+)"/.exec(m[0])?.[1];
    const target = /\bTarget="([^"]+)"/.exec(m[0])?.[1];
    if (id && target) partOf.set(id, `xl/${target.replace(/^\/?xl\//, '')}`);
  }
  const nameOf = new Map<string, string>();
  for (const m of (files['xl/workbook.xml'] ?? '').matchAll(/<sheet\b[^>]*>/g)) {
    const name = /\bname="([^"]*)"/.exec(m[0])?.[1];
    const rid = /\br:id="([^"]+)"/.exec(m[0])?.[1];
    const part = rid ? partOf.get(rid) : undefined;
    if (name && part) nameOf.set(part, decodeEntities(name));
  }
  const sheets = Object.keys(files)
    .filter((n) => n.startsWith('xl/worksheets/'))
    .sort((a, b) => Number(/(\d+)\.xml$/.exec(a)![1]) - Number(/(\d+)\.xml$/.exec(b)![1]));
  if (sheets.length === 0) throw new Unreadable('不是有效的 Excel 文件（没有工作表）', 'it has no worksheets');
  return sheets.map((part, i) => {
    const rows: string[] = [];
    for (const row of files[part]!.matchAll(/<row\b[^>]*>([\s\S]*?)<\/row>/g)) {
      const cells: string[] = [];
      for (const c of row[1]!.matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
        const type = /\bt="([^"]+)"/.exec(c[1]!)?.[1];
        const inner = c[2] ?? '';
        const value = /<v>([^<]*)<\/v>/.exec(inner)?.[1];
        if (type === 's' && value !== undefined) cells.push(shared[Number(value)] ?? '');
        else if (type === 'inlineStr') cells.push(stringItems(inner.replace(/<is>/g, '<si>').replace(/<\/is>/g, '</si>'), 'si').join(''));
        else if (value !== undefined) cells.push(fullNumber(decodeEntities(value)));
      }
      if (cells.length) rows.push(cells.join('\t'));
    }
    return { within: `工作表“${nameOf.get(part) ?? `Sheet${i + 1}`}”`, text: rows.join('\n') };
  });
}

/** The cue text of WebVTT captions, one line per caption line: what the viewer reads under the video. */
function vttParts(bytes: Uint8Array): AttachmentPart[] {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/^\uFEFF/, '');
  const lines: string[] = [];
  for (const block of text.split(/\r?\n(?:[ \t]*\r?\n)+/)) {
    const rows = block.split(/\r?\n/);
    const timing = rows.findIndex((r) => r.includes('-->'));
    // The header, NOTE, STYLE and REGION blocks have no timing line; a cue's id (if any) stands before it.
    if (timing === -1) continue;
    for (const row of rows.slice(timing + 1)) if (row.trim()) lines.push(decodeEntities(row.replace(/<[^>]*>/g, '')));
  }
  return [{ within: '字幕', text: lines.join('\n') }].filter((p) => p.text.trim());
}

/** A number cell as written in full: Excel stores 6.1010319900101E+17 for a typed ID number. */
function fullNumber(value: string): string {
  if (!/e\+/i.test(value)) return value;
  const n = Number(value);
  return Number.isFinite(n) && Math.abs(n) < 1e21 ? BigInt(Math.round(n)).toString() : value;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Unreadable(`读取超过 ${ms / 1000} 秒仍未完成`, `reading it took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Reads the text of a file's bytes by its probed format (`pdf`, `docx`, `xlsx`, …). */
export async function extractText(bytes: Uint8Array, format: string, timeoutMs = READ_TIMEOUT_MS): Promise<AttachmentText> {
  try {
    if (bytes.length > MAX_FILE_BYTES)
      throw new Unreadable(`文件超过 ${MAX_FILE_BYTES / 1024 / 1024} MB 的检查上限`, `it is over the ${MAX_FILE_BYTES}-byte limit`);
    let parts: AttachmentPart[];
    if (format === 'pdf') parts = await withTimeout(pdfParts(bytes, Date.now() + timeoutMs), timeoutMs);
    else if (format === 'docx') parts = docxParts(bytes);
    else if (format === 'xlsx') parts = xlsxParts(bytes);
    else if (format === 'vtt') parts = vttParts(bytes);
    else {
      const label = format === 'ofd' ? 'OFD' : format === 'doc' ? 'Word 97-2003（.doc）' : format === 'xls' ? 'Excel 97-2003（.xls）' : format;
      throw new Unreadable(`系统不能读取 ${label} 格式的文字`, `govpub cannot read the text of ${format.toUpperCase()} files`);
    }
    return { readable: true, ...capped(parts) };
  } catch (error) {
    if (error instanceof Unreadable) return { readable: false, reason: error.reason, reasonEn: error.reasonEn };
    const message = error instanceof Error ? error.message : String(error);
    return { readable: false, reason: '文件已损坏或格式不受支持', reasonEn: `it cannot be parsed (${message.slice(0, 200)})` };
  }
}

/** The text of an upload, from the cache or read once and cached (the upload never changes). */
export async function attachmentText(store: MediaStore, mediaId: string, format: string): Promise<AttachmentText> {
  const record = `content-gate/text-v${CACHE_VERSION}/${mediaId}`;
  const cached = await store.readRecord<AttachmentText>(record);
  if (cached) return cached;
  if (!(await store.has(mediaId))) return { readable: false, reason: '文件不在媒体库中', reasonEn: 'the file is missing from the media store' };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of await store.createReadStream(mediaId, { end: MAX_FILE_BYTES })) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  const text: AttachmentText =
    size > MAX_FILE_BYTES
      ? { readable: false, reason: `文件超过 ${MAX_FILE_BYTES / 1024 / 1024} MB 的检查上限`, reasonEn: `it is over the ${MAX_FILE_BYTES}-byte limit` }
      : await extractText(new Uint8Array(Buffer.concat(chunks)), format);
  await store.writeRecord(record, text);
  return text;
}
