// Every platform's error-code table by platform id, and the Chinese sentences of a delivery's failure built from them (pure data: the services read it).
/*
 * A delivery row keeps the English message the adapter wrote, its error class and the platform's
 * code. The Chinese sentence is derived from those when the delivery is shown, so rows written
 * before the tables had Chinese read in Chinese too, and nothing new is stored.
 */
import { bilibiliDeclaration } from './bilibili/declaration.js';
import { BILIBILI_ERROR_CODES } from './bilibili/error-codes.js';
import { PLATFORM_DECLARATIONS } from './declarations.js';
import { DOUYIN_ERROR_CODES } from './douyin/error-codes.js';
import { KUAISHOU_ERROR_CODES } from './kuaishou/error-codes.js';
import { MEDIA_CENTER_STATUSES } from './media-center/error-codes.js';
import { mediaAppDeclaration, newsSiteDeclaration } from './media-center/declaration.js';
import type { ErrorCodeTable } from './platform-client.js';
import { fieldLabelZh } from './format-notes.js';
import { WECHAT_ERROR_CODES } from './wechat-oa/error-codes.js';
import { weiboDeclaration } from './weibo/declaration.js';
import { WEIBO_ERROR_CODES } from './weibo/error-codes.js';
import { douyinDeclaration } from './douyin/declaration.js';
import { kuaishouDeclaration } from './kuaishou/declaration.js';
import { wechatOaDeclaration } from './wechat-oa/declaration.js';

export const ERROR_CODE_TABLES: Readonly<Record<string, ErrorCodeTable>> = {
  [wechatOaDeclaration.id]: WECHAT_ERROR_CODES,
  [weiboDeclaration.id]: WEIBO_ERROR_CODES,
  [douyinDeclaration.id]: DOUYIN_ERROR_CODES,
  [kuaishouDeclaration.id]: KUAISHOU_ERROR_CODES,
  [bilibiliDeclaration.id]: BILIBILI_ERROR_CODES,
  [newsSiteDeclaration.id]: MEDIA_CENTER_STATUSES,
  [mediaAppDeclaration.id]: MEDIA_CENTER_STATUSES,
};

/** The Chinese sentence of a platform's error code, from any part of its table. */
export function errorCodeZh(table: ErrorCodeTable, code: number): string | undefined {
  return table.reconnect[code]?.zh ?? table.content[code]?.zh ?? table.request?.[code]?.zh ?? table.worded?.[code];
}

/** The name operators know a platform by (微信公众号), or the id when it is not declared. */
export function platformLocalName(platform: string | null): string {
  return PLATFORM_DECLARATIONS.find((d) => d.id === platform)?.localName ?? platform ?? '平台';
}

/**
 * Failures of the connection itself, which every platform's client records as the code
 * (adapters/errors.ts classifyTransportError: Node's and axios's error codes).
 */
const NETWORK_CODES_ZH: Readonly<Record<string, string>> = {
  ECONNREFUSED: '连接被拒绝，平台地址可能有误或服务未启动',
  ENOTFOUND: '平台的域名无法解析',
  EAI_AGAIN: '平台的域名暂时无法解析',
  ECONNABORTED: '在超时时间内没有应答',
  ETIMEDOUT: '在超时时间内没有应答',
  ECONNRESET: '连接在应答到达前被中断',
  EPIPE: '连接在应答到达前被中断',
  ERR_BAD_RESPONSE: '连接在应答到达前被中断',
  ERR_NETWORK: '网络出错',
  EHOSTUNREACH: '网络不通，无法到达平台的服务器',
  ENETUNREACH: '网络不通，无法到达平台的服务器',
  ERR_CANCELED: '请求被中止',
  ERR_FR_TOO_MANY_REDIRECTS: '平台地址的重定向次数过多',
  ERR_INVALID_URL: '平台地址的格式无效',
  EPROTO: '加密连接（TLS）握手失败',
  CERT_HAS_EXPIRED: '平台的 HTTPS 证书已过期',
  ERR_TLS_CERT_ALTNAME_INVALID: '平台的 HTTPS 证书与域名不符',
  DEPTH_ZERO_SELF_SIGNED_CERT: '平台的 HTTPS 证书无法验证',
  SELF_SIGNED_CERT_IN_CHAIN: '平台的 HTTPS 证书无法验证',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: '平台的 HTTPS 证书无法验证',
};

/** HTTP statuses a platform answered outside its own error format (a proxy, an outage page). */
const HTTP_STATUSES_ZH: Readonly<Record<number, string>> = {
  400: '请求有误',
  401: '未通过身份验证',
  403: '禁止访问',
  404: '地址不存在',
  405: '不接受该请求方法',
  408: '请求超时',
  409: '请求冲突',
  413: '请求内容过大',
  415: '不接受该内容格式',
  422: '内容未通过校验',
  429: '调用过于频繁',
  500: '服务器内部出错',
  502: '网关出错',
  503: '服务暂不可用',
  504: '网关超时',
};

/**
 * The platform's code as people read it, in brackets after the sentence's first clause: a word
 * code with its meaning, a network failure in words, an HTTP status with its meaning, and any
 * other code plainly marked as the platform's code (to quote to the platform), never a bare
 * `invalid_request` that reads like a broken sentence. '' when there is no code.
 *
 * No platform's own numeric codes lie in 100–599 (their tables; checked by a test), so a number
 * there that the table does not list is the HTTP status the transport classified.
 */
export function platformCodeNoteZh(table: ErrorCodeTable | undefined, code: string | null): string {
  if (code === null || code === '') return '';
  if (/^-?\d+$/.test(code)) {
    const status = Number(code);
    if (status >= 100 && status <= 599 && !(table && errorCodeZh(table, status))) {
      const meaning = HTTP_STATUSES_ZH[status] ?? (status >= 500 ? '服务器出错' : status >= 400 ? '请求被拒绝' : '意外的应答');
      return `（平台答复 HTTP ${status}：${meaning}）`;
    }
    return `（平台代码：${code}）`;
  }
  const named = table?.named?.[code];
  if (named) return `（${named.meaning}；平台代码：${code}）`;
  const network = NETWORK_CODES_ZH[code];
  if (network) return `（${network}；网络错误代码：${code}）`;
  if (/^(E[A-Z]+|ERR_[A-Z_]+)$/.test(code)) return `（网络出错；网络错误代码：${code}）`;
  return `（平台代码：${code}）`;
}

/** What each class of failure means and what happens next, for a code no table words (`code`: its note, see platformCodeNoteZh). */
const CLASS_ZH: Record<string, (name: string, code: string) => string> = {
  retryable: (name, code) => `${name}暂时无法完成发布${code}。govpub 会稍后自动重试；多次失败后会请运维人员处理（重试或跳过）。`,
  rate_limited: (name, code) => `${name}限制了调用频率${code}。govpub 会按平台要求等待后自动重试，无需操作。`,
  needs_reconnect: (name, code) => `${name}拒绝了该账号的凭据${code}。请运维人员重新授权或更新凭据，然后恢复渠道；在此之前该账号不会发布。`,
  rejected: (name, code) => `${name}拒绝了这次发布${code}。请查看问题说明，修改稿件内容后重新发布，或跳过该渠道。`,
  unconfirmed: (name, code) => `${name}没有确认这次发布是否成功${code}。govpub 会先核对平台上的情况，再决定是否重发，以免重复发布。`,
  internal: (name) => `发往${name}的内容在 govpub 内部处理失败（例如媒体文件不可用）。请运维人员排除原因后重试，或跳过该渠道。`,
};

/** A whole sentence of a word code, with the code after its first clause (to quote to the platform). */
function namedSentence(zh: string, code: string): string {
  const end = zh.indexOf('。');
  return end < 0 ? `${zh}（平台代码：${code}）` : `${zh.slice(0, end)}（平台代码：${code}）${zh.slice(end)}`;
}

/**
 * The Chinese sentence of a delivery's failure: the platform's code from its table when listed,
 * else what the error class means; a content refusal lists its problems. null when there is no error.
 */
export function deliveryErrorZh(input: {
  platform: string | null;
  errorClass: string | null;
  errorMessage: string | null;
  platformCode: string | null;
  problemsZh?: string[];
  /** The delivery's state: a failure that is `failed` waits for operations (no more automatic tries). */
  state?: string;
}): string | null {
  if (!input.errorClass && !input.errorMessage) return null;
  const name = platformLocalName(input.platform);
  const table = input.platform ? ERROR_CODE_TABLES[input.platform] : undefined;
  const code = input.platformCode;
  const note = platformCodeNoteZh(table, code);
  const gaveUp = input.state === 'failed' && (input.errorClass === 'retryable' || input.errorClass === 'unconfirmed');
  if (gaveUp) {
    return `${name}多次尝试后仍未成功${note}，govpub 已停止自动重试。平台恢复后请运维人员重试，或跳过该渠道。`;
  }
  const numeric = code !== null && /^-?\d+$/.test(code) ? Number(code) : null;
  const known = table && numeric !== null ? errorCodeZh(table, numeric) : undefined;
  if (known) return `${name}：${known}`;
  const named = code !== null ? table?.named?.[code]?.zh : undefined;
  if (named) return `${name}：${namedSentence(named, code!)}`;
  if (input.problemsZh && input.problemsZh.length > 0) {
    // A problem's sentence may end its own 。 (the media errors' do): one full stop, not two.
    const problems = input.problemsZh.map((p) => p.replace(/[。；;.\s]+$/u, ''));
    return `${name}不能按原样接收这份稿件：${problems.join('；')}。请修改后重新发布，或跳过该渠道。`;
  }
  // A take-down's failure is no failed publication: the class sentences speak of publishing and
  // offer a skip, which a take-down does not have; what operations can do is delete by hand.
  if (input.state === 'retracting' && input.errorClass !== 'needs_reconnect') {
    return `${name}暂未能删除已撤稿的内容${note}，内容可能仍在公开。govpub 会自动重试并提醒运维人员；也可在平台上手动删除后点击「确认已删除」。`;
  }
  const byClass = input.errorClass ? CLASS_ZH[input.errorClass] : undefined;
  if (byClass) return byClass(name, note);
  return `${name}发布失败${note}。请查看英文说明（errorMessage），按提示处理。`;
}

export { fieldLabelZh };

/**
 * A content problem as the console shows it: `message` in Chinese, `messageEn` in English. A
 * problem stored with its own `messageZh` (or already in this shape) keeps it; one stored in
 * English only (every row written before) names its field in Chinese and keeps the English detail.
 */
export function localizedProblem(
  raw: unknown,
  platform: string | null,
): { field: string; fieldZh: string; message: string; messageEn: string } & Record<string, unknown> {
  const problem = (raw && typeof raw === 'object' ? raw : { field: '', message: String(raw) }) as Record<string, unknown>;
  const field = typeof problem.field === 'string' ? problem.field : '';
  const english = typeof problem.messageEn === 'string' ? problem.messageEn : typeof problem.message === 'string' ? problem.message : '';
  const stored =
    typeof problem.messageZh === 'string'
      ? problem.messageZh
      : typeof problem.messageEn === 'string' && typeof problem.message === 'string'
        ? problem.message
        : null;
  const { messageZh: _zh, ...rest } = problem;
  void _zh;
  const zh = stored ?? `「${fieldLabelZh(field)}」不符合${platformLocalName(platform)}的要求（详见英文说明）：${english}`;
  return { ...rest, field, fieldZh: field ? fieldLabelZh(field) : '', message: zh, messageEn: english };
}

/**
 * The adaptations the format steps say most often, in Chinese (what they write is English: a
 * warning they word in Chinese themselves is stored as {message, messageZh} and used as it is).
 * A warning not listed keeps its English after a Chinese lead-in.
 */
const WARNING_PATTERNS_ZH: [RegExp, (...groups: string[]) => string][] = [
  [
    /^The package is not released to a portal column, so the WeChat articles have no 阅读原文/,
    () => '稿件没有发布到门户栏目，因此微信文章没有“阅读原文”链接。',
  ],
  [/^cover: no cover was chosen, so the first picture of the articles is the WeChat cover\.$/, () => '封面：未选择封面，使用文章中的第一张图片作为微信封面。'],
  [
    /^cover: no cover was chosen, so the interpretation picture ?(.*) is the WeChat cover\.$/,
    (name) => `封面：未选择封面，使用解读图片${name ? ` ${name}` : ''}作为微信封面。`,
  ],
  [
    /^cover: no cover was chosen, so a frame of the interpretation video is the WeChat cover\.$/,
    () => '封面：未选择封面，使用解读视频的一帧画面作为微信封面。',
  ],
  [
    /^cover: the chosen cover is an audio file, which cannot be a picture; another picture of the package is used\.$/,
    () => '封面：所选封面是音频文件，不能作为图片；改用稿件中的另一张图片。',
  ],
  [
    /^(\S+): the (\w+) itself is not uploaded to WeChat; the article carries the text and links to the portal page\.$/,
    (field, kind) =>
      `${fieldLabelZh(field)}：${kind === 'video' ? '视频' : kind === 'audio' ? '音频' : kind}本身不上传到微信，文章中保留文字并链接到门户网站页面。`,
  ],
  [
    /^(\S+): WeChat allows at most (\d+) characters for the author; "(.*)" has (\d+) \((\d+) too many\), so it is not used as the author\.$/s,
    (field, max, name, n) => `${fieldLabelZh(field)}：微信作者名最多 ${max} 个字，"${name}" 有 ${n} 个字，因此不作为作者名使用。`,
  ],
  [/^Weibo: the title leaves no room for a summary; the post is the title and the link\.$/, () => '微博：标题已占满篇幅，微博内容只有标题和链接，没有摘要。'],
  [
    /^Weibo: the title leaves no room to mention the interpretation in the post; readers find it from the portal page\.$/,
    () => '微博：标题已占满篇幅，无法提及解读；读者可在门户网站页面找到解读。',
  ],
  [
    /^Weibo: the summary was shortened to (\d+) characters to fit the (\d+)-character post/,
    (n, limit) => `微博：摘要已缩短为 ${n} 个字，以适应 ${limit} 字的微博篇幅。`,
  ],
  [/^document\.title: "#" signs were written as "＃"/, () => '文件标题：“#”已改写为“＃”（微博分享接口不接受 #话题#），标题中的链接已去掉。'],
  [
    /^The cover has no alt text: the portal uses the title 「(.*)」 instead; describe the picture\.$/s,
    (title) => `封面没有替代文字：门户网站改用标题「${title}」，请为图片写一段描述。`,
  ],
];

function warningZh(english: string, platform: string | null): string {
  for (const [pattern, render] of WARNING_PATTERNS_ZH) {
    const match = pattern.exec(english);
    if (match) return render(...match.slice(1).map((g) => g ?? ''));
  }
  return `${platformLocalName(platform)}适配提示（详见英文说明）：${english}`;
}

/**
 * A format warning as stored (an English string, or {message, messageZh} from a format step that
 * words it in Chinese) in both languages.
 */
export function localizedWarning(raw: unknown, platform: string | null): { en: string; zh: string } {
  if (raw && typeof raw === 'object') {
    const w = raw as { message?: unknown; messageEn?: unknown; messageZh?: unknown };
    const en = typeof w.messageEn === 'string' ? w.messageEn : String(w.message ?? '');
    const zh = typeof w.messageZh === 'string' ? w.messageZh : typeof w.messageEn === 'string' ? String(w.message ?? en) : null;
    return { en, zh: zh ?? warningZh(en, platform) };
  }
  const en = String(raw);
  return { en, zh: warningZh(en, platform) };
}

/** A delivery row's texts for people, in both languages (the delivery views and the package view use it). */
export function localizedDeliveryTexts(row: {
  platform: string | null;
  state: string;
  error_class: string | null;
  error_message: string | null;
  platform_code: string | null;
  problems: unknown;
  warnings: unknown;
}): {
  errorMessageZh: string | null;
  problems: { field: string; fieldZh: string; message: string; messageEn: string }[];
  warnings: string[];
  warningsZh: string[];
} {
  const problems = (Array.isArray(row.problems) ? row.problems : []).map((p) => localizedProblem(p, row.platform));
  const warnings = (Array.isArray(row.warnings) ? row.warnings : []).map((w) => localizedWarning(w, row.platform));
  return {
    errorMessageZh: deliveryErrorZh({
      platform: row.platform,
      errorClass: row.error_class,
      errorMessage: row.error_message,
      platformCode: row.platform_code,
      problemsZh: problems.map((p) => p.message),
      state: row.state,
    }),
    problems,
    warnings: warnings.map((w) => w.en),
    warningsZh: warnings.map((w) => w.zh),
  };
}
