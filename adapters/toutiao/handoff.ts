// Toutiao's part of the manual hand-off: one article carrying the document and its interpretations, its bundle texts, 说明.txt and post URLs.
import { rejectedContent } from '../errors.js';
import { FormatWarnings, type FormatProblem } from '../format-notes.js';
import { instructionsFor } from '../manual-handoff/instructions.js';
import { bundleFiles, isVideo, markPictures, two } from '../manual-handoff/format-helpers.js';
import type { HandoffKit } from '../manual-handoff/payload.js';
import { charCount, escapeHtml, htmlToPlainText, isHttpUrl, truncateChars } from '../text.js';
import type { toutiaoDeclaration } from './declaration.js';

type ToutiaoLimits = { -readonly [K in keyof (typeof toutiaoDeclaration)['limits']]: number };

/** The article's texts: its title, the body as plain text and as a page to copy from the browser. */
const texts: HandoffKit<ToutiaoLimits>['texts'] = (payload, withExtensions) => [
  { name: '标题.txt', content: payload.title ?? '', what: '文章标题' },
  { name: '正文.txt', content: withExtensions(payload.bodyText ?? ''), what: '正文（纯文本）' },
  {
    name: '正文.html',
    content: `<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(payload.title ?? '')}</title>
<style>body{max-width:760px;margin:2em auto;font:16px/1.8 "Microsoft YaHei",sans-serif}.marker{color:#c00;font-weight:bold}</style></head>
<body>${withExtensions(payload.bodyHtml ?? '')}</body></html>\n`,
    what: '正文（带格式，用浏览器打开）',
  },
];

export const toutiaoHandoff: HandoffKit<ToutiaoLimits> = {
  shownLimits: (limits) => ({
    titleChars: `${limits.titleMinChars}–${limits.titleMaxChars}`,
    cover: '1280×720 JPEG',
    images: 'inside 1600 px',
    video: '1080p MP4',
  }),

  format(unit, channel, { limits, base }) {
    const { titleMinChars: min, titleMaxChars: max } = limits;
    const problems: FormatProblem[] = [];
    const warnings = new FormatWarnings();
    const { files, renditions, add } = bundleFiles(base.platformName);

    // Title: the package's title, else the document's, whichever fits. Never cut: a headline is
    // approved content, and an operator must not rewrite it.
    const candidates = [unit.title.trim(), unit.document.title.trim()].filter((t) => t !== '');
    const title = candidates.find((t) => charCount(t) >= min && charCount(t) <= max) ?? null;
    if (!title) {
      const shown = candidates.map((t) => `"${truncateChars(t, 40)}" (${charCount(t)})`).join(' and ') || 'none';
      const shownZh = candidates.map((t) => `“${truncateChars(t, 40)}”（${charCount(t)} 字）`).join('和') || '无';
      problems.push({
        field: 'title',
        message: `Toutiao article titles take ${min} to ${max} characters; neither the package title nor the document title fits (${shown}). Give the package a title of ${min}–${max} characters`,
        messageZh: `头条号文章标题须为 ${min}–${max} 个字，稿件标题和文件标题都不符合（${shownZh}）。请为稿件填写 ${min}–${max} 个字的标题。`,
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
        warnings.add(
          `The document's ${attachments.length} attachment(s) are only named in the Toutiao article: the package is not on the portal, so there is no page to point to.`,
          `政策文件的 ${attachments.length} 个附件在头条号文章中只列出名称：稿件没有发布到门户网站，没有可指向的页面。如需提供附件，请同时选择一个门户网站栏目。`,
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
        warnings.add(
          `Interpretation ${n + 1} "${truncateChars(interp.title.trim(), 30)}" is audio, which a Toutiao article cannot carry${page ? '; the article gives the portal page that plays it' : ' (and there is no portal page to point to)'}.`,
          `解读 ${n + 1}“${truncateChars(interp.title.trim(), 30)}”是音频，头条号文章不能携带音频${page ? '；文章给出播放该音频的门户网站页面' : '（稿件没有门户网站页面可指向）'}。`,
        );
      }
      html += markPictures(interp.body, pictureName);
      if (isHttpUrl(interp.url) && !isVideo(unit, interp)) html += `<p>${escapeHtml(interp.title.trim())}：${escapeHtml(interp.url)}</p>`;
    });
    if (unit.portalLinks) html += `<p>原文链接：${escapeHtml(unit.portalLinks.document)}</p>`;
    const text = htmlToPlainText(html);
    if (htmlToPlainText(unit.document.body) === '')
      problems.push({
        field: 'document.body',
        message: 'has no text; a Toutiao article needs text',
        messageZh: '文件正文没有文字，头条号文章需要文字。请填写正文。',
      });
    if (/<script\b/i.test(html))
      problems.push({
        field: 'body',
        message: 'contains a <script> element, which cannot be pasted into the Toutiao editor',
        messageZh: '正文含有 <script> 脚本元素，无法粘贴到头条号编辑器。请删去脚本后重新提交。',
      });
    if (!cover) {
      if (pictureNames.size > 0 || videos > 0)
        warnings.add(
          "No cover chosen for Toutiao: the operator picks one of the article's pictures as the cover.",
          '稿件没有选择头条号封面，将由运维人员从文章图片中选一张作为封面。建议选择一张封面。',
        );
      else warnings.add('No cover picture for Toutiao: the article goes out without one (无封面).', '稿件没有可作头条号封面的图片，文章将以“无封面”发布。');
    }
    if (problems.length > 0) throw rejectedContent(`${base.platformName} (${channel.id})`, problems);
    return {
      payload: { ...base, postKind: 'article', title, bodyHtml: html, bodyText: text, description: null, shortTitle: null, files },
      renditions,
      ...warnings.lists(),
    };
  },

  texts,

  instructions(payload, media, deliveryId) {
    const { step: s, end } = instructionsFor(payload, media, deliveryId);
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
    return end(
      'https://www.toutiao.com/article/7300000000000000000/',
      `政府网站链接（${payload.links[0]?.label ?? '原文'}链接已写在正文末尾）`,
      texts(payload, (t) => t),
    );
  },
};
