/**
 * A channel's pause as the operations pages word it: its reason (govpub's own hold after refused
 * credentials in Chinese, with what to do), who paused it and when. Imports nothing of the console
 * but the time format, so node-side tests read it as the pages do.
 */
import { formatTime } from '../../time.js';

/** What of a channel (ops-data.ts ChannelItem, as GET /api/channels gives it) its pause is read from. */
export interface PausableChannel {
  paused: boolean;
  pausedReason: string | null;
  pausedAt?: string | null;
  pausedBy?: string | null;
  health?: { paused: boolean; pausedReason: string | null; credential: string };
}

/**
 * A channel's pause reason as an operator reads it: an operator's own reason as written; the hold
 * govpub puts on a channel whose credentials the platform refused (see channelPaused) in Chinese,
 * with what to do next.
 */
export function pauseReasonText(pause: { reason: string | null; refusedCredentials: boolean }): string {
  if (pause.refusedCredentials) return '平台拒绝了该账号的凭据，govpub 已自动暂停该渠道。请重新授权或更新凭据，然后点击「恢复渠道」。';
  return pause.reason ?? '未写明原因';
}

export interface ChannelPauseShown {
  paused: boolean;
  reason: string | null;
  refusedCredentials: boolean;
  /** When and by whom (see ChannelItem); null when the server does not say. */
  at: string | null;
  by: string | null;
}

/**
 * A channel's pause, whichever of the two places the server keeps it in. Held for refused
 * credentials: the credential state says so where this API process can read the secrets, and a
 * pause govpub set itself (`system`) is only ever that hold, so it reads as one where it cannot
 * (credential `unknown`, or a secret taken away while it is being fixed), never as the raw English reason.
 */
export function channelPaused(c: PausableChannel): ChannelPauseShown {
  const paused = c.health?.paused ?? c.paused;
  return {
    paused,
    reason: c.health?.pausedReason ?? c.pausedReason,
    refusedCredentials: paused && (c.health?.credential === 'invalid' || c.pausedBy === 'system'),
    at: paused ? (c.pausedAt ?? null) : null,
    by: paused ? (c.pausedBy ?? null) : null,
  };
}

/** Who paused a channel, as an operator reads it: a colleague by name, or govpub itself (a hold after refused credentials). */
export function pausedByText(by: string | null): string {
  if (by === 'system') return 'govpub 系统自动';
  return by ?? '审计记录未写明的人';
}

/** Who paused a channel and when, in Beijing time as the console shows every time: 由 王伟 于 2026-12-04 09:30 暂停; '' when the server does not say. */
export function pauseOriginText(pause: Pick<ChannelPauseShown, 'at' | 'by'>): string {
  if (!pause.at) return '';
  return `由 ${pausedByText(pause.by)} 于 ${formatTime(pause.at)} 暂停`;
}
