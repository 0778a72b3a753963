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
  },
};
