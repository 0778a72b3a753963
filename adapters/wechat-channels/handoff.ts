// WeChat Channels' part of the manual hand-off: one vertical video post, its bundle texts, 说明.txt and post URLs.
import { rejectedContent } from '../errors.js';
import { documentLinkLabel } from '../release-unit.js';
import { FormatWarnings } from '../format-notes.js';
import { describeFile, instructionsFor } from '../manual-handoff/instructions.js';
import { isVideo } from '../manual-handoff/format-helpers.js';
import type { HandoffFile, HandoffKit } from '../manual-handoff/payload.js';
import { charCount, htmlToPlainText, isHttpUrl, summaryOf, truncateChars } from '../text.js';

/** The declared limits, plus an optional longest video a deployment may set. */
interface ChannelsLimits {
  descriptionChars: number;
  shortTitleMinChars: number;
  shortTitleMaxChars: number;
  maxVideoSec?: number;
}

/** The post's texts: the description, and the short title when one fits. */
const texts: HandoffKit<ChannelsLimits>['texts'] = (payload) => [
  { name: '描述.txt', content: payload.description ?? '', what: '视频描述' },
  ...(payload.shortTitle ? [{ name: '短标题.txt', content: payload.shortTitle, what: '短标题' }] : []),
];

export const wechatChannelsHandoff: HandoffKit<ChannelsLimits> = {
  shownLimits: (limits) => ({
    descriptionChars: limits.descriptionChars,
    shortTitleChars: `${limits.shortTitleMinChars}–${limits.shortTitleMaxChars}`,
    video: '1080×1920 MP4 (required)',
    cover: '1080×1920 JPEG',
    ...(limits.maxVideoSec ? { maxVideoSec: limits.maxVideoSec } : {}),
  }),

  format(unit, channel, { limits: lim, base }) {
    const refuse = (field: string, message: string, messageZh: string) =>
      rejectedContent(`${base.platformName} (${channel.id})`, [{ field, message, messageZh }]);
    const warnings = new FormatWarnings();
    const videoIndex = unit.interpretations.findIndex((i) => isVideo(unit, i));
    if (videoIndex < 0) {
      const linkOnly = unit.interpretations.some((i) => i.form === 'video' && isHttpUrl(i.url));
      throw linkOnly
        ? refuse(
            'interpretations',
            "WeChat Channels posts are videos, and this package's video is only a link: upload the video file to the interpretation so it can be bundled",
            '视频号发布的是视频，而本稿件的视频只有链接。请为该解读上传视频文件，以便打包。',
          )
        : refuse(
            'interpretations',
            'WeChat Channels posts are videos, and this package has no video: add a video interpretation, or leave this channel out of the release',
            '视频号发布的是视频，而本稿件没有视频。请添加一篇视频解读，或在本次发布中去掉该渠道。',
          );
    }
    const interp = unit.interpretations[videoIndex]!;
    const info = unit.media[interp.mediaId!]!;
    const others = unit.interpretations.filter((i, n) => n !== videoIndex && isVideo(unit, i)).length;
    if (others > 0)
      warnings.add(
        `A WeChat Channels post carries one video: only "${truncateChars(interp.title.trim(), 30)}" is posted; ${others} other video(s) are not.`,
        `一条视频号动态只带一个视频：只发布“${truncateChars(interp.title.trim(), 30)}”，另外 ${others} 个视频不发布。`,
      );
    if (lim.maxVideoSec && info.durationSec && info.durationSec > lim.maxVideoSec) {
      throw refuse(
        `interpretations[${videoIndex}].mediaId`,
        `the video runs ${Math.round(info.durationSec)} s; WeChat Channels takes at most ${lim.maxVideoSec} s here (${Math.round(info.durationSec - lim.maxVideoSec)} s too long)`,
        `视频时长 ${Math.round(info.durationSec)} 秒，该视频号最多接收 ${lim.maxVideoSec} 秒（超出 ${Math.round(info.durationSec - lim.maxVideoSec)} 秒）。请剪短视频。`,
      );
    }

    // Description: headline, summary, the portal link. The summary gives way to the limit.
    const headline = interp.title.trim() || unit.title.trim();
    const link = unit.portalLinks ? `${documentLinkLabel(unit)}：${unit.portalLinks.document}` : '';
    const fixed = [headline, link].filter(Boolean).join('\n');
    const room = lim.descriptionChars - charCount(fixed) - (link ? 2 : 1);
    const sourceHtml = htmlToPlainText(interp.body) !== '' ? interp.body : unit.document.body;
    const full = htmlToPlainText(sourceHtml).replace(/\s*\n\s*/g, ' ');
    let summary = '';
    if (room > 10) {
      summary = summaryOf(sourceHtml, room);
      if (charCount(full) > room)
        warnings.add(
          `The WeChat Channels description is cut to ${lim.descriptionChars} characters: the summary keeps ${charCount(summary)} of ${charCount(full)}.`,
          `视频号描述最多 ${lim.descriptionChars} 个字，摘要保留 ${charCount(full)} 个字中的 ${charCount(summary)} 个。`,
        );
    } else if (full) {
      warnings.add(
        'The WeChat Channels description has no room for a summary after the title and the link.',
        '视频号描述放下标题和链接后没有摘要的位置，描述不带摘要。缩短标题可以放下摘要。',
      );
    }
    const description = [headline, summary, link].filter(Boolean).join('\n');
    if (charCount(description) > lim.descriptionChars) {
      throw refuse(
        `interpretations[${videoIndex}].title`,
        `the title and the portal link alone take ${charCount(description)} characters; a WeChat Channels description takes at most ${lim.descriptionChars}`,
        `仅标题和门户网站链接就占 ${charCount(description)} 个字，视频号描述最多 ${lim.descriptionChars} 个字。请缩短视频解读的标题。`,
      );
    }

    const fits = (t: string) => charCount(t) >= lim.shortTitleMinChars && charCount(t) <= lim.shortTitleMaxChars;
    const shortTitle = [interp.title.trim(), unit.title.trim()].find(fits) ?? null;
    if (!shortTitle)
      warnings.add(
        `No short title: neither the video's title nor the package's has ${lim.shortTitleMinChars}–${lim.shortTitleMaxChars} characters; the short title is optional and stays empty.`,
        `视频标题和稿件标题都不是 ${lim.shortTitleMinChars}–${lim.shortTitleMaxChars} 个字，短标题（可选）留空。`,
      );

    const files: HandoffFile[] = [
      { name: '视频', mediaId: interp.mediaId!, spec: 'wechat_channels.video_1080', purpose: '视频（竖屏）' },
      { name: '封面', mediaId: interp.mediaId!, spec: 'wechat_channels.cover', purpose: '视频封面（竖屏）' },
    ];
    return {
      payload: { ...base, postKind: 'video', title: null, bodyHtml: null, bodyText: null, description, shortTitle, files },
      renditions: files.map((f) => ({ mediaId: f.mediaId, spec: f.spec, purpose: `${base.platformName}: ${f.purpose}` })),
      ...warnings.lists(),
    };
  },

  texts,

  instructions(payload, media, deliveryId) {
    const { step: s, end } = instructionsFor(payload, media, deliveryId);
    const video = media.find((m) => m.file.spec === 'wechat_channels.video_1080');
    const cover = media.find((m) => m.file.spec === 'wechat_channels.cover');
    s('登录', `用电脑浏览器打开 https://channels.weixin.qq.com （视频号助手），用视频号“${payload.account}”管理员的微信扫码登录。`);
    s('发表视频', '点击左侧“内容管理”→“视频”，再点“发表视频”。');
    s('上传视频', `选择“${video?.fileName ?? '视频.mp4'}”上传${video ? `（${describeFile(video.rendition)}）` : ''}，等待上传完成。`);
    if (cover) s('封面', `点击“编辑封面”→“上传封面”，选择“${cover.fileName}”。`);
    s('描述', `打开“描述.txt”，全选复制，粘贴到“描述”栏（共 ${charCount(payload.description ?? '')} 字，限 ${payload.limits.descriptionChars} 字）。`);
    s(
      '短标题',
      payload.shortTitle ? `打开“短标题.txt”，复制到“短标题”栏（${payload.limits.shortTitleChars} 字）。` : '本稿件没有合适的短标题，“短标题”栏留空。',
    );
    s('发表', '核对视频、封面和描述无误后，点击“发表”。');
    s(
      '取得视频链接',
      '发表成功后，在手机微信中打开这条视频，点击右上角“…”→“复制链接”，链接形如 https://weixin.qq.com/sph/AbCdEf 。',
      '也可以使用视频号助手中该视频的分享链接（channels.weixin.qq.com 开头）。视频号助手的管理页面地址不是视频链接。',
    );
    return end(
      'https://weixin.qq.com/sph/AbCdEf',
      `政府网站链接（${payload.links[0]?.label ?? '原文'}链接已写在描述末尾）`,
      texts(payload, (t) => t),
    );
  },
};
