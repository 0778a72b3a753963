// Preflight's word on target channels operations have paused (pure): the release would wait there until the channel is resumed.
import type { PreflightResult } from './preflight.js';
import type { Problem } from './problems.js';

/** A channel's pause as the editor is told of it (worked out by services/preflight.ts from the channels table and the audit trail). */
export interface PauseNotice {
  /** `2026-12-06 10:15` (Beijing time). */
  at: string;
  byEn: string;
  byZh: string;
  reasonEn: string;
  reasonZh: string;
}

/**
 * A warning on every target channel that is paused now: its deliveries would wait, after the
 * final approval, until operations resume it, while the other channels publish. A warning, not a
 * blocker: the pause may be lifted before the release, and holding a channel is operations' call.
 * `targets` are the body's targets, for the field the warning points at.
 */
export function withPausedChannels(result: PreflightResult, pauses: ReadonlyMap<string, PauseNotice>, targets: readonly unknown[]): PreflightResult {
  if (pauses.size === 0) return result;
  return {
    ...result,
    channels: result.channels.map((channel) => {
      const pause = pauses.get(channel.channelId);
      if (!pause) return channel;
      const index = targets.indexOf(channel.channelId);
      const warning: Problem = {
        code: 'channel_paused',
        field: index >= 0 ? `/targets/${index}` : '',
        channelId: channel.channelId,
        message: `「${channel.platformName} · ${channel.name}」已于 ${pause.at}（北京时间）由 ${pause.byZh} 暂停，原因：${pause.reasonZh}。稿件审核通过后，其他渠道照常发布，这个渠道要等运维人员恢复后才发布。如不想等待，可以去掉这个渠道。`,
        messageEn: `${channel.channelId} (${channel.name}) was paused by ${pause.byEn} at ${pause.at} (Beijing time), reason: "${pause.reasonEn}". Once the package is approved, the other channels publish and this one waits until operations resume it; drop it from the targets not to wait.`,
      };
      return { ...channel, warnings: [...channel.warnings, warning] };
    }),
  };
}
