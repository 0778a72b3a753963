/** Attachments' text from real PDF, DOCX and XLSX files (and broken ones, and a bomb), and the link check against real local HTTP servers. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalMediaStore } from '../../media/index.js';
import { attachmentText, extractText, MAX_PART_BYTES, MAX_UNPACKED_BYTES } from '../../services/content-gate/attachments.js';
import { addressProblem, LinkChecker } from '../../services/content-gate/links.js';
import { scanText } from '../../domain/content-gate/scan.js';
import { idCheckCharacter } from '../../domain/content-gate/personal-data.js';
import { minimalPdf } from '../support/documents.js';

const ID = '61010319900307002' + idCheckCharacter('61010319900307002');

/** A one-page PDF whose text is drawn in Helvetica (a font pdf.js maps to Unicode without embedding). */
function pdf(text: string): Buffer {
  const stream = `BT /F1 12 Tf 72 712 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function docx(paragraphs: string[]): Uint8Array {
  const body = paragraphs.map((p) => `<w:p><w:r><w:t xml:space="preserve">${p}</w:t></w:r></w:p>`).join('');
  return zipSync({
    '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
    'word/document.xml': strToU8(
      `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
    ),
  });
}

function xlsx(): Uint8Array {
  return zipSync({
    '[Content_Types].xml': strToU8('<Types/>'),
    'xl/workbook.xml': strToU8('<workbook xmlns:r="r"><sheets><sheet name="补贴名单" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    'xl/_rels/workbook.xml.rels': strToU8('<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'),
    'xl/sharedStrings.xml': strToU8('<sst><si><t>姓名</t></si><si><t>手机</t></si><si><r><t>张</t></r><r><t>某</t></r></si></sst>'),
    'xl/worksheets/sheet1.xml': strToU8(
      `<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>1.3812345678E+10</v></c><c r="C2" t="inlineStr"><is><t>${ID}</t></is></c></row></sheetData></worksheet>`,
    ),
  });
}

describe('attachments', () => {
  it('PDF: text per page', async () => {
    const read = await extractText(new Uint8Array(pdf(`Tel 13812345678 ID ${ID}`)), 'pdf');
    expect(read.readable).toBe(true);
    if (!read.readable) return;
    expect(read.parts[0]!.within).toBe('第 1 页');
    const matches = scanText({ field: '/document/attachments/0', within: `a.pdf ${read.parts[0]!.within}`, text: read.parts[0]!.text }, null);
    expect(matches.map((m) => m.code)).toEqual(['personal_mobile', 'personal_id_number']);
    expect(matches[0]!.place.within).toBe('a.pdf 第 1 页');
  });

  it('DOCX: paragraphs as lines', async () => {
    const read = await extractText(docx(['碑林区人民政府', `申请人身份证号${ID}`]), 'docx');
    expect(read).toMatchObject({ readable: true, parts: [{ within: '正文', text: `碑林区人民政府\n申请人身份证号${ID}\n` }] });
  });

  it('XLSX: sheets by name, shared and inline strings, numbers in full', async () => {
    const read = await extractText(xlsx(), 'xlsx');
    expect(read.readable).toBe(true);
    if (!read.readable) return;
    expect(read.parts[0]!.within).toBe('工作表“补贴名单”');
    expect(read.parts[0]!.text).toBe(`姓名\t手机\n张某\t13812345678\t${ID}`);
  });

  it('broken files, a zip bomb, OFD and old Office formats are unreadable with a reason, never a crash', async () => {
    const truncated = minimalPdf('x').subarray(0, 40);
    expect(await extractText(new Uint8Array(truncated), 'pdf')).toMatchObject({ readable: false });
    expect(await extractText(new Uint8Array([0x50, 0x4b, 3, 4, 9, 9, 9]), 'docx')).toMatchObject({ readable: false, reason: expect.stringMatching(/损坏/) });
    const bomb = zipSync({ '[Content_Types].xml': strToU8('<Types/>'), 'word/document.xml': new Uint8Array(MAX_PART_BYTES + 1) }, { level: 9 });
    expect(bomb.length).toBeLessThan(100_000);
    expect(await extractText(bomb, 'docx')).toMatchObject({ readable: false, reasonEn: expect.stringMatching(/zip bomb/) });
    // A bomb of many parts each under the part limit: 60 such headers fit in a 2 MB DOCX and took
    // 4 GB to read. Refused before any is inflated.
    const part = new Uint8Array(MAX_PART_BYTES - 1);
    const headers = Object.fromEntries(Array.from({ length: Math.ceil(MAX_UNPACKED_BYTES / part.length) + 1 }, (_, i) => [`word/header${i + 1}.xml`, part]));
    const manyParts = zipSync({ '[Content_Types].xml': strToU8('<Types/>'), 'word/document.xml': strToU8('<w:document/>'), ...headers }, { level: 9 });
    expect(manyParts.length).toBeLessThan(200_000);
    expect(await extractText(manyParts, 'docx')).toMatchObject({
      readable: false,
      reason: expect.stringMatching(/个部分解压后合计超过 64 MB/),
      reasonEn: expect.stringMatching(/declare more than \d+ bytes unpacked together \(a zip bomb\?\)/),
    });
    expect(await extractText(new Uint8Array([1, 2, 3]), 'ofd')).toMatchObject({ readable: false, reason: expect.stringMatching(/OFD/) });
  });

  it('the text of an upload is read once and cached under its media id', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'govpub-gate-att-'));
    try {
      const store = new LocalMediaStore(path.join(dir, 'store'));
      const file = path.join(dir, 'a.docx');
      await writeFile(file, docx([`身份证号${ID}`]));
      const { sha256 } = await store.putFile(file);
      const first = await attachmentText(store, sha256, 'docx');
      expect(first.readable).toBe(true);
      expect(await store.readRecord(`content-gate/text-v1/${sha256}`)).toEqual(first);
      // The cache answers even when the blob is gone.
      await store.delete(sha256);
      expect(await attachmentText(store, sha256, 'docx')).toEqual(first);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('links', () => {
  let server: http.Server;
  let port: number;
  const base = () => `http://127.0.0.1:${port}`;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/ok') return res.writeHead(200).end('ok');
      if (req.url === '/head-refused') return res.writeHead(req.method === 'HEAD' ? 405 : 200).end();
      if (req.url === '/to-ok') return res.writeHead(302, { location: '/ok' }).end();
      if (req.url === '/to-internal') return res.writeHead(302, { location: 'http://10.0.0.5/oa' }).end();
      if (req.url === '/to-metadata') return res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      if (req.url === '/loop') return res.writeHead(302, { location: '/loop' }).end();
      if (req.url === '/slow') return setTimeout(() => res.writeHead(200).end(), 3_000);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses internal and special addresses of every kind', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      'fe80::1',
      'fc00::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
      '2002:a00:1::1',
    ]) {
      expect(addressProblem(a), a).not.toBeNull();
    }
    expect(addressProblem('114.114.114.114')).toBeNull();
    expect(addressProblem('2400:3200::1')).toBeNull();
  });

  it('without the allow-list a loopback server is refused, never fetched', async () => {
    let hits = 0;
    server.once('request', () => (hits += 1));
    const verdict = await new LinkChecker({ allow: [] }).check(`${base()}/ok`);
    expect(verdict).toMatchObject({ state: 'refused', reasonEn: expect.stringMatching(/loopback/) });
    expect(hits).toBe(0);
  });

  it('with the allow-list: alive, HEAD refused then GET, redirect followed, dead 404, too many redirects, timeout', async () => {
    // The server answers at once, except /slow (3 s): a loaded machine can hold an answer past 1 s,
    // so only /slow is asked with the 1 s limit.
    const checker = new LinkChecker({ allow: [`127.0.0.1:${port}`], timeoutMs: 30_000 });
    expect(await checker.check(`${base()}/ok`)).toEqual({ state: 'alive', status: 200 });
    expect(await checker.check(`${base()}/head-refused`)).toEqual({ state: 'alive', status: 200 });
    expect(await checker.check(`${base()}/to-ok`)).toEqual({ state: 'alive', status: 200 });
    expect(await checker.check(`${base()}/gone`)).toMatchObject({ state: 'dead', reason: '访问返回 HTTP 404' });
    expect(await checker.check(`${base()}/loop`)).toMatchObject({ state: 'dead', reasonEn: /more than 3 redirects/ });
    const impatient = new LinkChecker({ allow: [`127.0.0.1:${port}`], timeoutMs: 1_000 });
    expect(await impatient.check(`${base()}/slow`)).toMatchObject({ state: 'dead', reasonEn: /no answer within 1 s/ });
    expect(checker.cached(`${base()}/gone`)).toMatchObject({ state: 'dead' });
  });

  it('a redirect to an internal address is refused (each hop checked)', async () => {
    const checker = new LinkChecker({ allow: [`127.0.0.1:${port}`] });
    expect(await checker.check(`${base()}/to-internal`)).toMatchObject({ state: 'refused', reasonEn: /redirect goes to http:\/\/10\.0\.0\.5\/oa.*private/ });
    expect(await checker.check(`${base()}/to-metadata`)).toMatchObject({ state: 'refused', reasonEn: /linkLocal/ });
  });

  it('bad schemes, credentials and names that resolve to loopback are refused', async () => {
    const checker = new LinkChecker({ allow: [] });
    expect(await checker.check('ftp://example.org/a')).toMatchObject({ state: 'refused' });
    expect(await checker.check(`http://user:secret@127.0.0.1:${port}/ok`)).toMatchObject({ state: 'refused', reasonEn: /user name or password/ });
    expect(await checker.check(`http://localhost:${port}/ok`)).toMatchObject({ state: 'refused' });
    expect(await checker.check(`http://[::ffff:127.0.0.1]:${port}/ok`)).toMatchObject({ state: 'refused' });
  });
});
