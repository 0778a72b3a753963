// Xiaohongshu's part of the manual hand-off: one note (a video, or pictures) with its title and text, the bundle texts, 说明.txt and post URLs.
import { rejectedContent } from '../errors.js';
import { documentLinkLabel } from '../release-unit.js';
import { FormatWarnings } from '../format-notes.js';
import { describeFile, instructionsFor } from '../manual-handoff/instructions.js';
import { bundleFiles, isVideo, two } from '../manual-handoff/format-helpers.js';
import type { HandoffKit } from '../manual-handoff/payload.js';
import { charCount, htmlToPlainText, imageSources, mediaIdFromSrc, summaryOf, truncateChars } from '../text.js';
import type { xiaohongshuDeclaration } from './declaration.js';

type XiaohongshuLimits = { -readonly [K in keyof (typeof xiaohongshuDeclaration)['limits']]: number };

/** The note's texts: the title when one fits, and the text (正文). */
const texts: HandoffKit<XiaohongshuLimits>['texts'] = (payload) => [
  ...(payload.title ? [{ name: '标题.txt', content: payload.title, what: '笔记标题' }] : []),
  { name: '正文.txt', content: payload.description ?? '', what: '笔记正文' },
];

export const xiaohongshuHandoff: HandoffKit<XiaohongshuLimits> = {
  shownLimits: (limits) => ({
    titleChars: limits.titleChars,
    bodyChars: limits.bodyChars,
    pictures: limits.pictures,
    pictureSize: '1080×1440 JPEG (3:4)',
    video: '1080×1920 MP4',
  }),

  format(unit, channel, { limits, base }) {
    const warnings = new FormatWarnings();
    const { files, renditions, add } = bundleFiles(base.platformName);

    // A note is one video, or pictures: the first uploaded video makes it a video note.
    const video = unit.interpretations.find((i) => isVideo(unit, i));
    if (video) {
      add({ name: '视频', mediaId: video.mediaId!, spec: 'xiaohongshu.video_1080', purpose: '视频（竖屏）' });
      add({ name: '封面', mediaId: video.mediaId!, spec: 'xiaohongshu.cover', purpose: '视频封面（3:4）' });
      const others = unit.interpretations.filter((i) => i !== video && isVideo(unit, i)).length;
      if (others > 0)
        warnings.add(
          `A Xiaohongshu note carries one video: only "${truncateChars(video.title.trim(), 30)}" is posted; ${others} other video(s) are not.`,
          `一篇小红书笔记只带一个视频：只发布“${truncateChars(video.title.trim(), 30)}”，另外 ${others} 个视频不发布。`,
        );
    } else {
      // Pictures in reading order: the cover first, then the pictures of the document and the interpretations.
      const ids: string[] = [];
      const pick = (id: string | undefined) => {
        if (id && unit.media[id]?.kind === 'image' && !ids.includes(id)) ids.push(id);
      };
      pick(unit.cover?.mediaId);
      for (const html of [unit.document.body, ...unit.interpretations.map((i) => i.body)])
        for (const src of imageSources(html)) pick(mediaIdFromSrc(src) ?? undefined);
      for (const i of unit.interpretations) pick(i.mediaId);
      if (ids.length === 0) {
        throw rejectedContent(`${base.platformName} (${channel.id})`, [
          {
            field: 'cover',
            message:
              'A Xiaohongshu note needs at least one picture or a video, and this package has neither: choose a cover picture, or leave this channel out of the release',
            messageZh: '小红书笔记至少需要一张图片或一个视频，而本稿件都没有。请选择一张封面图片，或在本次发布中去掉该渠道。',
          },
        ]);
      }
      if (ids.length > limits.pictures)
        warnings.add(
          `A Xiaohongshu note carries at most ${limits.pictures} pictures: the first ${limits.pictures} of ${ids.length} are bundled.`,
          `一篇小红书笔记最多 ${limits.pictures} 张图片：${ids.length} 张中只打包前 ${limits.pictures} 张。`,
        );
      ids
        .slice(0, limits.pictures)
        .forEach((id, n) => add({ name: `图片${two(n + 1)}`, mediaId: id, spec: 'xiaohongshu.image', purpose: n === 0 ? '笔记首图（封面）' : '笔记图片' }));
    }
    if (unit.interpretations.some((i) => i.mediaId && unit.media[i.mediaId]?.kind === 'audio')) {
      warnings.add(
        'Audio interpretations cannot go into a Xiaohongshu note; the note gives the portal page that plays them.',
        '音频解读不能放进小红书笔记，笔记中给出播放音频的门户网站页面。',
      );
    }

    // Title: optional on Xiaohongshu and never cut (approved content): the first that fits, else none.
    const title = [unit.title.trim(), unit.document.title.trim()].find((t) => t !== '' && charCount(t) <= limits.titleChars) ?? null;
    if (!title)
      warnings.add(
        `No Xiaohongshu title: neither the package title nor the document title fits in ${limits.titleChars} characters; the note goes out without one.`,
        `稿件标题和文件标题都超过小红书 ${limits.titleChars} 个字的上限，笔记不带标题发布。如需标题，请缩短稿件标题。`,
      );

    // Text: headline (when it is not the title), summary, the portal link written out (links in notes are not clickable).
    const headline = title === unit.title.trim() ? '' : unit.title.trim();
    const link = unit.portalLinks ? `${documentLinkLabel(unit)}：${unit.portalLinks.document}` : '';
    const fixed = [headline, link].filter(Boolean);
    const room = limits.bodyChars - fixed.reduce((n, t) => n + charCount(t) + 1, 0);
    const sourceHtml = video && htmlToPlainText(video.body) !== '' ? video.body : unit.document.body;
    const full = htmlToPlainText(sourceHtml).replace(/\s*\n\s*/g, ' ');
    const summary = room > 10 ? summaryOf(sourceHtml, room) : '';
    if (full && charCount(full) > Math.max(room, 0))
      warnings.add(
        `The Xiaohongshu text is cut to ${limits.bodyChars} characters: the summary keeps ${charCount(summary)} of ${charCount(full)}.`,
        `小红书正文最多 ${limits.bodyChars} 个字，摘要保留 ${charCount(full)} 个字中的 ${charCount(summary)} 个。`,
      );
    const description = [headline, summary, link].filter(Boolean).join('\n');
    if (charCount(description) > limits.bodyChars) {
      throw rejectedContent(`${base.platformName} (${channel.id})`, [
        {
          field: 'title',
          message: `the title and the portal link alone take ${charCount(description)} characters; a Xiaohongshu note's text takes at most ${limits.bodyChars}`,
          messageZh: `仅标题和门户网站链接就占 ${charCount(description)} 个字，小红书笔记正文最多 ${limits.bodyChars} 个字。请缩短稿件标题。`,
        },
      ]);
    }
    return {
      payload: { ...base, postKind: 'note', title, bodyHtml: null, bodyText: null, description, shortTitle: null, files },
      renditions,
      ...warnings.lists(),
    };
  },

  texts,

  instructions(payload, media, deliveryId) {
    const { step: s, end } = instructionsFor(payload, media, deliveryId);
    const video = media.find((m) => m.file.spec === 'xiaohongshu.video_1080');
    const cover = media.find((m) => m.file.spec === 'xiaohongshu.cover');
    const pictures = media.filter((m) => m.file.spec === 'xiaohongshu.image');
    s('登录', `用电脑浏览器打开 https://creator.xiaohongshu.com （小红书创作服务平台），登录账号“${payload.account}”。`);
    if (video) {
      s('上传视频', `点击“发布笔记”→“上传视频”，选择“${video.fileName}”（${describeFile(video.rendition)}），等待上传完成。`);
      if (cover) s('封面', `点击“设置封面”→“上传封面”，选择“${cover.fileName}”。`);
    } else {
      s('上传图片', `点击“发布笔记”→“上传图文”，按顺序选择以下 ${pictures.length} 张图片（第一张是封面）：`, ...pictures.map((m) => `  ${m.fileName}`));
    }
    s(
      '标题',
      payload.title
        ? `打开“标题.txt”，复制到“标题”栏（共 ${charCount(payload.title)} 字，限 ${payload.limits.titleChars} 字）。`
        : '本稿件没有合适的标题，“标题”栏留空。',
    );
    s('正文', `打开“正文.txt”，全选复制，粘贴到正文栏（共 ${charCount(payload.description ?? '')} 字，限 ${payload.limits.bodyChars} 字）。`);
    s('发布', '核对图片或视频、标题和正文无误后，点击“发布”。');
    s(
      '取得笔记链接',
      '发布成功后打开这篇笔记，点击“分享”→“复制链接”，链接形如 https://www.xiaohongshu.com/explore/6xxxxxxxxxxxxxxxxxxxxxxx 或 http://xhslink.com/AbCdEf 。',
    );
    return end(
      'https://www.xiaohongshu.com/explore/650000000000000000000000',
      `政府网站链接（${payload.links[0]?.label ?? '原文'}链接已写在正文末尾）`,
      texts(payload, (t) => t),
    );
  },
};
