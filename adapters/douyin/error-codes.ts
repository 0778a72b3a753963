// Douyin's error codes by what they mean (the table its client stands on), each with the sentence people read in Chinese.
import type { ErrorCodeTable } from '../platform-client.js';

/** Douyin's codes for a refused access token (refreshed once); the rest are worded by its client. */
export const DOUYIN_ERROR_CODES: ErrorCodeTable = {
  reconnect: {
    2190002: { en: 'access token invalid', zh: '抖音不认可该账号的访问令牌（2190002）。请运维人员重新授权该账号。' },
    2190008: { en: 'access token expired', zh: '抖音账号的访问令牌已过期（2190008）。请运维人员重新授权该账号。' },
  },
  content: {},
  worded: {
    2100004: '抖音系统繁忙（2100004）。govpub 会稍后自动重试，无需操作。',
    2190001: '应用的接口调用额度已用完（2190001）。govpub 会按平台要求等待后自动重试。',
    2190015: '抖音账号的授权已失效（2190015）。请运维人员重新授权该账号。',
    10013: '抖音拒绝了应用凭据（10013）。请运维人员核对 clientKey 和 clientSecret。',
    2190004: '应用或账号缺少所需权限（2190004）。请在抖音开放平台检查应用能力和账号授权范围（video.create、video.data、video.delete、video.list）。',
    2100007: '应用或账号缺少所需权限（2100007）。请在抖音开放平台检查应用能力和账号授权范围。',
    2190005: '抖音认为视频文件过大（2190005）。请压缩视频后重新发布。',
    2190006: '抖音只接受不超过 15 分钟的视频（2190006）。请剪短视频后重新发布。',
    2190007: '上传的视频编号不可用（2190007）。请重试；如持续出现，请告知运维人员。',
    2100005: '抖音认为请求参数无效（2100005）。请查看详细说明，修改内容后重新发布。',
    10002: '抖音认为请求参数无效（10002）。请查看详细说明，修改内容后重新发布。',
    10005: '抖音认为缺少必要参数（10005）。请查看详细说明，修改内容后重新发布。',
    10003: '抖音不认可应用的 client_key（10003）。请运维人员核对该账号的 clientKey，然后恢复渠道。',
    10004: '应用缺少所需权限（10004）。请在抖音开放平台检查应用能力和账号授权范围。',
    10007: '抖音的授权码已过期或已被使用（10007）。请运维人员重新授权该账号。',
    10010: '抖音账号的刷新令牌已过期或不被认可（10010）。请运维人员重新授权该账号，更新配置中的刷新令牌，然后恢复渠道。',
  } /** What confirm and reconcile record when video/data shows a video that is not public (adapter.ts `standing`). */,
  named: {
    video_status_2: {
      meaning: '审核认为视频不适宜公开',
      zh: '审核认为这条视频不适宜公开，视频没有发布。重试会重新上传视频，作为新视频再次提交审核；如视频本身需要修改，请修改稿件后重新发布，或跳过该渠道。',
    },
    video_not_listed: {
      meaning: '视频已不在账号的视频列表中',
      zh: '这条视频已被删除或下架，平台不再列出它，目前没有公开。重试会重新上传视频，作为新视频发布（需再次审核）；如不应再发布，请跳过该渠道。',
    },
  },
};
