/**
 * Attachments (附件) and captions, checked by their content, never their name:
 *
 *   PDF         starts with %PDF- and has its %%EOF marker near the end (not truncated)
 *   DOCX/XLSX   a ZIP whose central directory lists [Content_Types].xml and word/… or xl/… parts
 *   OFD         a ZIP with OFD.xml at its root (GB/T 33190, the national fixed-layout format)
 *   DOC/XLS     an OLE2 compound file holding a WordDocument or Workbook/Book stream
 *   WebVTT      UTF-8 text starting with the line WEBVTT
 *
 * They are published as they are (a pass-through rendition), so nothing is decoded further.
 */
import { open, readFile } from 'node:fs/promises';
import { GovpubError } from '../domain/errors.js';
import type { ProbeResult } from './probe.js';
import { fileZh } from './units.js';

/** What each attachment format is called, its MIME type and its extension. */
export const DOCUMENT_FORMATS = {
  pdf: { mime: 'application/pdf', extension: 'pdf', label: 'PDF' },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extension: 'docx', label: 'Word' },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extension: 'xlsx', label: 'Excel' },
  doc: { mime: 'application/msword', extension: 'doc', label: 'Word 97-2003' },
  xls: { mime: 'application/vnd.ms-excel', extension: 'xls', label: 'Excel 97-2003' },
  ofd: { mime: 'application/ofd', extension: 'ofd', label: 'OFD' },
} as const;
export type DocumentFormat = keyof typeof DOCUMENT_FORMATS;

/** `zh`: the whole Chinese sentence, after the file's name (「…」). */
const invalid = (label: string, what: string, hint: string, zh: string) =>
  new GovpubError('media_document_invalid', `${label} ${what}. ${hint}`, { label, status: 400 }, { zh: `${fileZh(label)}${zh}` });
const unsupported = (label: string, what: string, hint: string, zh: string) =>
  new GovpubError('media_unsupported', `${label} is ${what}. ${hint}`, { label, detected: what }, { zh: `${fileZh(label)}${zh}` });

async function readRange(filePath: string, position: number, length: number): Promise<Buffer> {
  const fh = await open(filePath, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The names in a ZIP's central directory, or null when there is no readable one. */
export async function zipEntryNames(filePath: string, sizeBytes: number): Promise<string[] | null> {
  // The end-of-central-directory record is in the last 22 bytes plus at most a 64 kB comment.
  const tailLength = Math.min(sizeBytes, 22 + 0xffff);
  const tail = await readRange(filePath, sizeBytes - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const entries = tail.readUInt16LE(eocd + 10);
  const directorySize = tail.readUInt32LE(eocd + 12);
  const directoryOffset = tail.readUInt32LE(eocd + 16);
  if (directoryOffset + directorySize > sizeBytes) return null;
  const directory = await readRange(filePath, directoryOffset, directorySize);
  const names: string[] = [];
  let at = 0;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== 0x02014b50) return null;
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    if (at + 46 + nameLength > directory.length) return null;
    names.push(directory.subarray(at + 46, at + 46 + nameLength).toString('utf8'));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

function result(format: DocumentFormat, sizeBytes: number): ProbeResult {
  const { mime, extension } = DOCUMENT_FORMATS[format];
  return { kind: 'document', mime, format, extension, sizeBytes };
}

/** Probes an attachment the first bytes called a document (`pdf`, `zip` or `ole2`). */
export async function probeDocument(filePath: string, label: string, sizeBytes: number, container: 'pdf' | 'zip' | 'ole2'): Promise<ProbeResult> {
  if (container === 'pdf') {
    const tail = await readRange(filePath, Math.max(0, sizeBytes - 2048), Math.min(sizeBytes, 2048));
    if (!tail.toString('latin1').includes('%%EOF')) {
      throw invalid(
        label,
        'is a PDF without its end marker (%%EOF): it is truncated or damaged',
        'Export or save the PDF again and upload the new file.',
        '是缺少结束标记（%%EOF）的 PDF，文件不完整或已损坏。请重新导出或保存 PDF 后上传新文件。',
      );
    }
    return result('pdf', sizeBytes);
  }
  if (container === 'zip') {
    const names = await zipEntryNames(filePath, sizeBytes);
    if (!names) {
      throw invalid(
        label,
        'looks like a ZIP container (DOCX, XLSX or OFD) but its directory cannot be read: it is truncated or damaged',
        'Save the file again and upload it.',
        '看起来是 ZIP 格式的文档（DOCX、XLSX 或 OFD），但其目录无法读取，文件不完整或已损坏。请重新保存文件后再上传。',
      );
    }
    const has = (test: (name: string) => boolean) => names.some(test);
    const ooxml = names.includes('[Content_Types].xml');
    if (ooxml && has((n) => n.startsWith('word/'))) return result('docx', sizeBytes);
    if (ooxml && has((n) => n.startsWith('xl/'))) return result('xlsx', sizeBytes);
    if (names.includes('OFD.xml')) return result('ofd', sizeBytes);
    if (ooxml && has((n) => n.startsWith('ppt/'))) {
      throw unsupported(
        label,
        'a PowerPoint presentation',
        'Attachments may be PDF, Word, Excel or OFD: save the presentation as PDF.',
        '是 PowerPoint 演示文稿。附件只能是 PDF、Word、Excel 或 OFD：请把演示文稿另存为 PDF 后上传。',
      );
    }
    if (ooxml) {
      throw invalid(
        label,
        'is an Office file with neither word/ nor xl/ parts',
        'Save it again from Word or Excel and upload it.',
        '是 Office 文件，但其中既没有 Word（word/）也没有 Excel（xl/）部分。请用 Word 或 Excel 重新保存后上传。',
      );
    }
    throw unsupported(
      label,
      'a ZIP archive',
      'Attachments may be PDF, Word (.doc/.docx), Excel (.xls/.xlsx) or OFD: upload the documents themselves, not an archive.',
      '是 ZIP 压缩包。附件只能是 PDF、Word（.doc/.docx）、Excel（.xls/.xlsx）或 OFD：请上传文档本身，不要上传压缩包。',
    );
  }
  // OLE2: the directory names its streams in UTF-16LE; a document is small enough (≤ the upload limit) to scan whole.
  const bytes = await readFile(filePath);
  const stream = (name: string) => bytes.includes(Buffer.from(name, 'utf16le'));
  if (stream('WordDocument')) return result('doc', sizeBytes);
  if (stream('Workbook') || stream('Book\u0000')) return result('xls', sizeBytes);
  if (stream('PowerPoint Document')) {
    throw unsupported(
      label,
      'a PowerPoint 97-2003 presentation',
      'Attachments may be PDF, Word, Excel or OFD: save the presentation as PDF.',
      '是 PowerPoint 97-2003 演示文稿。附件只能是 PDF、Word、Excel 或 OFD：请把演示文稿另存为 PDF 后上传。',
    );
  }
  throw invalid(
    label,
    'is an old-style Office file (OLE2) with neither a Word document nor an Excel workbook in it',
    'Save it as .docx, .xlsx or PDF and upload that.',
    '是旧版 Office 文件（OLE2），但其中既没有 Word 文档也没有 Excel 工作簿。请另存为 .docx、.xlsx 或 PDF 后上传。',
  );
}

/** Probes a WebVTT captions file: UTF-8 text whose first line is WEBVTT, without NUL or other controls. */
export async function probeCaptions(filePath: string, label: string, sizeBytes: number): Promise<ProbeResult> {
  const bytes = await readFile(filePath);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const [problem, problemZh] = text.includes('\uFFFD')
    ? ['is not UTF-8 text', '不是 UTF-8 编码的文本']
    : /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)
      ? ['contains control characters', '含有控制字符']
      : !/^\uFEFF?WEBVTT(?:[ \t][^\r\n]*)?(?:\r\n|\r|\n|$)/.test(text)
        ? ['does not start with the line WEBVTT', '的第一行不是 WEBVTT']
        : [null, null];
  if (problem) {
    throw new GovpubError(
      'media_captions_invalid',
      `${label} ${problem}: captions must be a WebVTT file (UTF-8, first line WEBVTT). Export the captions as .vtt and upload them.`,
      { label, status: 400 },
      { zh: `${fileZh(label)}${problemZh}：字幕须为 WebVTT 文件（UTF-8 编码，第一行为 WEBVTT）。请把字幕导出为 .vtt 后上传。` },
    );
  }
  return { kind: 'captions', mime: 'text/vtt', format: 'vtt', extension: 'vtt', sizeBytes };
}
