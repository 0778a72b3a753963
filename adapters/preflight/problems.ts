// What preflight reports: problems with a stable code, a JSON pointer into the package body and a sentence in Chinese (with its English form); and the translation of what format steps say into such problems.
import type { GateMatch, GatePlace } from '../../domain/content-gate/model.js';
import type { ContentProblem } from '../errors.js';

/** One thing that stops (blocking) or should be known before (warning) a release. */
export interface Problem {
  /** Stable identifier (`cover_required`, `title_truncated`, …). */
  code: string;
  /** JSON pointer into the package body (`/cover`, `/interpretations/1/body`, `/targets/4`); '' for the whole package. */
  field: string;
  /** zh-CN: what is wrong and what to do next. */
  message: string;
  messageEn: string;
  channelId?: string;
  /** Content gate: the context of the match, personal data masked (never the raw value). */
  excerpt?: string;
  /** Content gate: where in the field (offset, line; for attachments the file and page or sheet). */
  place?: GatePlace;
}

/**
 * A format step's field (`interpretations[1].body`, `portalLinks.document`, `channel`) as a JSON
 * pointer into the package body. Portal links come from the targets; `channel` is the target itself.
 */
export function pointerOf(field: string, targetIndex: number): string {
  if (field === '') return '';
  if (field === 'channel') return `/targets/${targetIndex}`;
  if (field.startsWith('portalLinks')) return '/targets';
  return (
    '/' +
    field
      .replace(/\[(\d+)\]/g, '.$1')
      .split('.')
      .join('/')
  );
}

/** Where a JSON pointer is, in words an editor knows (标题, 解读 2 正文). */
export function fieldLabel(pointer: string): string {
  const parts = pointer.split('/').slice(1);
  const names: Record<string, string> = {
    title: '标题',
    body: '正文',
    document: '政策原文',
    cover: '封面',
    targets: '发布渠道',
    interpretations: '解读',
    mediaId: '文件',
    catalogueItem: '目录事项',
    alt: '替代文字',
    attachments: '附件',
    transcript: '文字实录',
    url: '链接',
    name: '名称',
    interpreter: '解读人',
    keywords: '主题词',
  };
  const words: string[] = [];
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i]!;
    if (/^\d+$/.test(part)) {
      if (words.length > 0) words[words.length - 1] += ` ${Number(part) + 1}`;
      continue;
    }
    words.push(names[part] ?? part);
  }
  return words.join(' ') || '稿件';
}

interface Recognizer {
  pattern: RegExp;
  code: string;
  /** The Chinese sentence; `m` is the match, `where` the field's label, `platform` its Chinese name. */
  zh: (m: RegExpExecArray, where: string, platform: string) => string;
}

/**
 * What the format steps warn about, recognized by their (stable, tested) English sentences so the
 * editor reads them in Chinese with a code; anything else passes through as `platform_note`.
 */
const WARNINGS: Recognizer[] = [
  {
    pattern: /^(?<field>[\w[\].]+\.title): .*at most (?<limit>\d+) characters.*so the article is titled "(?<short>.*)"\.$/s,
    code: 'title_truncated',
    zh: (m, where, platform) =>
      `${where}超过${m.groups!.limit}个字，${platform}将显示为“${m.groups!.short}”。如需完整显示，请把标题缩短到${m.groups!.limit}个字以内。`,
  },
  {
    pattern: /^(?<field>interpretations\[\d+\]): the video interpretation has no text, so its WeChat article is the video's poster/,
    code: 'adapted_video_as_link',
    zh: (_m, where, platform) =>
      `${where}是没有文字正文的视频解读，${platform}不能直接发布视频，将以视频封面、简短说明和门户网站页面链接（阅读原文）的形式发布。如需图文内容，请为该解读补充正文。`,
  },
  {
    pattern: /^(?<field>interpretations\[\d+\]): the audio interpretation has no text, so its WeChat article is/,
    code: 'adapted_audio_as_link',
    zh: (_m, where, platform) =>
      `${where}是没有文字正文的音频解读，${platform}不上传音频，将以简短说明和门户网站页面链接（阅读原文）的形式发布。如需图文内容，请为该解读补充正文。`,
  },
  {
    pattern: /^(?<field>interpretations\[\d+\]): the audio interpretation has no text, so .* gets a short description linking to the page that plays it/,
    code: 'adapted_audio_as_link',
    zh: (_m, where, platform) =>
      `${where}是没有文字正文的音频解读，${platform}不收音频，将发布一段简短说明并链接到播放该音频的网页。如需图文内容，请为该解读补充正文。`,
  },
  {
    pattern: /^(?<field>interpretations\[\d+\]): the video itself is not uploaded to WeChat/,
    code: 'adapted_video_as_link',
    zh: (_m, where, platform) => `${where}的视频不会上传到${platform}，文章发布解读文字，并提示读者通过门户网站页面（阅读原文）观看。`,
  },
  {
    pattern: /^(?<field>interpretations\[\d+\]): the audio itself is not uploaded to WeChat/,
    code: 'adapted_audio_as_link',
    zh: (_m, where, platform) => `${where}的音频不会上传到${platform}，文章发布解读文字，并提示读者通过门户网站页面（阅读原文）收听。`,
  },
  {
    pattern: /not released to a portal column, so the WeChat articles have no 阅读原文/,
    code: 'no_portal_link',
    zh: (_m, _where, platform) => `稿件没有发布到门户网站栏目，${platform}文章将没有“阅读原文”链接。如需链接，请同时选择一个门户网站栏目。`,
  },
  {
    pattern: /^(?<field>[\w[\].]+): WeChat allows at most (?<limit>\d+) characters for the author; "(?<author>.*)" has/,
    code: 'author_omitted',
    zh: (m, where, platform) => `${where}的作者“${m.groups!.author}”超过${platform}的${m.groups!.limit}字上限，发布时不署该作者。`,
  },
  {
    pattern: /^(?<field>[\w[\].]+\.body): WeChat shows only pictures uploaded to it, so (?<count>\d+) picture/,
    code: 'picture_dropped',
    zh: (m, where, platform) => `${where}中有${m.groups!.count}张图片不是上传到本系统的文件，${platform}不会显示。请在编辑器中以文件方式上传这些图片。`,
  },
  {
    pattern: /^(?<field>[\w[\].]+\.body): WeChat articles open no links but to WeChat articles, so (?<count>\d+) link/,
    code: 'link_written_out',
    zh: (m, where, platform) => `${where}中有${m.groups!.count}个链接在${platform}文章中不能点击，发布时在链接文字后写明网址，读者可复制打开。`,
  },
  {
    pattern: /^(?<field>[\w[\].]+\.body): (?<count>\d+) links? (is|are) not a full http\(s\) address .*only the link text is kept/s,
    code: 'link_text_only',
    zh: (m, where, platform) =>
      `${where}中有${m.groups!.count}个链接不是完整网址，在${platform}文章中打不开，发布时只保留链接文字。请填写完整网址（https://…）。`,
  },
  {
    pattern: /^cover: the package cover is (?<size>\d+×\d+), under .* a frame of the video is the cover instead/,
    code: 'cover_substituted',
    zh: (m, _where, platform) =>
      `稿件封面为 ${m.groups!.size}，小于${platform}的最低要求，将改用视频的一帧画面作为封面。如需使用自己的封面，请选择更大的图片。`,
  },
  {
    pattern: /^cover: no cover was chosen/,
    code: 'cover_substituted',
    zh: (_m, _where, platform) => `稿件没有选择封面，${platform}将使用正文中的图片或视频画面作为封面。建议选择一张封面。`,
  },
  {
    pattern: /the summary was shortened to (?<chars>\d+) characters/,
    code: 'summary_truncated',
    zh: (m, _where, platform) => `${platform}帖子字数有限，摘要将截短为${m.groups!.chars}个字。`,
  },
  {
    pattern: /carries the first (?<chars>\d+) characters of the interpretation text/,
    code: 'summary_truncated',
    zh: (m, _where, platform) => `${platform}的文字说明只带解读正文的前${m.groups!.chars}个字。`,
  },
  {
    pattern: /leaves no room (for a summary|for the interpretation text|to mention the interpretation)/,
    code: 'summary_omitted',
    zh: (_m, _where, platform) => `标题已占满${platform}的字数上限，帖子不带摘要或解读说明。缩短标题可以放下摘要。`,
  },
  {
    pattern: /the video's length is unknown/,
    code: 'video_length_unknown',
    zh: (_m, _where, platform) => `视频时长未知，上传前无法核对${platform}的时长上限。请重新上传视频文件以便识别。`,
  },
  {
    pattern: /takes only video: the document text is not posted there/,
    code: 'only_video_posted',
    zh: (_m, _where, platform) => `该栏目只收视频，${platform}只发布视频解读，政策原文以门户网站页面链接的形式出现。`,
  },
];

/** What the format steps refuse, recognized the same way; anything else is `platform_rejects`. */
const REFUSALS: Recognizer[] = [
  {
    pattern: /carries only .*, and this package has no video/,
    code: 'column_needs_video',
    zh: (_m, _where, platform) => `该${platform}栏目只收视频，本稿件没有视频。请改选收图文的栏目，或添加带视频文件的视频解读。`,
  },
  {
    pattern: /must link to the package's page on the district portal/,
    code: 'portal_link_required',
    zh: (_m, _where, platform) => `${platform}帖子必须链接到门户网站上的稿件页面，但稿件没有发布到门户网站栏目。请同时选择一个门户网站栏目，或去掉该账号。`,
  },
  {
    pattern: /does not take an article without content/,
    code: 'body_empty',
    zh: (_m, where, platform) => `${where}为空，${platform}不接受没有正文的文章。请填写正文，或从稿件中删去这一篇。`,
  },
  {
    pattern: /sends at most (?<max>\d+) articles in one push; this package makes (?<count>\d+)/,
    code: 'too_many_articles',
    zh: (m, _where, platform) =>
      `${platform}一次推送最多${m.groups!.max}篇文章，本稿件有${m.groups!.count}篇（政策原文加各篇解读）。请合并解读，或减少随本稿件发布的解读。`,
  },
  {
    pattern: /needs a title|title alone has|is empty\.?$/,
    code: 'title_invalid',
    zh: (_m, where, platform) => `${where}不符合${platform}的要求（为空或过长）。请填写或缩短标题。`,
  },
  {
    // WeChat's thumb minimum is govpub's own (what its 2.35:1 crop needs), not a platform refusal:
    // the code the renderer gives a picture too small for a rendition.
    pattern: /cover needs a picture of at least \d+×\d+ pixels/,
    code: 'media_too_small',
    zh: (_m, where) => `${where}的图片太小，无法裁切成封面。请换一张更大的横幅图片。`,
  },
  {
    pattern: /the video is (?<length>.+?) long, .*?(over|limit)/,
    code: 'video_too_long',
    zh: (m, _where, platform) => `视频时长${m.groups!.length}，超过${platform}的上限。请剪短或分段上传。`,
  },
];

function recognize(list: Recognizer[], text: string, where: string, platform: string): { code: string; message: string } | undefined {
  for (const r of list) {
    const m = r.pattern.exec(text);
    if (m) return { code: r.code, message: r.zh(m, where, platform) };
  }
  return undefined;
}

/**
 * The field a warning names in words rather than by path (the media center's: `interpretation 2
 * "…" is not posted in 视频新闻…`, `视频新闻 takes only video: the document text is not posted
 * there`), so the panel can still point at it; '' when it names none.
 */
function fieldNamedInWords(text: string): string {
  const interpretation = /^interpretation (\d+)\b/.exec(text);
  if (interpretation) return `/interpretations/${Number(interpretation[1]) - 1}`;
  if (/^the document\b|\bthe document text\b/.test(text)) return '/document';
  return '';
}

/**
 * A format step's warning (an English sentence, often `field: …`) as a problem. The step's own
 * Chinese (`zh`) is what the editor reads; the recognizers give the stable code, and the Chinese
 * only for a step that wrote none.
 */
export function warningProblem(text: string, platformName: string, channelId: string, targetIndex: number, zh?: string): Problem {
  // A field path starts in lower case (document.title, interpretations[1]); a capitalised opening is
  // the platform's name ("Weibo: the summary was shortened…"), which points at no field of the package.
  const fieldMatch = /^([a-z][a-zA-Z]*(?:\[\d+\])?(?:\.[a-zA-Z]+)*): /.exec(text);
  const field = fieldMatch ? pointerOf(fieldMatch[1]!, targetIndex) : fieldNamedInWords(text);
  const where = fieldLabel(field);
  const known = recognize(WARNINGS, text, where, platformName);
  return {
    code: known?.code ?? 'platform_note',
    field,
    message: zh ?? known?.message ?? `${platformName}发布时会调整内容（详见英文说明）：${text}`,
    messageEn: text,
    channelId,
  };
}

/** One problem of a format step's refusal as a blocking problem, in the step's own Chinese when it wrote it. */
export function refusalProblem(problem: ContentProblem, platformName: string, channelId: string, targetIndex: number): Problem {
  const field = pointerOf(problem.field, targetIndex);
  const where = fieldLabel(field);
  const known = recognize(REFUSALS, problem.message, where, platformName);
  return {
    code: known?.code ?? 'platform_rejects',
    field,
    message: problem.messageZh ?? known?.message ?? `${platformName}不接受${where}的当前内容（详见英文说明）：${problem.message}。请按说明修改，或去掉该渠道。`,
    messageEn: `${problem.field}: ${problem.message}`,
    channelId,
  };
}

const PERSONAL_ZH: Record<string, [string, string]> = {
  personal_id_number: ['居民身份证号', 'a resident ID number'],
  personal_mobile: ['手机号码', 'a mobile phone number'],
  personal_bank_card: ['银行卡号', 'a bank card number'],
  personal_email: ['个人电子邮箱', 'a personal e-mail address'],
  personal_other: ['个人信息（出生日期、住址、病历号或残疾类别）', 'personal data (birth date, home address, medical record number or disability category)'],
};

/** A content-gate match as a package-level problem: where, the masked excerpt, and what to do. */
export function gateProblem(m: GateMatch): Problem {
  const where = `${fieldLabel(m.place.field)}${m.place.within ? `（${m.place.within}）` : ''}`;
  const whereEn = `${m.place.field}${m.place.within ? ` (${m.place.within})` : ''}`;
  const lineZh = m.place.line > 1 ? `第 ${m.place.line} 行` : '';
  const lineEn = m.place.line > 1 ? ` line ${m.place.line}` : '';
  const base = { code: m.code, field: m.place.field, excerpt: m.excerpt, place: m.place };
  const personal = PERSONAL_ZH[m.code];
  if (personal) {
    return {
      ...base,
      message: `${where}${lineZh}含有${personal[0]}：“${m.excerpt}”。政府信息公开前须去除个人信息，请删除或隐去后再提交。`,
      messageEn: `${whereEn}${lineEn} contains ${personal[1]} ("${m.excerpt}"): disclosed material must be de-identified; remove or mask it.`,
    };
  }
  if (m.code === 'wording_wrong' || m.code === 'wording_blocked') {
    const fix = m.right ? `应为“${m.right}”` : '属禁用或须核实的用语';
    const fixEn = m.right ? `write "${m.right}"` : 'the term is on the blocked list';
    return {
      ...base,
      message: `${where}${lineZh}的“${m.wrong}”${fix}：“${m.excerpt}”。${m.blocking ? '请改正后再提交。' : '请核实，审核人确认后可以通过。'}`,
      messageEn: `${whereEn}${lineEn}: "${m.wrong}": ${fixEn} ("${m.excerpt}").`,
    };
  }
  if (m.code === 'link_dead') {
    return {
      ...base,
      message: `${where}中的链接 ${m.excerpt} 无法打开（${m.reason ?? ''}）。请核对链接地址，或删除该链接。`,
      messageEn: `${whereEn}: the link ${m.excerpt} is dead: ${m.reasonEn ?? ''}; check or remove it.`,
    };
  }
  if (m.code === 'link_refused') {
    return {
      ...base,
      message: `${where}中的链接 ${m.excerpt} 未检查：${m.reason ?? ''}。公开页面中的链接应指向公众能访问的网址，请核对。`,
      messageEn: `${whereEn}: the link ${m.excerpt} was not checked: ${m.reasonEn ?? ''}; public pages should link to public addresses.`,
    };
  }
  return {
    ...base,
    message: `${where}的文字无法读取（${m.reason ?? ''}），系统未能检查其中的个人信息和用语，请审核人人工核对附件内容。`,
    messageEn: `${whereEn}: its text could not be read (${m.reasonEn ?? ''}), so personal data and wording in it were not checked; the reviewer must read it.`,
  };
}
