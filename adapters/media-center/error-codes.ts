// The media center's refusals by HTTP status (the table its client stands on), each with the sentence people read in Chinese.
import type { ErrorCodeTable } from '../platform-client.js';

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
};
