/**
 * Manual hand-off channels: 今日头条 (Toutiao) and 微信视频号 (WeChat Channels) have no public
 * publishing API. govpub prepares a bundle — texts within the platform's limits plus the
 * renditions (covers, pictures, videos) — an operator downloads it, posts it by hand in the
 * platform's web console and confirms with the post's URL (`govpub deliveries confirm`).
 *
 *   format               pure: the bundle description (texts, files with purposes, limits), with
 *                        plain warnings and rejections
 *   transmit             makes sure every rendition is ready (and writes the bundle when a bundle
 *                        directory is configured), then waits for the operator: awaiting_manual
 *   writeHandoffBundle   the bundle as files: 说明.txt (step-by-step, in Chinese), texts, media
 *   validateManualPostUrl  does the URL the operator gives look like a post on that platform?
 *
 * Limits: BRIEF §7 names no numbers for these platforms. The defaults below are the figures the
 * platforms' editors show (secondary sources); they are options so a deployment can correct them.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { rejectedContent, type ContentProblem } from './errors.js';
import { charCount, escapeHtml, htmlToPlainText, imageSources, mediaIdFromSrc, summaryOf, truncateChars } from './text.js';
import type {
  AdapterCapabilities,
  ChannelAdapter,
  Formatted,
  ReleaseUnit,
  RenditionFile,
  RenditionNeed,
  RenditionSource,
  TransmitContext,
  TransmitResult,
} from './types.js';
import type { Channel } from '../domain/registry.js';
import { RENDITION_EXTENSIONS } from '../media/published.js';

export type ManualPlatform = 'toutiao' | 'wechat_channels';

export const MANUAL_PLATFORM_NAMES: Record<ManualPlatform, string> = { toutiao: '今日头条', wechat_channels: '微信视频号' };

/** 头条号 article editor (secondary: the editor's own counter). */
export const TOUTIAO_LIMITS = { titleMinChars: 5, titleMaxChars: 30 } as const;
/** 视频号助手 (secondary: the console's own counters). */
export const WECHAT_CHANNELS_LIMITS = { descriptionChars: 1000, shortTitleMinChars: 6, shortTitleMaxChars: 16 } as const;

export type ManualHandoffLimits = {
  toutiao: { titleMinChars: number; titleMaxChars: number };
  wechat_channels: { descriptionChars: number; shortTitleMinChars: number; shortTitleMaxChars: number; maxVideoSec?: number };
};

/** Hosts (and their subdomains) a post URL may be on, by default. */
export const DEFAULT_POST_HOSTS: Record<ManualPlatform, readonly string[]> = {
  toutiao: ['toutiao.com', 'ixigua.com'],
  wechat_channels: ['channels.weixin.qq.com', 'weixin.qq.com'],
};

// ── Payload ──────────────────────────────────────────────────────────────────────────────────

export interface HandoffFile {
  /** Name in the bundle without extension (it follows the rendition's format): `封面`, `图片01`, `视频1`. */
  name: string;
  mediaId: string;
  spec: string;
  /** What the operator does with it, in Chinese: 文章封面, 正文图片, 视频, 视频封面. */
  purpose: string;
}

export interface ManualHandoffPayload {
  platform: ManualPlatform;
  platformName: string;
  channelId: string;
  /** The account to post from (the channel's name) and its owner unit. */
  account: string;
  ownerUnit: string | null;
  packageId: string;
  revision: number;
  /** Toutiao: an article (文章); WeChat Channels: a video (视频). */
  postKind: 'article' | 'video';
  /** Toutiao: the article title. */
  title: string | null;
  /** Toutiao: the article body as HTML; pictures and videos are 【插入…】 markers. */
  bodyHtml: string | null;
  /** Toutiao: the same body as plain text. */
  bodyText: string | null;
  /** WeChat Channels: the description (描述). */
  description: string | null;
  /** WeChat Channels: the optional short title (短标题). */
  shortTitle: string | null;
  /** The package's portal pages ("read the full text"), already in the texts. */
  links: { label: string; url: string }[];
  files: HandoffFile[];
  limits: Record<string, number | string>;
}

export interface ManualHandoffOptions {
  /** Corrections of the default limits. */
  limits?: { toutiao?: Partial<ManualHandoffLimits['toutiao']>; wechat_channels?: Partial<ManualHandoffLimits['wechat_channels']> };
  /** Where transmit writes the bundle (a directory per delivery); without it transmit only prepares the renditions. */
  bundleDir?: (ctx: TransmitContext) => string;
}

// ── Helpers ──────────────────────────────────────────────────────────────────────────────────

function isHttpUrl(value: string | undefined | null): value is string {
  if (!value) return false;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

const two = (n: number) => String(n).padStart(2, '0');

/** Replaces each `/api/media/<sha>` picture with a marker line naming its file in the bundle. */
function markPictures(html: string, nameOf: (mediaId: string) => string): string {
  return html.replace(/<img\b[^>]*>/gi, (tag) => {
    const src = imageSources(tag)[0];
    const id = src === undefined ? null : mediaIdFromSrc(src);
    if (!id) return tag;
    const name = nameOf(id);
    return `<br><span class="marker">【插入图片${name.replace('图片', '')}：${name}】</span><br>`;
  });
}

// ── The adapter ──────────────────────────────────────────────────────────────────────────────

export function createManualHandoffAdapter(platform: ManualPlatform, options: ManualHandoffOptions = {}): ChannelAdapter<ManualHandoffPayload> {
  const limits: ManualHandoffLimits = {
    toutiao: { ...TOUTIAO_LIMITS, ...options.limits?.toutiao },
    wechat_channels: { ...WECHAT_CHANNELS_LIMITS, ...options.limits?.wechat_channels },
  };
  const platformName = MANUAL_PLATFORM_NAMES[platform];

  const capabilities: AdapterCapabilities = {
    publishing: 'manual',
    canDelete: false,
    pollsStatus: false,
    reconciles: false,
    mediaKinds: platform === 'toutiao' ? ['image', 'video'] : ['video'],
    limits:
      platform === 'toutiao'
        ? {
            titleChars: `${limits.toutiao.titleMinChars}–${limits.toutiao.titleMaxChars}`,
            cover: '1280×720 JPEG',
            images: 'inside 1600 px',
            video: '1080p MP4',
          }
        : {
            descriptionChars: limits.wechat_channels.descriptionChars,
            shortTitleChars: `${limits.wechat_channels.shortTitleMinChars}–${limits.wechat_channels.shortTitleMaxChars}`,
            video: '1080×1920 MP4 (required)',
            cover: '1080×1920 JPEG',
            ...(limits.wechat_channels.maxVideoSec ? { maxVideoSec: limits.wechat_channels.maxVideoSec } : {}),
          },
  };

  function base(
    unit: ReleaseUnit,
    channel: Channel,
  ): Omit<ManualHandoffPayload, 'postKind' | 'title' | 'bodyHtml' | 'bodyText' | 'description' | 'shortTitle' | 'files'> {
    const links: { label: string; url: string }[] = [];
    if (unit.portalLinks) {
      links.push({ label: '政策原文', url: unit.portalLinks.document });
      unit.interpretations.forEach((i, n) => {
        const url = unit.portalLinks!.interpretations[n];
        if (url) links.push({ label: `解读：${i.title.trim()}`, url });
      });
    }
    return {
      platform,
      platformName,
      channelId: channel.id,
      account: channel.name,
      ownerUnit: channel.ownerUnit ?? null,
      packageId: unit.packageId,
      revision: unit.revision,
      links,
      limits: capabilities.limits,
    };
  }

  const isVideo = (unit: ReleaseUnit, i: ReleaseUnit['interpretations'][number]) => i.mediaId !== undefined && unit.media[i.mediaId]?.kind === 'video';

  // ── Toutiao: one article carrying the document and its interpretations ───────────────────

  function formatToutiao(unit: ReleaseUnit, channel: Channel): Formatted<ManualHandoffPayload> {
    const { titleMinChars: min, titleMaxChars: max } = limits.toutiao;
    const problems: ContentProblem[] = [];
    const warnings: string[] = [];
    const files: HandoffFile[] = [];
    const renditions: RenditionNeed[] = [];
    const add = (file: HandoffFile) => {
      files.push(file);
      renditions.push({ mediaId: file.mediaId, spec: file.spec, purpose: `${platformName}: ${file.purpose}` });
    };

    // Title: the package's title, else the document's, whichever fits. Never cut: a headline is
    // approved content, and an operator must not rewrite it.
    const candidates = [unit.title.trim(), unit.document.title.trim()].filter((t) => t !== '');
    const title = candidates.find((t) => charCount(t) >= min && charCount(t) <= max) ?? null;
    if (!title) {
      const shown = candidates.map((t) => `"${truncateChars(t, 40)}" (${charCount(t)})`).join(' and ') || 'none';
      problems.push({
        field: 'title',
        message: `Toutiao article titles take ${min} to ${max} characters; neither the package title nor the document title fits (${shown}). Give the package a title of ${min}–${max} characters`,
      });
    }

    // Pictures (numbered in reading order) and videos.
    const pictureNames = new Map<string, string>();
    const pictureName = (id: string) => {
      let name = pictureNames.get(id);
      if (!name) {
        name = `图片${two(pictureNames.size + 1)}`;
        pictureNames.set(id, name);
        add({ name, mediaId: id, spec: 'toutiao.image', purpose: '正文图片' });
      }
      return name;
    };

    const cover = unit.cover && unit.media[unit.cover.mediaId]?.kind !== 'video' ? unit.cover : undefined;
    if (cover) add({ name: '封面', mediaId: cover.mediaId, spec: 'toutiao.cover', purpose: '文章封面（单图）' });

    let html = '';
    if (unit.document.documentNumber) html += `<p>${escapeHtml(unit.document.documentNumber)}</p>`;
    html += markPictures(unit.document.body, pictureName);
    const attachments = unit.document.attachments ?? [];
    if (attachments.length > 0) {
      html += `<p>附件：${attachments.map((a) => escapeHtml(a.name)).join('；')}${unit.portalLinks ? `（见政府网站原文：${escapeHtml(unit.portalLinks.document)}）` : ''}</p>`;
      if (!unit.portalLinks)
        warnings.push(
          `The document's ${attachments.length} attachment(s) are only named in the Toutiao article: the package is not on the portal, so there is no page to point to.`,
        );
    }
    let videos = 0;
    unit.interpretations.forEach((interp, n) => {
      html += `<h2>${escapeHtml(`政策解读：${interp.title.trim()}`)}</h2>`;
      if (interp.interpreter) html += `<p>解读：${escapeHtml(interp.interpreter)}</p>`;
      if (isVideo(unit, interp)) {
        videos += 1;
        const name = `视频${videos}`;
        add({ name, mediaId: interp.mediaId!, spec: 'toutiao.video_1080', purpose: `视频（${interp.title.trim()}）` });
        add({ name: `${name}-封面`, mediaId: interp.mediaId!, spec: 'toutiao.poster', purpose: `${name}的封面` });
        html += `<p class="marker">【插入视频${videos}：${name}】</p>`;
      } else if (interp.mediaId && unit.media[interp.mediaId]?.kind === 'audio') {
        const page = unit.portalLinks?.interpretations[n];
        html += page ? `<p>收听音频解读：${escapeHtml(page)}</p>` : '';
        warnings.push(
          `Interpretation ${n + 1} "${truncateChars(interp.title.trim(), 30)}" is audio, which a Toutiao article cannot carry${page ? '; the article gives the portal page that plays it' : ' (and there is no portal page to point to)'}.`,
        );
      }
      html += markPictures(interp.body, pictureName);
      if (isHttpUrl(interp.url) && !isVideo(unit, interp)) html += `<p>${escapeHtml(interp.title.trim())}：${escapeHtml(interp.url)}</p>`;
    });
    if (unit.portalLinks) html += `<p>原文链接：${escapeHtml(unit.portalLinks.document)}</p>`;
    const text = htmlToPlainText(html);
    if (htmlToPlainText(unit.document.body) === '') problems.push({ field: 'document.body', message: 'has no text; a Toutiao article needs text' });
    if (/<script\b/i.test(html)) problems.push({ field: 'body', message: 'contains a <script> element, which cannot be pasted into the Toutiao editor' });
    if (!cover) {
      warnings.push(
        pictureNames.size > 0 || videos > 0
          ? "No cover chosen for Toutiao: the operator picks one of the article's pictures as the cover."
          : 'No cover picture for Toutiao: the article goes out without one (无封面).',
      );
    }
    if (problems.length > 0) throw rejectedContent(`${platformName} (${channel.id})`, problems);
    return {
      payload: { ...base(unit, channel), postKind: 'article', title, bodyHtml: html, bodyText: text, description: null, shortTitle: null, files },
      renditions,
      warnings,
    };
  }

  // ── WeChat Channels: one video post ────────────────────────────────────────────────────────

  function formatChannels(unit: ReleaseUnit, channel: Channel): Formatted<ManualHandoffPayload> {
    const lim = limits.wechat_channels;
    const warnings: string[] = [];
    const videoIndex = unit.interpretations.findIndex((i) => isVideo(unit, i));
    if (videoIndex < 0) {
      const linkOnly = unit.interpretations.some((i) => i.form === 'video' && isHttpUrl(i.url));
      throw rejectedContent(`${platformName} (${channel.id})`, [
        {
          field: 'interpretations',
          message: linkOnly
            ? "WeChat Channels posts are videos, and this package's video is only a link: upload the video file to the interpretation so it can be bundled"
            : 'WeChat Channels posts are videos, and this package has no video: add a video interpretation, or leave this channel out of the release',
        },
      ]);
    }
    const interp = unit.interpretations[videoIndex]!;
    const info = unit.media[interp.mediaId!]!;
    const others = unit.interpretations.filter((i, n) => n !== videoIndex && isVideo(unit, i)).length;
    if (others > 0)
      warnings.push(`A WeChat Channels post carries one video: only "${truncateChars(interp.title.trim(), 30)}" is posted; ${others} other video(s) are not.`);
    if (lim.maxVideoSec && info.durationSec && info.durationSec > lim.maxVideoSec) {
      throw rejectedContent(`${platformName} (${channel.id})`, [
        {
          field: `interpretations[${videoIndex}].mediaId`,
          message: `the video runs ${Math.round(info.durationSec)} s; WeChat Channels takes at most ${lim.maxVideoSec} s here (${Math.round(info.durationSec - lim.maxVideoSec)} s too long)`,
        },
      ]);
    }

    // Description: headline, summary, the portal link. The summary gives way to the limit.
    const headline = interp.title.trim() || unit.title.trim();
    const link = unit.portalLinks ? `政策原文：${unit.portalLinks.document}` : '';
    const fixed = [headline, link].filter(Boolean).join('\n');
    const room = lim.descriptionChars - charCount(fixed) - (link ? 2 : 1);
    const sourceHtml = htmlToPlainText(interp.body) !== '' ? interp.body : unit.document.body;
    const full = htmlToPlainText(sourceHtml).replace(/\s*\n\s*/g, ' ');
    let summary = '';
    if (room > 10) {
      summary = summaryOf(sourceHtml, room);
      if (charCount(full) > room)
        warnings.push(
          `The WeChat Channels description is cut to ${lim.descriptionChars} characters: the summary keeps ${charCount(summary)} of ${charCount(full)}.`,
        );
    } else if (full) {
      warnings.push('The WeChat Channels description has no room for a summary after the title and the link.');
    }
    const description = [headline, summary, link].filter(Boolean).join('\n');
    if (charCount(description) > lim.descriptionChars) {
      throw rejectedContent(`${platformName} (${channel.id})`, [
        {
          field: `interpretations[${videoIndex}].title`,
          message: `the title and the portal link alone take ${charCount(description)} characters; a WeChat Channels description takes at most ${lim.descriptionChars}`,
        },
      ]);
    }

    const fits = (t: string) => charCount(t) >= lim.shortTitleMinChars && charCount(t) <= lim.shortTitleMaxChars;
    const shortTitle = [interp.title.trim(), unit.title.trim()].find(fits) ?? null;
    if (!shortTitle)
      warnings.push(
        `No short title: neither the video's title nor the package's has ${lim.shortTitleMinChars}–${lim.shortTitleMaxChars} characters; the short title is optional and stays empty.`,
      );

    const files: HandoffFile[] = [
      { name: '视频', mediaId: interp.mediaId!, spec: 'wechat_channels.video_1080', purpose: '视频（竖屏）' },
      { name: '封面', mediaId: interp.mediaId!, spec: 'wechat_channels.cover', purpose: '视频封面（竖屏）' },
    ];
    return {
      payload: { ...base(unit, channel), postKind: 'video', title: null, bodyHtml: null, bodyText: null, description, shortTitle, files },
      renditions: files.map((f) => ({ mediaId: f.mediaId, spec: f.spec, purpose: `${platformName}: ${f.purpose}` })),
      warnings,
    };
  }

  return {
    platform,
    capabilities,
    format: (unit, channel) => (platform === 'toutiao' ? formatToutiao(unit, channel) : formatChannels(unit, channel)),
    async transmit(payload: ManualHandoffPayload, ctx: TransmitContext): Promise<TransmitResult> {
      // Every file must be ready before an operator is asked to post.
      for (const f of payload.files) {
        await ctx.renditions.get(f.mediaId, f.spec);
        ctx.heartbeat();
      }
      if (options.bundleDir) await writeHandoffBundle(payload, ctx.renditions, options.bundleDir(ctx));
      return { state: 'awaiting_manual', externalId: ctx.businessKey };
    },
  };
}

// ── The bundle on disk ───────────────────────────────────────────────────────────────────────

/** Text for Windows operators: CRLF line ends and a BOM, so even old Notepad shows the Chinese. */
function windowsText(text: string): string {
  return `\ufeff${text.replace(/\r?\n/g, '\r\n')}${text.endsWith('\n') ? '' : '\r\n'}`;
}

function describeFile(file: RenditionFile): string {
  const parts: string[] = [];
  if (file.width && file.height) parts.push(`${file.width}×${file.height}`);
  if (file.durationSec) parts.push(`${Math.round(file.durationSec)} 秒`);
  parts.push(file.sizeBytes >= 1_000_000 ? `${(file.sizeBytes / 1_000_000).toFixed(1)} MB` : `${Math.max(1, Math.round(file.sizeBytes / 1000))} KB`);
  return parts.join('，');
}

/**
 * Writes the bundle into `outDir` (created if needed): 说明.txt, the texts, and each rendition
 * copied under a clear name. Returns the absolute paths written, 说明.txt first.
 */
export async function writeHandoffBundle(
  payload: ManualHandoffPayload,
  renditions: RenditionSource,
  outDir: string,
  options: { deliveryId?: string } = {},
): Promise<{ files: string[] }> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const media: { file: HandoffFile; rendition: RenditionFile; fileName: string }[] = [];
  for (const file of payload.files) {
    const rendition = await renditions.get(file.mediaId, file.spec);
    const fileName = `${file.name}.${RENDITION_EXTENSIONS[rendition.mime] ?? 'bin'}`;
    media.push({ file, rendition, fileName });
  }
  const fileNameOf = (name: string) => media.find((m) => m.file.name === name)?.fileName ?? name;
  // Markers name files without extension; the bundle's names carry one.
  const withExtensions = (s: string) =>
    s.replace(/【插入(图片|视频)([0-9]+)：([^】]+)】/g, (_, kind: string, n: string, name: string) => `【插入${kind}${n}：${fileNameOf(name)}】`);

  const texts: [string, string][] = [];
  if (payload.platform === 'toutiao') {
    texts.push(['标题.txt', payload.title ?? '']);
    texts.push(['正文.txt', withExtensions(payload.bodyText ?? '')]);
  } else {
    texts.push(['描述.txt', payload.description ?? '']);
    if (payload.shortTitle) texts.push(['短标题.txt', payload.shortTitle]);
  }
  const instructions =
    payload.platform === 'toutiao' ? toutiaoInstructions(payload, media, options.deliveryId) : channelsInstructions(payload, media, options.deliveryId);
  const out = async (name: string, content: string | Buffer) => {
    const p = path.join(outDir, name);
    await writeFile(p, content);
    written.push(p);
  };
  await out('说明.txt', windowsText(instructions));
  for (const [name, content] of texts) await out(name, windowsText(content));
  if (payload.platform === 'toutiao') {
    const page = `<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(payload.title ?? '')}</title>
<style>body{max-width:760px;margin:2em auto;font:16px/1.8 "Microsoft YaHei",sans-serif}.marker{color:#c00;font-weight:bold}</style></head>
<body>${withExtensions(payload.bodyHtml ?? '')}</body></html>\n`;
    await out('正文.html', page);
  }
  for (const m of media) {
    const p = path.join(outDir, m.fileName);
    await copyFile(m.rendition.path, p);
    written.push(p);
  }
  return { files: written };
}

function header(payload: ManualHandoffPayload, deliveryId: string | undefined): string[] {
  return [
    `${payload.platformName}发布说明（人工发布）`,
    '='.repeat(32),
    '',
    `发布账号：${payload.account}${payload.ownerUnit ? `（${payload.ownerUnit}）` : ''}`,
    `渠道编号：${payload.channelId}`,
    `稿件：${payload.packageId} 第 ${payload.revision} 版`,
    `投递编号：${deliveryId ?? '见 govpub 控制台中本稿件的投递列表'}`,
    '',
    `${payload.platformName}没有可供政务账号使用的公开发布接口，本稿件由运营人员按以下步骤手工发布。`,
    '文字已经审核通过，请原样发布，不要改动；确需改动的，请退回编辑修改后重新送审。',
    '',
  ];
}

function confirmSteps(deliveryId: string | undefined, example: string): string[] {
  const id = deliveryId ?? '<投递编号>';
  return [
    '  在 govpub 中登记链接（登记后这条投递才算“已发布”，在此之前系统会定期提醒）：',
    `    govpub deliveries confirm ${id} --url <帖子链接>`,
    `  例如：govpub deliveries confirm ${id} --url ${example}`,
  ];
}

/** Columns a string takes in a monospaced font: CJK and full-width characters take two. */
function displayWidth(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n +=
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      c >= 0x20000
        ? 2
        : 1;
  }
  return n;
}

function fileList(media: { file: HandoffFile; rendition: RenditionFile; fileName: string }[], texts: [string, string][]): string[] {
  const width = Math.max(...[...texts.map(([n]) => n), ...media.map((m) => m.fileName)].map(displayWidth)) + 2;
  const pad = (s: string) => s + ' '.repeat(Math.max(1, width - displayWidth(s)));
  return [
    '文件清单',
    ...texts.map(([name, what]) => `  ${pad(name)}${what}`),
    ...media.map((m) => `  ${pad(m.fileName)}${m.file.purpose}（${describeFile(m.rendition)}）`),
  ];
}

function toutiaoInstructions(
  payload: ManualHandoffPayload,
  media: { file: HandoffFile; rendition: RenditionFile; fileName: string }[],
  deliveryId: string | undefined,
): string {
  const lines = header(payload, deliveryId);
  let step = 0;
  const s = (title: string, ...body: string[]) => {
    step += 1;
    lines.push(`第${step}步  ${title}`, ...body.map((b) => `  ${b}`), '');
  };
  const pictures = media.filter((m) => m.file.spec === 'toutiao.image');
  const videos = media.filter((m) => m.file.spec === 'toutiao.video_1080');
  const cover = media.find((m) => m.file.spec === 'toutiao.cover');
  s('登录', `用电脑浏览器打开 https://mp.toutiao.com ，登录头条号“${payload.account}”。`);
  s('新建文章', '点击左侧“创作”→“文章”。');
  s('标题', `打开“标题.txt”，全选复制，粘贴到标题栏。标题共 ${charCount(payload.title ?? '')} 字（头条要求 ${payload.limits.titleChars} 字）。`);
  s('正文', '用浏览器打开“正文.html”，按 Ctrl+A 全选、Ctrl+C 复制，粘贴到正文编辑区；', '如果粘贴后格式错乱，撤销后改为复制“正文.txt”的内容。');
  if (pictures.length > 0) {
    s(
      '插入图片',
      `正文中有 ${pictures.length} 处红色标记【插入图片NN：文件名】。把光标放在标记处，点击工具栏“图片”上传同名文件，再删除标记文字：`,
      ...pictures.map((m) => `  ${m.fileName}`),
    );
  }
  if (videos.length > 0) {
    s(
      '插入视频',
      `正文中有 ${videos.length} 处标记【插入视频N：文件名】。把光标放在标记处，点击工具栏“视频”上传同名文件，封面选用同名的“-封面”图片，再删除标记文字：`,
      ...videos.map((m) => {
        const poster = media.find((p) => p.file.name === `${m.file.name}-封面`);
        return `  ${m.fileName}${poster ? `（封面 ${poster.fileName}）` : ''}`;
      }),
    );
  }
  s(
    '封面',
    cover
      ? `“展示封面”选择“单图”，上传“${cover.fileName}”。`
      : pictures.length > 0
        ? '本稿件没有指定封面：“展示封面”选择“单图”，从正文图片中选一张。'
        : '本稿件没有封面图：“展示封面”选择“无封面”。',
  );
  s(
    '检查并发布',
    '核对标题、正文、图片无误后，点击“发布”。',
    '发布成功后打开这篇文章，复制浏览器地址栏中的链接，形如 https://www.toutiao.com/article/7xxxxxxxxxxxxxxxxxx/ 。',
  );
  lines.push(`第${step + 1}步  登记链接`, ...confirmSteps(deliveryId, 'https://www.toutiao.com/article/7300000000000000000/'), '');
  if (payload.links.length > 0) {
    lines.push('政府网站链接（政策原文链接已写在正文末尾）', ...payload.links.map((l) => `  ${l.label}：${l.url}`), '');
  }
  lines.push(
    ...fileList(media, [
      ['说明.txt', '本说明'],
      ['标题.txt', '文章标题'],
      ['正文.txt', '正文（纯文本）'],
      ['正文.html', '正文（带格式，用浏览器打开）'],
    ]),
  );
  return lines.join('\n');
}

function channelsInstructions(
  payload: ManualHandoffPayload,
  media: { file: HandoffFile; rendition: RenditionFile; fileName: string }[],
  deliveryId: string | undefined,
): string {
  const lines = header(payload, deliveryId);
  let step = 0;
  const s = (title: string, ...body: string[]) => {
    step += 1;
    lines.push(`第${step}步  ${title}`, ...body.map((b) => `  ${b}`), '');
  };
  const video = media.find((m) => m.file.spec === 'wechat_channels.video_1080');
  const cover = media.find((m) => m.file.spec === 'wechat_channels.cover');
  s('登录', `用电脑浏览器打开 https://channels.weixin.qq.com （视频号助手），用视频号“${payload.account}”管理员的微信扫码登录。`);
  s('发表视频', '点击左侧“内容管理”→“视频”，再点“发表视频”。');
  s('上传视频', `选择“${video?.fileName ?? '视频.mp4'}”上传${video ? `（${describeFile(video.rendition)}）` : ''}，等待上传完成。`);
  if (cover) s('封面', `点击“编辑封面”→“上传封面”，选择“${cover.fileName}”。`);
  s('描述', `打开“描述.txt”，全选复制，粘贴到“描述”栏（共 ${charCount(payload.description ?? '')} 字，限 ${payload.limits.descriptionChars} 字）。`);
  s('短标题', payload.shortTitle ? `打开“短标题.txt”，复制到“短标题”栏（${payload.limits.shortTitleChars} 字）。` : '本稿件没有合适的短标题，“短标题”栏留空。');
  s('发表', '核对视频、封面和描述无误后，点击“发表”。');
  s(
    '取得视频链接',
    '发表成功后，在手机微信中打开这条视频，点击右上角“…”→“复制链接”，链接形如 https://weixin.qq.com/sph/AbCdEf 。',
    '也可以使用视频号助手中该视频的分享链接（channels.weixin.qq.com 开头）。视频号助手的管理页面地址不是视频链接。',
  );
  lines.push(`第${step + 1}步  登记链接`, ...confirmSteps(deliveryId, 'https://weixin.qq.com/sph/AbCdEf'), '');
  if (payload.links.length > 0) lines.push('政府网站链接（政策原文链接已写在描述末尾）', ...payload.links.map((l) => `  ${l.label}：${l.url}`), '');
  const texts: [string, string][] = [
    ['说明.txt', '本说明'],
    ['描述.txt', '视频描述'],
  ];
  if (payload.shortTitle) texts.push(['短标题.txt', '短标题']);
  lines.push(...fileList(media, texts));
  return lines.join('\n');
}

// ── Post URL check ───────────────────────────────────────────────────────────────────────────

const onChannelsHost = (host: string) => host === 'channels.weixin.qq.com' || host.endsWith('.channels.weixin.qq.com');

/**
 * Does `url` look like a post on `platform`? Null when it does; otherwise a plain message for the
 * operator. Tolerant (any post path on the platform's hosts), but refuses what is clearly wrong:
 * not a link, not http(s), another site, the platform's home or console pages. `acceptedHosts`
 * replaces the default hosts (a host also admits its subdomains); `['*']` accepts any host.
 */
export function validateManualPostUrl(platform: ManualPlatform, url: string, options: { acceptedHosts?: readonly string[] } = {}): string | null {
  const name = MANUAL_PLATFORM_NAMES[platform];
  const raw = url.trim();
  if (raw === '') return `Give the link of the post you published on ${name}.`;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return `"${truncateChars(raw, 60)}" is not a link: copy the post's full address (it starts with https://).`;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `The link must start with https:// (this one starts with "${u.protocol}").`;
  if (charCount(raw) > 2000) return "The link is longer than 2000 characters; copy the post's address again.";
  const host = u.hostname.toLowerCase().replace(/\.$/, '');
  const hosts = options.acceptedHosts ?? DEFAULT_POST_HOSTS[platform];
  if (hosts.includes('*')) return null;
  const onHost = (h: string) => host === h.toLowerCase() || host.endsWith(`.${h.toLowerCase()}`);
  if (!options.acceptedHosts && platform === 'wechat_channels' && host === 'mp.weixin.qq.com') {
    return 'That is a WeChat official account article (mp.weixin.qq.com), not a WeChat Channels post: open the video in WeChat, tap "…" → "复制链接" and give that link.';
  }
  const matched = hosts.find(onHost);
  if (!matched) {
    return `The link points to ${host}, not to ${name} (${hosts.join(', ')}): give the link of the post you published on ${name}.`;
  }
  if (options.acceptedHosts) return null; // configured hosts: any path on them
  const p = u.pathname.replace(/\/+$/, '');
  if (platform === 'toutiao') {
    if (p === '') return `That is the ${name} home page, not a post: open the published article and copy its address.`;
    if (/^\/c\/user\//.test(p)) return `That is an account page on ${name}, not a post: open the published article and copy its address.`;
    if (host.startsWith('mp.')) return `That is the 头条号 management console (mp.toutiao.com), not the post: open the published article and copy its address.`;
    return null;
  }
  // WeChat Channels: share links weixin.qq.com/sph/…, or pages on channels.weixin.qq.com.
  if (host === 'weixin.qq.com' || host === 'www.weixin.qq.com') {
    return /^\/sph\/[A-Za-z0-9_-]+/.test(p) ? null : `That is not a WeChat Channels post link: a shared post looks like https://weixin.qq.com/sph/AbCdEf.`;
  }
  if (!onChannelsHost(host)) return `That link (${host}) is not a WeChat Channels post: a shared post looks like https://weixin.qq.com/sph/AbCdEf.`;
  if (p === '' || /^\/(platform|login)(\/|$)/.test(p)) {
    return 'That is the 视频号助手 console, not the post: in WeChat open the video, tap "…" → "复制链接" and give that link.';
  }
  return null;
}
