// Weibo's error codes by what they mean (the table its client stands on), each with the sentence people read in Chinese.
import type { ErrorCodeReason, ErrorCodeTable } from '../platform-client.js';

const REAUTHORIZE = '请运维人员重新进行 OAuth 授权，并更新配置中的 accessToken；在此之前该账号不会发布。';

const RECONNECT: Record<number, ErrorCodeReason> = {
  10006: { en: 'the app key is missing (10006)', zh: '缺少微博应用的 App Key（10006）。请运维人员检查应用配置。' },
  10014: {
    en: 'the app lacks the permission for this API (10014 insufficient app permissions)',
    zh: '微博应用没有调用该接口的权限（10014）。请在微博开放平台为应用申请相应权限。',
  },
  21301: { en: 'authorization failed (21301)', zh: `微博授权失败（21301）。${REAUTHORIZE}` },
  21314: { en: 'the access token was already used (21314)', zh: `微博访问令牌已被使用（21314）。${REAUTHORIZE}` },
  21315: { en: 'the access token expired (21315)', zh: `微博访问令牌已过期（21315）。${REAUTHORIZE}` },
  21316: { en: 'the access token was revoked (21316)', zh: `微博访问令牌已被撤销（21316）。${REAUTHORIZE}` },
  21317: { en: 'the access token is not accepted (21317)', zh: `微博不接受该访问令牌（21317）。${REAUTHORIZE}` },
  21319: { en: 'the user cancelled the authorization (21319)', zh: `账号已取消对应用的授权（21319）。${REAUTHORIZE}` },
  21327: { en: 'the access token expired (21327 expired_token)', zh: `微博访问令牌已过期（21327）。${REAUTHORIZE}` },
  21332: { en: 'the access token is not valid (21332 invalid_access_token)', zh: `微博访问令牌无效（21332）。${REAUTHORIZE}` },
  21501: { en: 'the access token is not valid (21501)', zh: `微博访问令牌无效（21501）。${REAUTHORIZE}` },
};

const CONTENT: Record<number, ErrorCodeReason> = {
  10008: { en: 'a parameter was not accepted', zh: '微博不接受某个参数（10008）。请查看详细说明，修改内容后重新发布。' },
  10016: { en: 'a required parameter is missing', zh: '缺少必要参数（10016）。请查看详细说明，补充内容后重新发布。' },
  10017: { en: 'a parameter value was not accepted', zh: '微博不接受某个参数值（10017）。请查看详细说明，修改内容后重新发布。' },
  20005: { en: 'the picture is not a JPG, GIF or PNG', zh: '图片须为 JPG、GIF 或 PNG 格式（20005）。请更换图片后重新发布。' },
  20006: { en: 'the picture is larger than 5 MB', zh: '图片超过 5 MB（20006）。请压缩图片后重新发布。' },
  20007: { en: 'the upload carried no picture', zh: '上传中没有图片（20007）。请检查封面或配图后重新发布。' },
  20008: { en: 'the post is empty', zh: '微博内容为空（20008）。请补充文字后重新发布。' },
  20012: { en: 'the post is longer than 140 Weibo characters', zh: '微博内容超过 140 字（20012）。请缩短文字后重新发布。' },
};

/** Codes the client words itself (rate limits, busy, the bound domain). */
const WORDED: Record<number, string> = {
  10022: '本 IP 的请求次数超过微博限制（10022）。govpub 会等待后自动重试。',
  10023: '该账号的请求次数超过微博限制（10023）。govpub 会等待后自动重试。',
  10024: '该账号本小时的发帖次数已达上限（10024）。govpub 会一小时后自动重试。',
  10002: '微博服务暂时不可用（10002）。govpub 会稍后自动重试，无需操作。',
  10009: '微博任务过多、系统繁忙（10009）。govpub 会稍后自动重试，无需操作。',
  10001: '微博系统出错（10001）。govpub 会先核对帖子是否已发出，再决定是否重发。',
  10018: '请求内容超过微博的长度上限（10018）。请缩短内容或更换较小的图片后重新发布。',
  10020: '微博找不到所请求的接口（10020）。这是 govpub 的问题，请告知运维人员。',
  10021: '微博不接受该请求方法（10021）。这是 govpub 的问题，请告知运维人员。',
  20019: '微博不接受一天内重复发布相同的内容（20019），且账号时间线上找不到之前的那条微博。请修改文字后重新发布，或次日再发。',
  20102: '要删除的微博不属于该账号（20102），因此没有删除。请在微博后台核对这条微博属于哪个账号。',
};

export const WEIBO_ERROR_CODES: ErrorCodeTable = { reconnect: RECONNECT, content: CONTENT, worded: WORDED };
