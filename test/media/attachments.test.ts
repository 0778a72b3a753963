/**
 * Attachments (附件) and captions through POST /api/media on a real server and store: PDF, DOCX,
 * XLSX, OFD, DOC and XLS built byte by byte (test/support/documents.ts) are taken as kind
 * `document` by their content whatever their name; damaged and unsupported ones are refused with
 * the reason; the size cap is the document kind's own; WebVTT captions are kind `captions`; the
 * portal's pass-through renditions are the original bytes.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareRendition } from '../../media/renditions.js';
import { minimalDocx, minimalOfd, minimalOle2, minimalPdf, minimalPptx, minimalXlsx, webVtt, zipArchive } from '../support/documents.js';
import { startMediaHarness, uploadFile, type MediaHarness } from './media-harness.js';

let h: MediaHarness;

beforeAll(async () => {
  h = await startMediaHarness();
});

afterAll(async () => {
  await h?.close();
});

async function upload(name: string, bytes: Buffer, harness = h) {
  const file = path.join(harness.dir, `upload-${Math.random().toString(36).slice(2)}-${name}`);
  await writeFile(file, bytes);
  return uploadFile(harness, file, name);
}

describe('attachments by content', () => {
  it.each([
    ['通知.pdf', 'pdf', 'application/pdf', minimalPdf],
    ['方案.docx', 'docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', minimalDocx],
    ['预算表.xlsx', 'xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', minimalXlsx],
    ['决定.ofd', 'ofd', 'application/ofd', minimalOfd],
    ['旧文件.doc', 'doc', 'application/msword', () => minimalOle2('WordDocument')],
    ['旧表格.xls', 'xls', 'application/vnd.ms-excel', () => minimalOle2('Workbook')],
  ])('%s is stored as a document (%s, %s)', async (name, format, mime, build) => {
    const bytes = build();
    const res = await upload(name, bytes);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ kind: 'document', format, mime, sizeBytes: bytes.length, uploadName: name });
    const row = await h.db.selectFrom('media').select(['kind', 'format']).where('id', '=', res.body.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ kind: 'document', format });
  });

  it('goes by the content, not the name: a PDF named .docx is a PDF, with a warning in both languages', async () => {
    const res = await upload('misnamed.docx', minimalPdf('misnamed'));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'document', format: 'pdf' });
    expect(res.body.warnings.join(' ')).toMatch(/misnamed\.docx is really PDF/);
    expect(res.body.warningsZh.join(' ')).toMatch(/实际是 PDF 文件/);
  });

  it.each([
    ['a PDF cut off before %%EOF', '截断.pdf', () => minimalPdf().subarray(0, 200), 400, 'media_document_invalid', /without its end marker/],
    ['a ZIP cut off before its directory', '截断.docx', () => minimalDocx().subarray(0, 300), 400, 'media_document_invalid', /directory cannot be read/],
    [
      'an Office ZIP with neither word/ nor xl/',
      '空.docx',
      () => zipArchive({ '[Content_Types].xml': '<Types/>' }),
      400,
      'media_document_invalid',
      /neither word\/ nor xl\//,
    ],
    ['a PowerPoint presentation', '汇报.pptx', () => minimalPptx(), 415, 'media_unsupported', /PowerPoint presentation/],
    ['a PowerPoint 97-2003 file', '汇报.ppt', () => minimalOle2('PowerPoint Document'), 415, 'media_unsupported', /PowerPoint 97-2003/],
    ['a plain ZIP archive', '材料.zip', () => zipArchive({ 'a.txt': 'hello' }), 415, 'media_unsupported', /a ZIP archive/],
  ])('refuses %s', async (_what, name, bytes, status, code, message) => {
    const res = await upload(name, bytes());
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(message);
  });

  it('caps attachments at their own limit (GOVPUB_MEDIA_LIMITS document=…): 413 saying by how much, nothing stored', async () => {
    const small = await startMediaHarness({ limits: { document: 2_000 } });
    try {
      const big = minimalPdf('x'.repeat(5_000));
      const res = await upload('大文件.pdf', big, small);
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('media_too_large');
      expect(res.body.error.message).toMatch(/大文件\.pdf is more than [\d.]+ KB, over [\d.]+ KB beyond the 2 KB limit of govpub's attachment uploads/);
      expect(await small.db.selectFrom('media').select('id').execute()).toEqual([]);
      // The image limit is untouched by the document one.
      expect((await upload('ok.pdf', minimalPdf(), small)).status).toBe(201);
    } finally {
      await small.close();
    }
  });

  it('passes an attachment to the portal unchanged: portal.attachment is the original blob', async () => {
    const bytes = minimalDocx('原样发布');
    const res = await upload('原样.docx', bytes);
    const rendition = await prepareRendition(h.store, res.body.id, 'portal.attachment');
    expect(rendition.sha256).toBe(res.body.id);
    expect(rendition.mime).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(await readFile(rendition.path)).toEqual(bytes);
    const again = await prepareRendition(h.store, res.body.id, 'portal.attachment');
    expect(again.cached).toBe(true);
    // An attachment is not a picture: image specs refuse it with the reason.
    await expect(prepareRendition(h.store, res.body.id, 'portal.cover')).rejects.toMatchObject({ code: 'media_wrong_kind' });
  });
});

describe('rendition jobs for attachments', () => {
  it('makes portal.attachment through a rendition job (POST /api/media/:id/renditions) and refuses platforms that take no documents', async () => {
    await h.startWorkers();
    const bytes = minimalXlsx();
    const { body: media } = await upload('补贴标准.xlsx', bytes);
    const refused = await h.call('POST', `/api/media/${media.id}/renditions`, h.editor.token, { platforms: ['wechat_oa'] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.issues).toEqual([
      expect.objectContaining({ path: 'platforms[0]', message: 'wechat_oa takes no renditions of document originals' }),
    ]);
    const started = await h.call('POST', `/api/media/${media.id}/renditions`, h.editor.token, { platforms: ['portal'] });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.specs).toEqual(['portal.attachment']);
    const deadline = Date.now() + 60_000;
    let detail = (await h.call('GET', `/api/media/${media.id}`, h.editor.token)).body;
    while (detail.jobs[0]?.state !== 'done' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      detail = (await h.call('GET', `/api/media/${media.id}`, h.editor.token)).body;
    }
    expect(detail.jobs[0]).toMatchObject({ state: 'done', progress: 100 });
    expect(detail.renditions).toEqual([expect.objectContaining({ specKey: 'portal.attachment', sha256: media.id, sizeBytes: bytes.length })]);
    const file = await fetch(`${h.base}/api/media/${media.id}/renditions/portal.attachment`, { headers: { authorization: `Bearer ${h.editor.token}` } });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(bytes);
  });
});

describe('captions (WebVTT)', () => {
  it('stores WebVTT as captions and passes it to the portal unchanged', async () => {
    const vtt = webVtt([
      ['00:00:00.000', '00:00:02.000', '各位市民朋友，大家好。'],
      ['00:00:02.000', '00:00:05.000', '今天为大家解读优化营商环境若干措施。'],
    ]);
    const res = await upload('字幕.vtt', vtt);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ kind: 'captions', format: 'vtt', mime: 'text/vtt' });
    const rendition = await prepareRendition(h.store, res.body.id, 'portal.captions');
    expect(await readFile(rendition.path, 'utf8')).toBe(vtt.toString('utf8'));
    // Captions are not an attachment, and an attachment is not captions.
    await expect(prepareRendition(h.store, res.body.id, 'portal.attachment')).rejects.toMatchObject({ code: 'media_wrong_kind' });
  });

  it('refuses captions that are not WebVTT: text without the WEBVTT line (415), WEBVTT that is not UTF-8 (400), over 2 MB (413)', async () => {
    const srt = await upload('字幕.srt', Buffer.from('1\n00:00:00,000 --> 00:00:02,000\n大家好\n'));
    expect(srt.status).toBe(415);
    expect(srt.body.error.message).toMatch(/captions must be WebVTT, starting with the line WEBVTT/);
    const gbk = await upload(
      '字幕.vtt',
      Buffer.concat([Buffer.from('WEBVTT\n\n00:00.000 --> 00:02.000\n'), Buffer.from([0xb4, 0xf3, 0xbc, 0xd2, 0xba, 0xc3, 0xff])]),
    );
    expect(gbk.status).toBe(400);
    expect(gbk.body.error).toMatchObject({ code: 'media_captions_invalid' });
    expect(gbk.body.error.message).toMatch(/is not UTF-8 text/);
    const long = await upload('长字幕.vtt', Buffer.concat([Buffer.from('WEBVTT\n\n'), Buffer.alloc(2_100_000, 0x61)]));
    expect(long.status).toBe(413);
    expect(long.body.error.message).toMatch(/govpub's captions uploads/);
  });
});
