/**
 * How the operations pages word a channel's pause (web/src/components/ops/channel-pause.ts): who paused
 * it and when, in Beijing time, and govpub's own hold after refused credentials in Chinese with what
 * to do, whatever the API process can tell of the secrets.
 */
import { describe, expect, it } from 'vitest';
import { channelPaused, pauseOriginText, pauseReasonText, type PausableChannel } from '../../web/src/components/ops/channel-pause.js';

const channel = (over: Partial<PausableChannel>): PausableChannel => ({
  paused: false,
  pausedReason: null,
  ...over,
});

describe('a paused channel as operations read it', () => {
  it('names who paused it and when, in Beijing time', () => {
    const pause = channelPaused(channel({ paused: true, pausedReason: '账号年检', pausedAt: '2026-12-04T01:30:00.000Z', pausedBy: 'wang.wei' }));
    expect(pauseReasonText(pause)).toBe('账号年检');
    expect(pauseOriginText(pause)).toBe('由 wang.wei 于 2026-12-04 09:30 暂停');
    expect(pauseOriginText(channelPaused(channel({ paused: true, pausedAt: '2026-12-04T16:05:00.000Z', pausedBy: 'system' })))).toBe(
      '由 govpub 系统自动 于 2026-12-05 00:05 暂停',
    );
    // Not paused: no time or name left over from an older read.
    expect(channelPaused(channel({ paused: false, pausedAt: '2026-12-04T01:30:00.000Z', pausedBy: 'wang.wei' }))).toMatchObject({ at: null, by: null });
    expect(pauseOriginText(channelPaused(channel({ paused: true, pausedReason: 'x' })))).toBe('');
  });

  it("says govpub's hold after refused credentials in Chinese even when the API cannot read the secrets", () => {
    const reason = 'needs reconnect: invalid appsecret (40125)';
    const held = (credential: 'invalid' | 'unknown' | 'missing') =>
      pauseReasonText(
        channelPaused(
          channel({
            paused: true,
            pausedReason: reason,
            pausedBy: 'system',
            pausedAt: '2026-12-04T01:30:00.000Z',
            health: { credential, paused: true, pausedReason: reason },
          }),
        ),
      );
    for (const credential of ['invalid', 'unknown', 'missing'] as const) {
      expect(held(credential), credential).toBe('平台拒绝了该账号的凭据，govpub 已自动暂停该渠道。请重新授权或更新凭据，然后点击「恢复渠道」。');
    }
  });
});
