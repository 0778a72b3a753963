/**
 * A starting worker brings the compliance schedules up to its settings; a Temporal server restarted
 * on its history may not answer about a schedule yet (describe is a query to the schedule's own
 * workflow). The worker asks again for a while instead of ending its start with "Failed to describe
 * schedule", and a request the server refuses for good still fails at once.
 */
import { ScheduleNotFoundError, ServiceError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { askScheduleWithPatience, isPassingScheduleError } from '../../runtime/compliance.js';
import { GovpubError } from '../../domain/errors.js';

/** The error the SDK's schedule client throws for a gRPC failure: a ServiceError with the gRPC error as its cause. */
function scheduleCallError(code: number, details: string): ServiceError {
  const grpc = Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
  return new ServiceError('Failed to describe schedule', { cause: grpc });
}
const DEADLINE_EXCEEDED = 4;
const INVALID_ARGUMENT = 3;

describe('schedule calls to a server that does not answer yet', () => {
  it('are asked again until it answers, with one line in the log', async () => {
    let calls = 0;
    const log: string[] = [];
    const answer = await askScheduleWithPatience(
      'q-compliance-daily',
      async () => {
        calls += 1;
        if (calls < 3) throw scheduleCallError(DEADLINE_EXCEEDED, 'context deadline exceeded');
        return 'updated';
      },
      (line) => log.push(line),
      { waitsMs: [5] },
    );
    expect(answer).toBe('updated');
    expect(calls).toBe(3);
    expect(log).toEqual([
      'schedule: q-compliance-daily: the Temporal server does not answer yet (Failed to describe schedule: 4 context deadline exceeded); asking again',
    ]);
  });

  it('fail at once when the server refuses the request or the schedule does not exist', async () => {
    for (const error of [scheduleCallError(INVALID_ARGUMENT, 'invalid spec'), new ScheduleNotFoundError('not found', 's'), new TypeError('bad spec')]) {
      let calls = 0;
      await expect(
        askScheduleWithPatience(
          's',
          async () => {
            calls += 1;
            throw error;
          },
          () => {},
          { waitsMs: [5] },
        ),
      ).rejects.toBe(error);
      expect(calls).toBe(1);
      expect(isPassingScheduleError(error)).toBe(false);
    }
  });

  it('end with what to do, in both languages, when the server stays silent past the patience', async () => {
    let calls = 0;
    const failure = await askScheduleWithPatience(
      'q-compliance-probes',
      async () => {
        calls += 1;
        throw scheduleCallError(DEADLINE_EXCEEDED, 'context deadline exceeded');
      },
      () => {},
      { patienceMs: 60, waitsMs: [20] },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GovpubError);
    expect(failure).toMatchObject({ code: 'temporal_not_answering', details: { scheduleId: 'q-compliance-probes' } });
    expect((failure as GovpubError).message).toMatch(
      /did not answer about the schedule q-compliance-probes .*start the worker again.*GOVPUB_COMPLIANCE_SCHEDULES=off/,
    );
    expect((failure as GovpubError).messageZh).toContain('请再次启动 worker');
    expect(calls).toBeGreaterThanOrEqual(2);
  });
});
