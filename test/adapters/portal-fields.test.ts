/**
 * The portal's format step fills the page's disclosure fields from the release unit: 索引号,
 * 主题分类, 主题词, 有效性 (the validity command's value over the written one), document
 * attachments passed through as `portal.attachment` with their type and size, a video's captions
 * as `portal.captions` and its transcript; wrong kinds in those places are refused with the field;
 * and preflight warns, in Chinese and with the field, about a video without captions or transcript.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { formatPortal } from '../../adapters/portal/format.js';
import { PORTAL_ATTACHMENT_SPEC, PORTAL_CAPTIONS_SPEC, renditionNeeds } from '../../adapters/portal/payload.js';
import { preflight, type PreflightContent } from '../../adapters/preflight/preflight.js';
import { releaseUnitFrom, type ReleaseContent } from '../../adapters/release-unit.js';
import type { MediaInfo, ReleaseUnit } from '../../adapters/types.js';
import { loadRegistry } from '../../config/registry.js';
import { isDeliveryError } from '../../adapters/errors.js';
import { findChannel, type Channel, type Registry } from '../../domain/registry.js';
import { formatStepsFor } from '../../services/preflight.js';

const PORTAL = 'https://www.beilin.gov.cn';
const info = (id: string, kind: MediaInfo['kind'], mime: string, sizeBytes: number, name: string, extra: Partial<MediaInfo> = {}): MediaInfo => ({
  mediaId: id.repeat(64),
  kind,
  mime,
  sizeBytes,
  name,
  ...extra,
});
const pdf = info('1', 'document', 'application/pdf', 1_234_567, '实施细则.pdf');
const xlsx = info('2', 'document', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 45_000, '补贴标准.xlsx');
const ofd = info('3', 'document', 'application/ofd', 300_000, '正式文本.ofd');
const vtt = info('4', 'captions', 'text/vtt', 2_048, '字幕.vtt');
const video = info('5', 'video', 'video/mp4', 9_000_000, '解读.mp4', { width: 1920, height: 1080, durationSec: 180 });
const MEDIA = Object.fromEntries([pdf, xlsx, ofd, vtt, video].map((m) => [m.mediaId, m]));

let registry: Registry;
let channel: Channel;

beforeAll(async () => {
  registry = await loadRegistry();
  const item = registry.catalogue.find((i) => i.normative)!;
  channel = findChannel(registry, `portal:${item.portalColumnId}`)!;
});

function content(overrides: Partial<ReleaseContent> = {}, document: Record<string, unknown> = {}): ReleaseContent {
  const item = registry.catalogue.find((i) => i.normative)!;
  return {
    title: '关于进一步优化营商环境的若干措施',
    catalogueItem: item.id,
    document: {
      title: '碑林区人民政府关于进一步优化营商环境的若干措施',
      body: '<p>为深入贯彻落实国家和省市优化营商环境决策部署，制定以下措施。</p>',
      issuingUnit: '碑林区人民政府',
      documentNumber: '碑政发〔2026〕3号',
      formedAt: '2026-11-20',
      topic: '综合政务\\政务公开',
      keywords: ['营商环境', '规范性文件'],
      validity: { state: 'valid', effectiveFrom: '2026-12-01', endedAt: null },
      attachments: [
        { name: '实施细则', mediaId: pdf.mediaId },
        { name: '补贴标准', mediaId: xlsx.mediaId },
        { name: '正式文本（OFD）', mediaId: ofd.mediaId },
        { name: '国务院原文', url: 'https://www.gov.cn/zhengce/' },
      ],
      ...document,
    },
    interpretations: [
      {
        form: 'video',
        title: '三分钟读懂若干措施',
        body: '<p>视频解读</p>',
        mediaId: video.mediaId,
        captionsMediaId: vtt.mediaId,
        transcript: '<p>各位市民朋友，大家好。今天为大家解读……</p>',
      },
    ],
    targets: [channel.id],
    ...overrides,
  };
}

function unitOf(c: ReleaseContent, at: { indexNumber?: string | null; validity?: ReleaseUnit['document']['validity'] } = {}): ReleaseUnit {
  return releaseUnitFrom(
    c,
    { packageId: 'pkg-20261130-0a1b2c3d', revision: 2, contentHash: 'h', releasedAt: '2026-11-30T02:00:00.000Z', ...at },
    registry,
    MEDIA,
    PORTAL,
  );
}

describe('the disclosure metadata in the payload', () => {
  it('carries 索引号, 主题分类, 主题词, 有效性 and the catalogue item', () => {
    const { payload } = formatPortal(unitOf(content(), { indexNumber: '11610103MB2968XXXX/2026-00012' }), channel);
    expect(payload.catalogueId).toBe('qzf-gfxwj');
    expect(payload.document).toMatchObject({
      indexNumber: '11610103MB2968XXXX/2026-00012',
      topic: '综合政务\\政务公开',
      keywords: ['营商环境', '规范性文件'],
      validity: { state: 'valid', effectiveFrom: '2026-12-01', endedAt: null },
      documentNumber: '碑政发〔2026〕3号',
      issuingUnit: '碑林区人民政府',
      formedAt: '2026-11-20',
    });
  });

  it('takes the validity the command set over the one written, and 有效 for a normative document written without one', () => {
    const repealed = { state: 'repealed' as const, effectiveFrom: '2026-12-01', endedAt: '2027-03-01' };
    expect(formatPortal(unitOf(content(), { validity: repealed }), channel).payload.document.validity).toEqual(repealed);
    expect(formatPortal(unitOf(content({}, { validity: undefined })), channel).payload.document.validity).toEqual({
      state: 'valid',
      effectiveFrom: null,
      endedAt: null,
    });
  });

  it('has no 索引号 before the first release and no 有效性 for a document that is not normative', () => {
    const plain = registry.catalogue.find((i) => i.contentClass === 'policy' && !i.normative)!;
    const { payload } = formatPortal(unitOf(content({ catalogueItem: plain.id }, { validity: undefined, topic: undefined, keywords: undefined })), channel);
    expect(payload.document).toMatchObject({ indexNumber: null, validity: null, topic: null, keywords: [] });
  });
});

describe("the package's other portal columns", () => {
  it('are named in the payload when the revision goes to several columns (sorted, each once), and not otherwise', () => {
    const other = registry.portal.columns.find((c) => c.parentId !== null && `portal:${c.id}` !== channel.id)!;
    const targets = [`portal:${other.id}`, 'wechat_oa:blfb', channel.id, `portal:${other.id}`];
    const { payload } = formatPortal(unitOf(content({ targets })), channel);
    expect(payload.packageColumns).toEqual([other.id, channel.ref].sort());
    expect(formatPortal(unitOf(content()), channel).payload.packageColumns).toBeUndefined();
  });
});

describe('attachments', () => {
  it('passes documents through as portal.attachment with their type and size; links stay links', () => {
    const { payload, renditions } = formatPortal(unitOf(content()), channel);
    expect(payload.document.attachments).toEqual([
      {
        name: '实施细则',
        href: null,
        media: { mediaId: pdf.mediaId, spec: PORTAL_ATTACHMENT_SPEC, kind: 'document', mime: 'application/pdf', sizeBytes: 1_234_567 },
      },
      { name: '补贴标准', href: null, media: { mediaId: xlsx.mediaId, spec: PORTAL_ATTACHMENT_SPEC, kind: 'document', mime: xlsx.mime, sizeBytes: 45_000 } },
      {
        name: '正式文本（OFD）',
        href: null,
        media: { mediaId: ofd.mediaId, spec: PORTAL_ATTACHMENT_SPEC, kind: 'document', mime: 'application/ofd', sizeBytes: 300_000 },
      },
      { name: '国务院原文', href: 'https://www.gov.cn/zhengce/', media: null },
    ]);
    expect(renditions).toEqual(expect.arrayContaining([{ mediaId: pdf.mediaId, spec: 'portal.attachment', purpose: 'attachment 1' }]));
    expect(renditionNeeds(payload).filter((n) => n.spec === 'portal.attachment')).toHaveLength(3);
  });

  it('refuses captions as an attachment and a document as an interpretation’s file, naming the field', () => {
    const wrong = content(
      { interpretations: [{ form: 'graphic', title: '图解', body: '<p>图解</p>', mediaId: pdf.mediaId }] },
      { attachments: [{ name: '字幕', mediaId: vtt.mediaId }] },
    );
    let error: unknown;
    try {
      formatPortal(unitOf(wrong), channel);
    } catch (e) {
      error = e;
    }
    expect(isDeliveryError(error)).toBe(true);
    const problems = (error as { problems: { field: string; messageZh: string }[] }).problems;
    expect(problems.map((p) => p.field)).toEqual(['document.attachments[0]', 'interpretations[0].mediaId']);
    expect(problems[0]!.messageZh).toMatch(/是字幕文件，不能作为附件/);
    expect(problems[1]!.messageZh).toMatch(/文档请作为政策原文的附件上传/);
  });
});

describe('captions and transcripts', () => {
  it('carries the captions as portal.captions (a rendition need) and the transcript as HTML', () => {
    const { payload, renditions } = formatPortal(unitOf(content()), channel);
    expect(payload.interpretations[0]).toMatchObject({
      captions: { mediaId: vtt.mediaId, spec: PORTAL_CAPTIONS_SPEC },
      transcriptHtml: '<p>各位市民朋友，大家好。今天为大家解读……</p>',
    });
    expect(renditions).toContainEqual({ mediaId: vtt.mediaId, spec: 'portal.captions', purpose: 'interpretation 1 captions' });
  });

  it('refuses captions that are not a WebVTT upload', () => {
    const c = content({ interpretations: [{ form: 'video', title: '视频', body: '', mediaId: video.mediaId, captionsMediaId: pdf.mediaId }] });
    expect(() => formatPortal(unitOf(c), channel)).toThrow(/captions must be a WebVTT file/);
  });

  it('preflight warns in Chinese, at the field, about a video with neither captions nor transcript', () => {
    const formatFor = formatStepsFor(registry, PORTAL);
    const run = (c: PreflightContent) =>
      preflight({ content: c, packageId: 'pkg-20261130-0a1b2c3d', revision: 1, contentHash: 'h', registry, media: MEDIA, portalBaseUrl: PORTAL, formatFor });
    const bare = content({ interpretations: [{ form: 'video', title: '视频', body: '<p>视频</p>', mediaId: video.mediaId }] });
    const warned = run(bare).package.warnings.filter((w) => w.code === 'video_without_captions');
    expect(warned).toEqual([
      expect.objectContaining({ field: '/interpretations/0/captionsMediaId', message: expect.stringMatching(/既没有字幕也没有文字实录.*GB\/T 37668/) }),
    ]);
    expect(run(content()).package.warnings.map((w) => w.code)).not.toContain('video_without_captions');
    const transcriptOnly = content({ interpretations: [{ form: 'video', title: '视频', body: '', mediaId: video.mediaId, transcript: '<p>实录</p>' }] });
    expect(run(transcriptOnly).package.warnings.map((w) => w.code)).not.toContain('video_without_captions');
  });
});
