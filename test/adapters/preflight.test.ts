/** Channel preflight, pure: every declared platform's requirements and its own format step, on packages an editor really makes. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_DECLARATIONS, type DeclaredPlatform } from '../../adapters/declarations.js';
import { preflight, submitBlockers, type PreflightContent, type PreflightResult } from '../../adapters/preflight/preflight.js';
import type { Preview } from '../../adapters/preflight/previews.js';
import type { PlatformDeclaration } from '../../adapters/platform-declaration.js';
import type { MediaInfo } from '../../adapters/types.js';
import { loadRegistry } from '../../config/registry.js';
import { ROOT_DIR } from '../../config/settings.js';
import { listChannels, type Channel, type Registry } from '../../domain/registry.js';
import { formatStepsFor } from '../../services/preflight.js';

const PORTAL = 'https://www.beilin.gov.cn/portal';
const photo: MediaInfo = { mediaId: 'a'.repeat(64), kind: 'image', mime: 'image/jpeg', sizeBytes: 200_000, width: 1600, height: 900, name: '封面.jpg' };
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
const MEDIA = { [photo.mediaId]: photo, [video.mediaId]: video };

let registry: Registry;
let formatFor: ReturnType<typeof formatStepsFor>;

beforeAll(async () => {
  const loaded = await loadRegistry();
  // A declared platform the registry has no account on yet (a new one) is still covered, by a test account.
  const missing = PLATFORM_DECLARATIONS.filter((d) => d.channelKind === 'new_media_account' && !loaded.accounts.some((a) => a.platform === d.id)).map((d) => ({
    id: `test-${d.id.replaceAll('_', '-')}`,
    name: `测试${d.localName}账号`,
    platform: d.id,
    ownerUnit: '区政府办公室',
    publishing: d.publishing,
    credentials: {},
  }));
  registry = { ...loaded, accounts: [...loaded.accounts, ...missing] };
  formatFor = formatStepsFor(registry, PORTAL);
});

/** A channel of the platform a text package can go to (a media-center column that takes 图文). */
function channelOf(d: PlatformDeclaration): Channel {
  const all = listChannels(registry).filter((c) => c.platform === d.id);
  const graphic = new Set(registry.mediaCenter.columns.filter((c) => c.contentKinds.includes('graphic')).map((c) => c.id));
  const found = d.channelKind === 'media_center_column' ? all.find((c) => graphic.has(c.ref)) : all[0];
  if (!found) throw new Error(`the registry has no channel of ${d.id}`);
  return found;
}

function policy(targets: string[], overrides: Partial<PreflightContent> = {}): PreflightContent {
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
      // The disclosure metadata inspectors check (a normative document's validity, its topic): complete here.
      topic: '综合政务\\政务公开',
      validity: { state: 'valid', effectiveFrom: '2026-12-01', endedAt: null },
    },
    interpretations: [{ form: 'text', title: '《若干措施》政策解读', body: '<p>一、出台背景：为进一步激发市场主体活力。</p>' }],
    targets: [`portal:${item.portalColumnId}`, ...targets],
    ...overrides,
  };
}

const withVideo = (content: PreflightContent, body = '<p>三分钟了解十条措施。</p>'): PreflightContent => ({
  ...content,
  interpretations: [...(content.interpretations ?? []), { form: 'video', title: '一图读懂营商环境新政', body, mediaId: video.mediaId }],
});

/** The preflight of `content`, with uploads beside the shared ones when a test needs its own. */
function run(content: PreflightContent, moreMedia: Record<string, MediaInfo> = {}): PreflightResult {
  return preflight({
    content,
    packageId: 'pkg-20261130-0a1b2c3d',
    revision: 1,
    contentHash: 'h1',
    registry,
    media: { ...MEDIA, ...moreMedia },
    portalBaseUrl: PORTAL,
    formatFor,
  });
}

const channelResult = (r: PreflightResult, id: string) => r.channels.find((c) => c.channelId === id)!;

/** The preview kind each kind of platform gets. */
function expectedKind(d: PlatformDeclaration): Preview['kind'] {
  if (d.publishing === 'manual') return 'handoff_bundle';
  if (d.channelKind === 'portal_column') return 'portal_article';
  if (d.channelKind === 'media_center_column') return 'media_center_article';
  if (d.video === 'required') return 'video_post';
  return d.id === 'weibo' ? 'weibo_post' : 'wechat_article';
}

describe.each(PLATFORM_DECLARATIONS.map((d) => [d.id, d] as [DeclaredPlatform['id'], PlatformDeclaration]))('preflight on %s', (_id, d) => {
  it('reports the channel as its declaration describes it', () => {
    const channel = channelOf(d);
    const c = channelResult(run(withVideo(policy([channel.id]))), channel.id);
    expect(c).toMatchObject({ platform: d.id, platformName: d.localName, publishing: d.publishing, canDelete: d.canDelete, name: channel.name });
  });

  it('a text-only package: blocked with video_required exactly when the platform takes only video', () => {
    const channel = channelOf(d);
    const r = run(policy([channel.id]));
    const c = channelResult(r, channel.id);
    if (d.video === 'required') {
      expect(c.blocking.map((p) => [p.code, p.field])).toEqual([['video_required', '/interpretations']]);
      expect(c.blocking[0]!.message).toContain(`${d.localName}只发布视频`);
      expect(c.preview).toBeNull();
      expect(r.ok).toBe(false);
      expect(submitBlockers(r)).toContainEqual(expect.objectContaining({ code: 'video_required', channelId: channel.id }));
    } else {
      expect(c.blocking).toEqual([]);
      expect(c.preview?.kind).toBe(expectedKind(d));
      expect(c.preview?.title).not.toBe('');
    }
  });

  it('without a cover: blocked with cover_required at /cover exactly when the declaration requires one', () => {
    const channel = channelOf(d);
    const c = channelResult(run(withVideo(policy([channel.id], { cover: undefined }))), channel.id);
    const codes = c.blocking.map((p) => p.code);
    if (d.coverRequired) {
      expect(c.blocking).toContainEqual(expect.objectContaining({ code: 'cover_required', field: '/cover', channelId: channel.id }));
      expect(c.blocking.find((p) => p.code === 'cover_required')!.message).toMatch(/封面/);
      // Not also "a frame of the video will be the cover": the block rules that fallback out.
      expect(c.warnings.filter((w) => w.field === '/cover')).toEqual([]);
    } else {
      expect(codes).not.toContain('cover_required');
    }
  });

  it('a full package (cover, text and video interpretations) passes, with a preview of what the platform shows', () => {
    const channel = channelOf(d);
    const r = run(withVideo(policy([channel.id])));
    const c = channelResult(r, channel.id);
    expect(c.blocking).toEqual([]);
    expect(c.preview?.kind).toBe(expectedKind(d));
    for (const w of c.warnings) {
      expect(w.message).toMatch(/[\u4e00-\u9fff]/);
      expect(w.messageEn).not.toBe('');
      expect(w.code).toMatch(/^[a-z_]+$/);
    }
    if (d.video === 'none') expect(c.warnings).toContainEqual(expect.objectContaining({ code: 'adapted_video_as_link', field: '/interpretations/1' }));
    if (d.video === 'required') expect(c.preview?.video?.mediaId).toBe(video.mediaId);
  });
  it('a video or audio interpretation without text is adapted, never a reason to refuse the package', () => {
    const channel = channelOf(d);
    const audio: MediaInfo = { mediaId: 'c'.repeat(64), kind: 'audio', mime: 'audio/mpeg', sizeBytes: 900_000, durationSec: 240 };
    const content = withVideo(policy([channel.id]), '');
    content.interpretations = [...content.interpretations!, { form: 'audio', title: '政策解读音频版', body: '', mediaId: audio.mediaId }];
    const r = preflight({
      content,
      packageId: 'pkg-20261130-0a1b2c3d',
      revision: 1,
      contentHash: 'h1',
      registry,
      media: { ...MEDIA, [audio.mediaId]: audio },
      portalBaseUrl: PORTAL,
      formatFor,
    });
    const c = channelResult(r, channel.id);
    expect(c.blocking).toEqual([]);
    if (d.video === 'none') {
      expect(c.warnings).toContainEqual(expect.objectContaining({ code: 'adapted_video_as_link', field: '/interpretations/1' }));
      expect(c.warnings).toContainEqual(expect.objectContaining({ code: 'adapted_audio_as_link', field: '/interpretations/2' }));
    }
    // The media center takes no audio: a description with the link to the portal page that plays it.
    if (d.channelKind === 'media_center_column') {
      expect(c.warnings).toContainEqual(expect.objectContaining({ code: 'adapted_audio_as_link', field: '/interpretations/2' }));
      expect(c.preview?.kind).toBe('media_center_article');
    }
  });
});

describe('preflight adaptations and package rules', () => {
  const wechat = () => listChannels(registry).find((c) => c.platform === 'wechat_oa')!;

  it('a video interpretation without text goes to WeChat as poster, description and link: a warning, not a refusal', () => {
    const content = withVideo(policy([wechat().id]), '');
    const c = channelResult(run(content), wechat().id);
    expect(c.blocking).toEqual([]);
    const adapted = c.warnings.filter((w) => w.code === 'adapted_video_as_link');
    expect(adapted).toHaveLength(1);
    expect(adapted[0]).toMatchObject({ field: '/interpretations/1', channelId: wechat().id });
    expect(adapted[0]!.message).toContain('视频封面');
    expect(c.preview?.notes.join('')).toContain('视频封面');
  });

  it('a link to another site in the body: WeChat writes its address out, and the editor is told before review (a warning, not a refusal)', () => {
    const content = policy([wechat().id]);
    const body = `${content.document!.body}<p>详见<a href="https://www.gov.cn/zhengce/2025/content_9.htm">国务院有关文件</a>和<a href="/zcwj/2.html">相关文件</a>。</p>`;
    const r = run({ ...content, document: { ...content.document!, body } });
    const c = channelResult(r, wechat().id);
    expect(c.blocking).toEqual([]);
    expect(c.warnings.filter((w) => w.code.startsWith('link_')).map((w) => [w.code, w.field])).toEqual([
      ['link_written_out', '/document/body'],
      ['link_text_only', '/document/body'],
    ]);
    const [writtenOut, textOnly] = c.warnings.filter((w) => w.code.startsWith('link_'));
    expect(writtenOut!.message).toContain('文件正文中有 1 个链接指向微信文章以外的地址，在微信公众号文章中不能点击，发布时在链接文字后写明网址（或邮箱）');
    expect(writtenOut!.message).toContain('https://www.gov.cn/zhengce/2025/content_9.htm');
    expect(textOnly!.message).toContain('文件正文中有 1 个链接不是完整的 http(s) 网址（/zcwj/2.html）');
    expect(submitBlockers(r).filter((p) => p.channelId === wechat().id)).toEqual([]);
  });

  it('a cover too small for WeChat blocks submit at /cover with what it needs, instead of the release failing at WeChat', () => {
    const tiny: MediaInfo = { ...photo, mediaId: 'd'.repeat(64), width: 120, height: 80, name: '小图.jpg' };
    const content = policy([wechat().id], { cover: { mediaId: tiny.mediaId, alt: '小图' } });
    const r = preflight({
      content,
      packageId: 'pkg-20261130-0a1b2c3d',
      revision: 1,
      contentHash: 'h1',
      registry,
      media: { ...MEDIA, [tiny.mediaId]: tiny },
      portalBaseUrl: PORTAL,
      formatFor,
    });
    const blocking = channelResult(r, wechat().id).blocking;
    expect(blocking.map((p) => p.field)).toEqual(['/cover']);
    // govpub's own minimum (the crop's), coded as the renderer codes a picture too small, not as WeChat's refusal.
    expect(blocking[0]!.code).toBe('media_too_small');
    expect(blocking[0]!.message).toContain(
      '微信封面按 2.35:1 裁切，图片至少需要 450×192 像素（裁切后宽至少 450 像素），图片“小图.jpg”为 120×80（裁切后只有 120×51）',
    );
    expect(r.ok).toBe(false);
    expect(submitBlockers(r)).toContainEqual(expect.objectContaining({ field: '/cover', channelId: wechat().id }));
    // The same package with a cover large enough passes.
    expect(channelResult(run(policy([wechat().id])), wechat().id).blocking).toEqual([]);
  });

  it("WeChat's cover minimum is one the picture can meet: 450×192 passes, a picture 191 px tall blocks and is told 192 (its 2.35:1 crop is 448.8 wide)", () => {
    const coverOf = (width: number, height: number) => {
      const pic: MediaInfo = { ...photo, mediaId: 'e'.repeat(64), width, height, name: '横幅.jpg' };
      const content = policy([wechat().id], { cover: { mediaId: pic.mediaId, alt: '横幅' } });
      const r = run(content, { [pic.mediaId]: pic });
      return channelResult(r, wechat().id).blocking;
    };
    expect(coverOf(450, 192)).toEqual([]);
    for (const [w, h] of [
      [450, 191],
      [1200, 191],
      [449, 600],
    ]) {
      const blocking = coverOf(w!, h!);
      expect(blocking.map((p) => p.field)).toEqual(['/cover']);
      expect(blocking[0]!.message).toContain(`图片至少需要 450×192 像素（裁切后宽至少 450 像素），图片“横幅.jpg”为 ${w}×${h}`);
    }
  });

  it("a rendition the release's renderer would refuse blocks here, in the renderer's own words: Bilibili's video of 4 h 59 min 59.5 s (its rendition takes at most 17,999 s)", () => {
    const bilibili = listChannels(registry).find((c) => c.platform === 'bilibili')!;
    const long: MediaInfo = { ...video, mediaId: 'f'.repeat(64), width: 1920, height: 1080, durationSec: 5 * 3600 - 0.5, name: '全会实录.mp4' };
    const content = policy([bilibili.id]);
    content.interpretations = [...(content.interpretations ?? []), { form: 'video', title: '全会实录', body: '<p>实录。</p>', mediaId: long.mediaId }];
    const r = run(content, { [long.mediaId]: long });
    const blocking = channelResult(r, bilibili.id).blocking;
    expect(blocking).toEqual([
      expect.objectContaining({
        code: 'media_too_long',
        field: '/interpretations/1',
        message: expect.stringContaining('「全会实录.mp4」时长 5 小时，超过哔哩哔哩的时长上限 4 小时 59 分钟'),
        messageEn: expect.stringContaining('全会实录.mp4 is 5 h long'),
      }),
    ]);
    expect(submitBlockers(r)).toContainEqual(expect.objectContaining({ code: 'media_too_long', channelId: bilibili.id }));
    // A video the renderer can make passes.
    const fine = { ...long, durationSec: 3600 };
    const ok = run(content, { [long.mediaId]: fine });
    expect(channelResult(ok, bilibili.id).blocking).toEqual([]);
  });

  it('a title over 32 characters is shortened for WeChat, with the truncated title in the preview', () => {
    const title = '碑林区人民政府关于进一步深化放管服改革优化营商环境持续激发市场主体活力的若干措施';
    const content = policy([wechat().id]);
    const c = channelResult(run({ ...content, document: { ...content.document!, title } }), wechat().id);
    expect(c.blocking).toEqual([]);
    expect(c.warnings).toContainEqual(expect.objectContaining({ code: 'title_truncated', field: '/document/title' }));
    expect(c.preview).toMatchObject({ kind: 'wechat_article', titleLimit: 32, titleTruncated: true });
    expect([...c.preview!.title]).toHaveLength(32);
    expect(c.preview!.title.endsWith('…')).toBe(true);
    expect(c.preview!.cover?.crops.map((x) => x.spec)).toEqual(['wechat_oa.cover', 'wechat_oa.cover_square']);
  });

  it('a warning opening with a platform name ("Weibo: the summary was shortened…") points at no field, not at a made-up /Weibo', () => {
    const weibo = listChannels(registry).find((c) => c.platform === 'weibo')!;
    const content = policy([weibo.id]);
    const long = `<p>${'为深入贯彻落实国家和省市优化营商环境决策部署，结合我区实际，制定以下措施。'.repeat(6)}</p>`;
    const c = channelResult(run({ ...content, document: { ...content.document!, body: long } }), weibo.id);
    const shortened = c.warnings.find((w) => w.code === 'summary_truncated');
    expect(shortened).toMatchObject({ field: '', messageEn: expect.stringMatching(/^Weibo: the summary was shortened/) });
    expect(shortened!.message).toMatch(/微博/);
    // Package fields still point where they are.
    const wechatTitle = channelResult(run({ ...policy([wechat().id]), document: { ...content.document!, title: '碑'.repeat(33) } }), wechat().id);
    expect(wechatTitle.warnings).toContainEqual(expect.objectContaining({ code: 'title_truncated', field: '/document/title' }));
  });

  it("Bilibili's cover under 960×600 gives way to a frame of the video: a warning at /cover with the stable code cover_substituted", () => {
    const bilibili = listChannels(registry).find((c) => c.platform === 'bilibili')!;
    const small: MediaInfo = { ...photo, mediaId: 'c'.repeat(64), width: 640, height: 400, name: '小封面.jpg' };
    const c = channelResult(run(withVideo(policy([bilibili.id], { cover: { mediaId: small.mediaId, alt: '封面' } })), { [small.mediaId]: small }), bilibili.id);
    expect(c.blocking).toEqual([]);
    expect(c.warnings).toContainEqual(expect.objectContaining({ code: 'cover_substituted', field: '/cover', message: expect.stringContaining('640×400') }));
  });

  it('warns when the portal target is missing or, for a policy document, not the catalogue item’s column', () => {
    const item = registry.catalogue.find((i) => i.requiresInterpretation)!;
    const weibo = listChannels(registry).find((c) => c.platform === 'weibo')!;
    const missing = run({ ...policy([wechat().id]), targets: [wechat().id] });
    expect(missing.package.warnings).toContainEqual(expect.objectContaining({ code: 'portal_target_missing', field: '/targets' }));
    expect(missing.package.warnings[0]!.message).toContain(item.portalColumnId);
    // Weibo needs the portal page to link to.
    const noPortalWeibo = run({ ...policy([weibo.id]), targets: [weibo.id] });
    expect(channelResult(noPortalWeibo, weibo.id).blocking).toEqual([expect.objectContaining({ code: 'portal_link_required', field: '/targets' })]);

    const other = registry.portal.columns.find((c) => c.id !== item.portalColumnId && !item.portalColumnId.startsWith(c.id))!;
    const elsewhere = run({ ...policy([]), targets: [`portal:${other.id}`] });
    expect(elsewhere.package.warnings).toEqual([expect.objectContaining({ code: 'portal_column_mismatch', field: '/targets/0' })]);
    expect(run(policy([])).package.warnings).toEqual([]);
  });

  it('shows every problem the format step finds in one field, not only the first (the editor fixes them in one go)', () => {
    const content = policy([]);
    const body = `${content.document!.body}<p>详见<a href="/api/media/${photo.mediaId}/content">附件</a>和<a href="../zwgk/1.html">原文</a></p>`;
    const r = run({ ...content, document: { ...content.document!, body } });
    const portal = r.channels.find((c) => c.platform === 'portal')!;
    expect(portal.blocking.map((p) => [p.code, p.field, /第 (\d) 个链接/.exec(p.message)?.[1]])).toEqual([
      ['platform_rejects', '/document/body', '1'],
      ['platform_rejects', '/document/body', '2'],
    ]);
  });

  it('lists the workflow’s own rules as package problems, left to the workflow by the submit gate', () => {
    const r = run({ ...policy([wechat().id]), interpretations: [] });
    expect(r.ok).toBe(false);
    expect(r.package.blocking.map((p) => p.code)).toEqual(['interpretation_required']);
    expect(submitBlockers(r)).toEqual([]);
  });
});

describe('the README examples', () => {
  it.each(['policy-consumption.json', 'news-volunteers.json'])('%s passes preflight on every target (so `examples load --submit` enters review)', (file) => {
    const media: Record<string, MediaInfo> = {};
    const text = readFileSync(path.join(ROOT_DIR, 'examples', file), 'utf8').replace(/\{\{media:([^}]+)\}\}/g, (_whole, name: string) => {
      const mediaId = [...name]
        .reduce((h, ch) => h + ch.codePointAt(0)!.toString(16), '')
        .padEnd(64, '0')
        .slice(0, 64);
      media[mediaId] = name.endsWith('.mp4')
        ? { mediaId, kind: 'video', mime: 'video/mp4', sizeBytes: 2_000_000, width: 1280, height: 720, durationSec: 20, name }
        : { mediaId, kind: 'image', mime: 'image/jpeg', sizeBytes: 300_000, width: 1600, height: 1000, name };
      return mediaId;
    });
    const content = JSON.parse(text) as PreflightContent;
    const r = preflight({ content, packageId: 'pkg-20261130-0a1b2c3d', revision: 1, contentHash: 'h1', registry, media, portalBaseUrl: PORTAL, formatFor });
    expect({ package: r.package.blocking, channels: r.channels.flatMap((c) => c.blocking) }).toEqual({ package: [], channels: [] });
    expect(r.ok).toBe(true);
    expect(r.channels.map((c) => c.channelId)).toEqual(content.targets);
    // What the portal shows of them is what an inspector expects: 主题分类 and 主题词 filled in, a video with its transcript.
    expect(r.package.warnings.map((w) => `${w.code} ${w.field}`)).toEqual([]);
    const portalWarnings = r.channels.filter((c) => c.channelId.startsWith('portal:')).flatMap((c) => c.warnings.filter((w) => w.code !== 'platform_note'));
    expect(portalWarnings.map((w) => `${w.code} ${w.field}`)).toEqual([]);
  });
});
