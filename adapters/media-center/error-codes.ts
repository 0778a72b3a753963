// The media center's refusals by HTTP status (the table its client stands on) and by the contract's error codes, each with the sentence people read in Chinese.
import type { ErrorCodeTable, NamedCodeZh } from '../platform-client.js';

/** A request govpub should never have sent (its client's defect, not the package's). */
const malformed = (meaning: string): NamedCodeZh => ({
  meaning,
  zh: `融媒体中心认为 govpub 的请求${meaning}。这是 govpub 的问题，不是稿件的问题：请告知运维人员，修复前重试也不会成功，可先跳过该渠道。`,
});

/** govpub's client credentials or token were refused: the channel is held until they are fixed. */
const refusedAccess = (meaning: string): NamedCodeZh => ({
  meaning,
  zh: `融媒体中心拒绝了 govpub 的访问：${meaning}。请运维人员核对为该系统配置的客户端凭据（clientId、clientSecret），改正后恢复渠道。`,
});

/**
 * The contract's `error.code` values (simulators/README.md, "Media center API v1"), which the
 * client records as the delivery's platform code, and `deleted`, which the adapter records when the
 * site answers a create with an article taken down before.
 */
const NAMED: Record<string, NamedCodeZh> = {
  invalid_json: malformed('不是有效的 JSON'),
  invalid_request: malformed('不符合接口要求'),
  idempotency_key_required: malformed('缺少幂等键（Idempotency-Key）'),
  invalid_idempotency_key: malformed('中的幂等键（Idempotency-Key）格式无效'),
  unsupported_media_type: malformed('不是 JSON 格式'),
  validation_failed: { meaning: '请求内容未通过校验' },
  unknown_column: {
    meaning: '栏目不存在',
    zh: '融媒体中心没有该栏目。请运维人员在 config/registry/media-center.yaml 中改正栏目编号，然后恢复渠道。',
  },
  unauthorized: refusedAccess('访问令牌无效'),
  token_expired: refusedAccess('访问令牌已过期'),
  invalid_client: refusedAccess('客户端编号或密钥错误'),
  not_found: {
    meaning: '找不到所请求的文章',
    zh: '融媒体中心找不到所请求的文章，可能已在融媒体中心被删除。请运维人员在融媒体中心核对后重试，或跳过该渠道。',
  },
  idempotency_key_reused: {
    meaning: '同一幂等键下已有内容不同的文章',
    zh: '融媒体中心已为这一项保存了另一篇内容不同的文章，没有重复发布。这是 govpub 的问题，不是稿件的问题：请告知运维人员；如需发布当前内容，请撤下后以新的修订重新发布。',
  },
  payload_too_large: {
    meaning: '文章超过 2 MB 的请求上限',
    zh: '文章超过融媒体中心 2 MB 的请求上限。请删减正文或图片后重新发布。',
  },
  rate_limited: { meaning: '调用过于频繁' },
  internal_error: { meaning: '服务器内部出错' },
  unavailable: { meaning: '服务暂不可用' },
  deleted: {
    meaning: '该项此前发布的文章已被撤下',
    zh: '融媒体中心中该项此前发布的文章已被撤下，它仍与这次投递绑定，无法在这次投递中再次发布。如需再次发布，请以新的修订重新发布该稿件，或跳过该渠道。',
  },
};

export const MEDIA_CENTER_STATUSES: ErrorCodeTable = {
  reconnect: {
    401: {
      en: 'the access token or the client credentials were refused (unauthorized, token_expired, invalid_client)',
      zh: '融媒体中心拒绝了 govpub 的访问令牌或客户端凭据（401）。请运维人员核对融媒体中心的客户端凭据。',
    },
    403: { en: 'the client may not do this', zh: '融媒体中心不允许 govpub 执行该操作（403）。请运维人员检查客户端的权限。' },
  },
  content: {
    413: {
      en: 'the article is larger than the 2 MB request limit (payload_too_large)',
      zh: '文章超过融媒体中心 2 MB 的请求上限（413）。请删减正文或图片后重新发布。',
    },
  },
  worded: {
    429: '融媒体中心限制了调用频率（429）。govpub 会按其要求等待后自动重试。',
    422: '融媒体中心认为文章内容不符合要求（422）。请按问题列表修改后重新发布。',
  },
  named: NAMED,
};
