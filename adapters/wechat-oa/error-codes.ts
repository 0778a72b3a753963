// WeChat Official Accounts' error codes by what they mean (the table its client stands on) and its publish-failure statuses.
import type { ErrorCodeReason, ErrorCodeTable, NamedCodeZh } from '../platform-client.js';

const RECONNECT_CODES: Record<number, ErrorCodeReason> = {
  40013: {
    en: "the appId is not a valid WeChat app id (40013 invalid appid): check the account's appId in the registry",
    zh: '微信公众号不认可该账号的 AppID（40013）。请运维人员核对注册表中该账号的 appId。',
  },
  40125: {
    en: 'the app secret (开发者密码 AppSecret) is wrong or was reset (40125 invalid appsecret): update the configured appSecret',
    zh: '微信公众号的开发者密码（AppSecret）错误或已被重置（40125）。请运维人员更新配置中的 appSecret。',
  },
  40164: {
    en: "this server's IP address is not on the account's IP whitelist (40164): add it under 设置与开发 › 基本配置 › IP白名单",
    zh: '本服务器的 IP 不在公众号的 IP 白名单中（40164）。请在公众号后台“设置与开发 › 基本配置 › IP白名单”中添加。',
  },
  41002: { en: 'no appId is configured (41002)', zh: '该账号没有配置 AppID（41002）。请运维人员在注册表中填写 appId。' },
  41004: { en: 'no app secret is configured (41004)', zh: '该账号没有配置开发者密码（41004）。请运维人员配置 appSecret。' },
  48001: {
    en: 'the account is not authorized for this API (48001 api unauthorized — e.g. not verified 未认证, or the permission was withdrawn)',
    zh: '公众号没有调用该接口的权限（48001，例如未认证或权限被收回）。请在公众号后台检查认证状态和接口权限。',
  },
  48004: { en: "the account's API access is banned (48004)", zh: '公众号的接口调用已被封禁（48004）。请在公众号后台查看封禁原因并申诉。' },
  50001: { en: 'the account is not authorized for this API (50001)', zh: '公众号没有调用该接口的权限（50001）。请在公众号后台检查接口权限。' },
  50002: { en: 'the account is restricted (50002), e.g. banned or frozen', zh: '公众号受到限制（50002，例如被封禁或冻结）。请在公众号后台查看原因。' },
};

/** Refusals that mean govpub sent something the platform's contract does not allow: never retried as is. */
const REQUEST_REFUSED: Record<number, ErrorCodeReason> = {
  40002: { en: 'invalid grant_type', zh: '微信认为请求的 grant_type 无效（40002）。这是 govpub 的问题，请告知运维人员。' },
  40004: { en: 'invalid media type', zh: '微信认为上传的素材类型无效（40004）。这是 govpub 的问题，请告知运维人员。' },
  40066: { en: 'invalid URL', zh: '微信认为请求地址无效（40066）。这是 govpub 的问题，请告知运维人员。' },
  40097: { en: 'invalid arguments', zh: '微信认为请求参数无效（40097）。这是 govpub 的问题，请告知运维人员。' },
  41001: { en: 'access_token missing', zh: '请求缺少 access_token（41001）。这是 govpub 的问题，请告知运维人员。' },
  41005: { en: 'no file in the upload', zh: '上传请求中没有文件（41005）。这是 govpub 的问题，请告知运维人员。' },
  43002: { en: 'the API requires POST', zh: '该接口要求 POST 请求（43002）。这是 govpub 的问题，请告知运维人员。' },
  44002: { en: 'empty request body', zh: '请求内容为空（44002）。这是 govpub 的问题，请告知运维人员。' },
  47001: { en: 'malformed request (JSON)', zh: '请求的 JSON 格式有误（47001）。这是 govpub 的问题，请告知运维人员。' },
};

/** Content refusals `format` should have prevented, in an editor's words. */
const CONTENT_REFUSED: Record<number, ErrorCodeReason> = {
  40005: {
    en: 'a picture is not in a file type WeChat accepts (jpg/png for in-article pictures, jpg for the cover)',
    zh: '有图片的文件类型微信不接受（正文图片须为 JPG/PNG，封面须为 JPG）（40005）。请更换图片后重新发布。',
  },
  40009: { en: 'a picture is too large (in-article pictures must be under 1 MB)', zh: '有图片过大（正文图片须小于 1 MB）（40009）。请压缩图片后重新发布。' },
  40010: { en: 'an audio file is too large (2 MB / 60 s)', zh: '音频文件过大（不超过 2 MB、60 秒）（40010）。请剪短或压缩后重新发布。' },
  40011: { en: 'a video is too large (10 MB)', zh: '视频过大（不超过 10 MB）（40011）。请压缩视频后重新发布。' },
  40012: {
    en: 'the cover is too large (cover material must be a JPG of at most 64 KB)',
    zh: '封面图片过大（封面须为不超过 64 KB 的 JPG）（40012）。请更换或压缩封面后重新发布。',
  },
  44003: { en: 'the push has no articles', zh: '推送中没有文章（44003）。请检查稿件内容后重新发布。' },
  44004: { en: 'an article has no content', zh: '有文章没有正文（44004）。请补充正文后重新发布。' },
  45001: { en: 'a media file is over the size limit', zh: '有媒体文件超过大小上限（45001）。请压缩后重新发布。' },
  45002: {
    en: 'an article is too long (content must be under 20,000 characters and 1 MB)',
    zh: '文章过长（正文须少于 2 万字且小于 1 MB）（45002）。请删减正文后重新发布。',
  },
  45003: { en: 'an article title is too long (at most 32 characters)', zh: '文章标题过长（最多 32 个字）（45003）。请缩短标题后重新发布。' },
  45004: { en: 'an article summary is too long (at most 128 characters)', zh: '文章摘要过长（最多 128 个字）（45004）。请缩短摘要后重新发布。' },
  45008: { en: 'the push has too many articles (at most 8)', zh: '一次推送的文章过多（最多 8 篇）（45008）。请减少文章后重新发布。' },
  45110: { en: 'an author name is too long (at most 16 characters)', zh: '作者名过长（最多 16 个字）（45110）。请缩短作者名后重新发布。' },
};

/** Codes the client words itself (busy, quotas, a refused fresh token): their Chinese for people. */
const WORDED: Record<number, string> = {
  [-1]: '微信系统繁忙（-1）。govpub 会稍后自动重试，无需操作。',
  40001:
    '微信拒绝了刚刚获取的 access_token（40001），可能有其他系统在刷新该账号的令牌。govpub 会稍后重试；如持续出现，请运维人员检查是否有其他系统共用该账号。',
  42001: '微信的 access_token 已过期（42001），可能有其他系统在刷新该账号的令牌。govpub 会稍后重试。',
  45009: '该公众号今日的接口调用次数已用完（45009）。北京时间零点后自动恢复，govpub 会届时重试；运维人员也可在公众号后台提前清零（clear_quota）。',
  45011: '本分钟内调用过于频繁（45011）。govpub 会等一分钟后自动重试。',
  40007: '微信认为请求中的素材编号无效（40007）。这是 govpub 的问题，请告知运维人员。',
  53600: '微信认为请求中的编号无效（53600）。这是 govpub 的问题，请告知运维人员。',
};

export const PUBLISH_FAILED: Record<number, string> = {
  2: 'WeChat did not publish the push: the originality check failed (原创失败). Articles declared original must pass it; remove the originality claim or change the text, then publish again.',
  3: 'WeChat could not publish the push (常规失败 — a general failure with no reason given). Publish it again; if it keeps failing, check the account in the WeChat console.',
  4: "WeChat's platform review rejected the push (平台审核不通过). Check the articles against the platform's content rules before publishing a changed version.",
  5: 'The push was published, but every article was later deleted from the account (成功后用户删除所有文章). A retry reads the same answer and posts nothing: skip the delivery with a reason, or release a new package to publish it again.',
  6: 'The push was published, but WeChat later banned every article (成功后系统封禁所有文章). A retry reads the same answer and posts nothing: see the ban in the WeChat console and appeal it, and skip the delivery with a reason.',
};

/** The code confirm records with a publish_status of PUBLISH_FAILED: `publish_status_<n>`, worded in NAMED. */
export function publishStatusCode(status: number): string {
  return `publish_status_${status}`;
}

/**
 * What confirm records when publishing did not end in a public push (publish_status 2–6, or the
 * draft back in the draft box when the publish_id was lost), in Chinese with what the operator's
 * retry does: a failed push (2, 3, 4) published nothing and its draft is back, so a retry submits
 * it again; a push published and then deleted or banned (5, 6) is that submission's answer for
 * good, so a retry only reads the same status again.
 */
const NAMED: Record<string, NamedCodeZh> = {
  [publishStatusCode(2)]: {
    meaning: '原创校验未通过',
    zh: '微信的原创校验没有通过这次推送。文章没有发布，已回到草稿箱。重试会原样再次提交发布；如文章需要修改，请修改稿件后重新发布，并跳过该渠道。',
  },
  [publishStatusCode(3)]: {
    meaning: '发布失败，微信未说明原因',
    zh: '微信发布这次推送失败（常规失败），没有说明原因。文章没有发布，已回到草稿箱。请重试，会再次提交发布；如多次失败，请在公众号后台检查账号状态，或跳过该渠道。',
  },
  [publishStatusCode(4)]: {
    meaning: '平台审核不通过',
    zh: '微信的平台审核没有通过这次推送。文章没有发布。请对照平台内容规范检查文章：需要修改的，请修改稿件后重新发布，并跳过该渠道；重试会原样再次提交审核。',
  },
  [publishStatusCode(5)]: {
    meaning: '发布成功后文章已被删除',
    zh: '这次推送曾发布成功，但随后在公众号后台被删除了全部文章，目前没有公开。重试不会重新发布（微信对这次推送的答复不会再变）：请跳过该渠道并写明原因；仍需发布的，请以新的发布包重新发布。',
  },
  [publishStatusCode(6)]: {
    meaning: '发布成功后文章被系统封禁',
    zh: '这次推送曾发布成功，但随后被微信系统封禁了全部文章，目前没有公开。重试不会重新发布（微信对这次推送的答复不会再变）：请在公众号后台查看封禁原因并申诉，然后跳过该渠道并写明原因。',
  },
  draft_returned: {
    meaning: '推送已回到草稿箱',
    zh: '微信没有发布这次推送，文章已回到草稿箱（这表示发布失败，但失败原因没有收到）。请重试，会再次提交发布；如多次失败，请在公众号后台检查账号状态，或跳过该渠道。',
  },
};

/** The table the WeChat client classifies answers with (adapters/platform-client.ts). */
export const WECHAT_ERROR_CODES: ErrorCodeTable = {
  reconnect: RECONNECT_CODES,
  content: CONTENT_REFUSED,
  request: REQUEST_REFUSED,
  worded: WORDED,
  named: NAMED,
};
