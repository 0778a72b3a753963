/** A channel's pause in words, for messages: when (Beijing time), who, and why, in English and Chinese. */
import { isRefusedCredentialsPause, type ChannelPause } from '../db/channels.js';
import { chinaTime } from '../domain/compliance/check-context.js';

/** Who paused or resumed a channel, in words: govpub itself, a user by name, or unknown to the audit trail. */
export function actorWords(by: string | null): { en: string; zh: string } {
  if (by === 'system') return { en: 'govpub itself', zh: 'govpub 系统自动' };
  if (by === null) return { en: 'someone the audit trail does not name', zh: '审计记录未写明的人' };
  return { en: by, zh: by };
}

export interface PauseWords {
  at: string;
  byEn: string;
  byZh: string;
  reasonEn: string;
  reasonZh: string;
  /** govpub held the channel itself after the platform refused the account's credentials. */
  heldForCredentials: boolean;
}

export function pauseWords(pause: Pick<ChannelPause, 'at' | 'by' | 'reason'>): PauseWords {
  const heldForCredentials = pause.reason !== null && isRefusedCredentialsPause(pause.reason);
  const by = actorWords(pause.by);
  return {
    at: chinaTime(pause.at.toISOString()),
    byEn: by.en,
    byZh: by.zh,
    reasonEn: pause.reason ?? 'none given',
    reasonZh: heldForCredentials ? '平台拒绝了该账号的凭据' : (pause.reason ?? '未写明'),
    heldForCredentials,
  };
}
