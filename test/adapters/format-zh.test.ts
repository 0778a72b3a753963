/**
 * Every message a person reads of a format step is Chinese written where it arose: the refusals and
 * warnings of every channel's format step, over packages that make each platform refuse or adapt,
 * as preflight shows them and as a delivery row shows them — never an English sentence behind a
 * Chinese lead-in ("详见英文说明").
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isDeliveryError, type ContentProblem } from '../../adapters/errors.js';
import { localizedDeliveryTexts } from '../../adapters/error-codes.js';
import { storedWarnings } from '../../adapters/format-notes.js';
import { preflight, type FormatStep, type PreflightContent } from '../../adapters/preflight/preflight.js';
import type { Formatted, MediaInfo } from '../../adapters/types.js';
import { loadRegistry } from '../../config/registry.js';
import { listChannels, type Channel, type Registry } from '../../domain/registry.js';
import { formatStepsFor } from '../../services/preflight.js';
import { formatDurationZh } from '../../media/units.js';

const PORTAL = 'https://www.beilin.gov.cn/portal';
const photo: MediaInfo = { mediaId: 'a'.repeat(64), kind: 'image', mime: 'image/jpeg', sizeBytes: 200_000, width: 1600, height: 900, name: '封面.jpg' };
const smallPhoto: MediaInfo = { mediaId: 'd'.repeat(64), kind: 'image', mime: 'image/jpeg', sizeBytes: 20_000, width: 320, height: 200, name: '小图.jpg' };
const video: MediaInfo = {
  mediaId: 'b'.repeat(64),
  kind: 'video',
  mime: 'video/mp4',
  sizeBytes: 9_000_000,
  width: 1080,
  height: 1920,
  durationSec: 95,
  name: '解读.mp4',
};
const longVideo: MediaInfo = { ...video, mediaId: 'e'.repeat(64), durationSec: 5 * 3600, name: '长视频.mp4', width: 640, height: 360 };
const unmeasuredVideo: MediaInfo = { ...video, mediaId: 'f'.repeat(64), durationSec: undefined, name: '未知时长.mp4' };
const audio: MediaInfo = { mediaId: 'c'.repeat(64), kind: 'audio', mime: 'audio/mpeg', sizeBytes: 900_000, durationSec: 240, name: '解读.mp3' };
const MEDIA = Object.fromEntries([photo, smallPhoto, video, longVideo, unmeasuredVideo, audio].map((m) => [m.mediaId, m]));

let registry: Registry;
let channels: Channel[];
let formatFor: ReturnType<typeof formatStepsFor>;

beforeAll(async () => {
  registry = await loadRegistry();
  channels = listChannels(registry);
  formatFor = formatStepsFor(registry, PORTAL);
});

function policy(overrides: Partial<PreflightContent> = {}): PreflightContent {
  const item = registry.catalogue.find((i) => i.requiresInterpretation)!;
  return {
    title: '关于进一步优化营商环境的若干措施',
    catalogueItem: item.id,
    cover: { mediaId: photo.mediaId, alt: '营商环境图解' },
    document: {
      title: '碑林区人民政府关于进一步优化营商环境的若干措施',
      body: '<p>为深入贯彻落实国家和省市优化营商环境决策部署，结合我区实际，制定以下措施。</p><p>一、优化政务服务。二、降低经营成本。</p>',
      issuingUnit: '碑林区人民政府',
      documentNumber: '碑政发〔2026〕3号',
      formedAt: '2026-11-20',
    },
    interpretations: [{ form: 'text', title: '《若干措施》政策解读', body: '<p>一、出台背景：为进一步激发市场主体活力。</p>' }],
    targets: channels.map((c) => c.id),
    ...overrides,
  };
}

const longText = (n: number) => '<p>' + '为深入贯彻落实国家和省市优化营商环境决策部署，结合我区实际。'.repeat(n) + '</p>';
const longTitle = '碑林区人民政府关于进一步优化营商环境持续激发市场主体活力推动经济高质量发展促进就业扩大内需的若干措施实施细则（试行）及配套政策解读汇编';

/** Packages that make the platforms refuse or adapt, each for a different reason. */
function packages(): [string, PreflightContent][] {
  const base = policy();
  const doc = base.document!;
  const videoInterp = (m: MediaInfo, body = '<p>三分钟了解十条措施。</p>') => ({
    form: 'video' as const,
    title: '一图读懂营商环境新政',
    body,
    mediaId: m.mediaId,
  });
  return [
    ['a full package with a video', { ...base, interpretations: [...base.interpretations!, videoInterp(video)] }],
    ['text only, no cover', { ...base, cover: undefined }],
    [
      'a very long title',
      { ...base, title: longTitle, document: { ...doc, title: longTitle }, interpretations: [{ ...videoInterp(video), title: longTitle }] },
    ],
    [
      'textless video and audio interpretations',
      { ...base, interpretations: [videoInterp(video, ''), { form: 'audio', title: '政策解读音频版', body: '', mediaId: audio.mediaId }] },
    ],
    ['no portal column', { ...base, targets: channels.filter((c) => c.platform !== 'portal').map((c) => c.id), interpretations: [videoInterp(video)] }],
    ['a video five hours long', { ...base, cover: { mediaId: smallPhoto.mediaId, alt: '' }, interpretations: [videoInterp(longVideo)] }],
    ['a video of unknown length', { ...base, interpretations: [videoInterp(unmeasuredVideo, longText(30))] }],
    ['a video given only as a link', { ...base, interpretations: [{ form: 'video', title: '视频解读', body: '', url: 'https://v.example.cn/1.mp4' }] }],
    [
      'pictures from elsewhere, a # in the title, attachments without links, a long interpreter',
      {
        ...base,
        document: {
          ...doc,
          title: '#优化营商环境# 若干措施',
          body: `<p>正文</p><p><img src="https://img.example.cn/a.png"></p><p><img src="/api/media/${photo.mediaId}"></p>${longText(40)}`,
          attachments: [{ name: '附件一 申报表.docx' }],
          documentNumber: undefined,
          formedAt: '2026年13月40日',
        },
        interpretations: [
          { form: 'text', title: '政策解读', body: '<p>解读</p>', interpreter: '碑林区发展和改革委员会营商环境优化工作领导小组办公室综合协调科' },
        ],
      },
    ],
    [
      'nine interpretations',
      { ...base, interpretations: Array.from({ length: 9 }, (_, i) => ({ form: 'text' as const, title: `解读${i + 1}`, body: '<p>解读正文</p>' })) },
    ],
    [
      'an audio file as the cover and an empty interpretation',
      { ...base, cover: { mediaId: audio.mediaId, alt: '音频' }, interpretations: [{ form: 'text', title: '', body: '' }] },
    ],
  ];
}

const HAN = /[\u4e00-\u9fff]/g;
/** Chinese a person can read: no English behind a Chinese lead-in, and more Chinese than ASCII letters. */
function expectChinese(text: string, where: string): void {
  expect(text, where).not.toContain('详见英文说明');
  const han = (text.match(HAN) ?? []).length;
  const latin = (text.replace(/https?:\/\/\S+/g, '').match(/[A-Za-z]/g) ?? []).length;
  expect(han, `${where}: ${text}`).toBeGreaterThan(0);
  expect(latin, `${where}: ${text}`).toBeLessThan(han);
}

describe('format steps speak Chinese where they refuse or adapt', () => {
  it('every channel’s refusals and warnings, in preflight and in a delivery row, are Chinese written at the site', () => {
    const seen = { refusals: 0, warnings: 0, shown: 0, platforms: new Set<string>() };
    for (const [name, content] of packages()) {
      const results: { channel: Channel; formatted?: Formatted<unknown>; problems?: ContentProblem[] }[] = [];
      // The real format steps, recording what each said.
      const recording =
        (channel: Channel): FormatStep =>
        (unit, ch) => {
          try {
            const formatted = formatFor(channel)(unit, ch);
            results.push({ channel, formatted });
            return formatted;
          } catch (error) {
            if (isDeliveryError(error)) results.push({ channel, problems: error.problems });
            throw error;
          }
        };
      const r = preflight({
        content,
        packageId: 'pkg-20261130-0a1b2c3d',
        revision: 1,
        contentHash: 'h1',
        registry,
        media: MEDIA,
        portalBaseUrl: PORTAL,
        formatFor: recording,
      });
      expect(results.length, name).toBe(content.targets.length);

      for (const { channel, formatted, problems } of results) {
        const where = `${name} → ${channel.id}`;
        if (formatted) {
          expect(formatted.warningsZh, where).toHaveLength(formatted.warnings.length);
          formatted.warningsZh!.forEach((zh, n) => expectChinese(zh, `${where} warning ${formatted.warnings[n]}`));
          const shown = localizedDeliveryTexts({
            platform: channel.platform,
            state: 'live',
            error_class: null,
            error_message: null,
            platform_code: null,
            problems: [],
            warnings: JSON.parse(JSON.stringify(storedWarnings(formatted))),
          });
          expect(shown.warnings, where).toEqual(formatted.warnings);
          expect(shown.warningsZh, where).toEqual(formatted.warningsZh);
          seen.warnings += formatted.warnings.length;
          if (formatted.warnings.length > 0) seen.platforms.add(channel.platform);
        } else {
          expect(problems!.length, where).toBeGreaterThan(0);
          for (const p of problems!) {
            expect(p.messageZh, `${where} problem ${p.field}: ${p.message}`).toBeDefined();
            expectChinese(p.messageZh!, `${where} problem ${p.field}: ${p.message}`);
          }
          const shown = localizedDeliveryTexts({
            platform: channel.platform,
            state: 'failed',
            error_class: 'rejected',
            error_message: 'rejected',
            platform_code: null,
            problems: JSON.parse(JSON.stringify(problems)),
            warnings: [],
          });
          expect(
            shown.problems.map((p) => p.message),
            where,
          ).toEqual(problems!.map((p) => p.messageZh));
          expectChinese(shown.errorMessageZh!, `${where} error`);
          seen.refusals += problems!.length;
          seen.platforms.add(channel.platform);
        }
      }

      // What the editor reads in preflight.
      for (const p of [...r.package.blocking, ...r.package.warnings, ...r.channels.flatMap((c) => [...c.blocking, ...c.warnings])]) {
        expectChinese(p.message, `${name} preflight ${p.code} ${p.field} (${p.messageEn})`);
        expect(p.code).toMatch(/^[a-z_]+$/);
        seen.shown += 1;
      }
    }
    // The packages do make every platform say something, and many things.
    expect([...seen.platforms].sort()).toEqual([...new Set(channels.map((c) => c.platform))].sort());
    expect(seen.refusals).toBeGreaterThan(30);
    expect(seen.warnings).toBeGreaterThan(30);
    expect(seen.shown).toBeGreaterThan(60);
  });

  it('keeps the stable codes the recognizers give, with the format step’s own Chinese', () => {
    const wechat = channels.find((c) => c.platform === 'wechat_oa')!;
    const r = preflight({
      content: policy({ title: longTitle, document: { ...policy().document!, title: longTitle }, targets: [wechat.id] }),
      packageId: 'pkg-20261130-0a1b2c3d',
      revision: 1,
      contentHash: 'h1',
      registry,
      media: MEDIA,
      portalBaseUrl: PORTAL,
      formatFor,
    });
    const truncated = r.channels[0]!.warnings.find((w) => w.code === 'title_truncated')!;
    expect(truncated.field).toBe('/document/title');
    expect(truncated.message).toMatch(/^文件标题有 \d+ 个字，超过微信文章标题 32 个字的上限/);
    expect(truncated.messageEn).toMatch(/^document\.title: WeChat allows at most 32 characters/);
  });
});

describe('durations in Chinese sentences', () => {
  it('are written in Chinese units, never min or s', () => {
    expect([5, 30, 60, 80, 900, 980, 3600, 3900, 18_000].map(formatDurationZh)).toEqual([
      '5 秒',
      '30 秒',
      '1 分钟',
      '1 分 20 秒',
      '15 分钟',
      '16 分 20 秒',
      '1 小时',
      '1 小时 5 分钟',
      '5 小时',
    ]);
  });
});
