// Bilibili's error codes by what they mean (the table its client stands on), each with the sentence people read in Chinese.
import type { ErrorCodeTable } from '../platform-client.js';

/** Bilibili's codes for a refused access token (refreshed once); the rest are worded by its client. */
export const BILIBILI_ERROR_CODES: ErrorCodeTable = {
  reconnect: {
    [-101]: { en: 'not logged in', zh: '哔哩哔哩认为账号未登录（-101）。请运维人员重新授权该账号，并更新配置中的令牌。' },
    [-2]: { en: 'access token invalid', zh: '哔哩哔哩不认可该账号的访问令牌（-2）。请运维人员重新授权该账号。' },
    [-658]: { en: 'access token expired', zh: '哔哩哔哩账号的访问令牌已过期（-658）。请运维人员重新授权该账号。' },
  },
  content: {},
  worded: {
    [-3]: '哔哩哔哩拒绝了请求签名（-3）。请运维人员核对该账号的 clientSecret 和服务器时钟。',
    [-509]: '请求过于频繁（-509）。govpub 会按平台要求等待后自动重试。',
    21070: '该账号今日的投稿次数已用完（21070）。投稿将在北京时间次日自动继续。',
    [-503]: '哔哩哔哩系统繁忙（-503）。govpub 会稍后自动重试，无需操作。',
    [-500]: '哔哩哔哩服务器出错（-500）。govpub 会稍后自动重试，无需操作。',
    [-404]: '哔哩哔哩找不到所请求的稿件或资源（-404）。请检查稿件是否已在平台上被删除。',
    [-400]: '哔哩哔哩认为请求有误（-400）。请查看详细说明，修改内容或告知运维人员。',
  } /** What confirm and reconcile record when archive/view shows an archive that is not public (adapter.ts `standing`). */,
  named: {
    'archive_state_-2': {
      meaning: '稿件被审核打回',
      zh: '审核打回了这份稿件，视频没有公开。重试会重新上传视频，作为新稿件再次提交审核；如需按审核理由（见英文说明）修改，请修改稿件后重新发布，或跳过该渠道。',
    },
    'archive_state_-4': {
      meaning: '稿件被审核锁定',
      zh: '审核锁定了这份稿件，视频没有公开。重试会重新上传视频，作为新稿件再次提交审核；请先核对审核理由（见英文说明），需要时修改稿件后重新发布，或跳过该渠道。',
    },
    'archive_state_-100': {
      meaning: '稿件已被删除',
      zh: '这份稿件已在平台上被删除，目前没有公开。重试会重新上传视频，作为新稿件提交审核；如不应再发布，请跳过该渠道。',
    },
    archive_not_found: {
      meaning: '平台找不到该稿件',
      zh: '平台已找不到这份稿件，它可能已被删除，目前没有公开。重试会重新上传视频，作为新稿件提交审核；如不应再发布，请跳过该渠道。',
    },
  },
};
