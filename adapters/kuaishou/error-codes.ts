// Kuaishou's result codes and what they mean (the table its client stands on), each with the sentence people read in Chinese.
import type { ErrorCodeTable } from '../platform-client.js';

/** Kuaishou's result codes. */
export const R = {
  ok: 1,
  internal: 2,
  param: 100200100,
  appAuth: 100200101,
  tokenInvalid: 100200102,
  tokenExpired: 100200103,
  rateLimited: 100200105,
  notFound: 100200106,
} as const;

/** Kuaishou's codes for a refused access token (refreshed once); the rest are worded by its client. */
export const KUAISHOU_ERROR_CODES: ErrorCodeTable = {
  reconnect: {
    [R.tokenInvalid]: { en: 'access token invalid', zh: '快手不认可该账号的访问令牌（100200102）。请运维人员重新授权该账号。' },
    [R.tokenExpired]: { en: 'access token expired', zh: '快手账号的访问令牌已过期（100200103）。请运维人员重新授权该账号。' },
  },
  content: {},
  worded: {
    [R.internal]: '快手平台内部出错（2）。govpub 会稍后自动重试，无需操作。',
    [R.rateLimited]: '请求过于频繁（100200105）。govpub 会按平台要求等待后自动重试。',
    [R.appAuth]: '快手拒绝了应用凭据（100200101）。请运维人员核对 appId 和 appSecret。',
    [R.notFound]: '快手找不到所请求的作品或资源（100200106）。请检查作品是否已在平台上被删除。',
    [R.param]: '快手认为请求参数有误（100200100）。请查看详细说明，修改内容或告知运维人员。',
  } /** What confirm and reconcile record when photo/info does not show a work (adapter.ts `standing`). */,
  named: {
    photo_not_shown: {
      meaning: '作品未展示（审核未通过或已被删除）',
      zh: '这个作品没有在快手展示：审核未通过，或作品已被删除。重试会重新上传视频，作为新作品发布（可能需再次审核）；如不应再发布，请跳过该渠道。',
    },
  },
};
