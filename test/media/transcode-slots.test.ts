import { describe, expect, it } from 'vitest';
import { defaultMediaJobSlots, loadSettings } from '../../config/settings.js';
import { defaultTranscodeSlots, SlotGate } from '../../media/transcode-slots.js';

/** A job the test finishes by hand, recording when it ran. */
function manualJob(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    run: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
    finish: () => finish(),
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('the transcode gate', () => {
  it('runs at most its slots at once and lets waiters in in arrival order', async () => {
    const gate = new SlotGate(2);
    const log: string[] = [];
    const jobs = ['a', 'b', 'c', 'd'].map((n) => manualJob(log, n));
    const results = jobs.map((j) => gate.run(j.run));
    await tick();
    expect(log).toEqual(['start a', 'start b']);
    expect(gate.inUse).toBe(2);
    expect(gate.waiting).toBe(2);
    jobs[1]!.finish();
    await tick();
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);
    jobs[0]!.finish();
    jobs[2]!.finish();
    jobs[3]!.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
    expect(gate.inUse).toBe(0);
    expect(gate.waiting).toBe(0);
  });

  it('gives the slot back when the job fails', async () => {
    const gate = new SlotGate(1);
    await expect(gate.run(() => Promise.reject(new Error('ffmpeg exited with code 1')))).rejects.toThrow('ffmpeg exited');
    expect(gate.inUse).toBe(0);
    expect(await gate.run(async () => 'next')).toBe('next');
  });

  it('tells a waiting job it is waiting (for its heartbeat), and stops telling once it runs', async () => {
    const gate = new SlotGate(1);
    const log: string[] = [];
    const first = manualJob(log, 'first');
    const running = gate.run(first.run);
    let beats = 0;
    const second = gate.run(async () => 'second', { whileWaiting: () => (beats += 1), waitBeatMs: 10 });
    // Once on arrival, then every 10 ms, for as long as it waits (counted, not timed: a loaded
    // machine's timers may fire once where 60 ms should hold five beats).
    await expect.poll(() => beats, { interval: 5 }).toBeGreaterThanOrEqual(3);
    first.finish();
    await running;
    expect(await second).toBe('second');
    const after = beats;
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(beats).toBe(after);
  });

  it('a job cancelled while waiting never takes a slot and says it was cancelled', async () => {
    const gate = new SlotGate(1);
    const log: string[] = [];
    const first = manualJob(log, 'first');
    const running = gate.run(first.run);
    const controller = new AbortController();
    let ran = false;
    const cancelled = gate.run(
      async () => {
        ran = true;
      },
      { signal: controller.signal },
    );
    const third = gate.run(async () => 'third');
    await tick();
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    expect(gate.waiting).toBe(1);
    first.finish();
    await running;
    expect(await third).toBe('third');
    expect(ran).toBe(false);
    expect(gate.inUse).toBe(0);
  });

  it('refuses an already cancelled job at once', async () => {
    const gate = new SlotGate(1);
    const controller = new AbortController();
    controller.abort();
    await expect(gate.run(async () => 'never', { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(gate.inUse).toBe(0);
  });

  it('refuses a gate without slots', () => {
    expect(() => new SlotGate(0)).toThrow(/1 or more slots/);
  });

  it('defaults: transcodes half the cores (at least 2), rendition jobs three per core (from 4 to 16)', () => {
    expect(defaultTranscodeSlots(1)).toBe(2);
    expect(defaultTranscodeSlots(2)).toBe(2);
    expect(defaultTranscodeSlots(16)).toBe(8);
    expect(defaultMediaJobSlots(1)).toBe(4);
    expect(defaultMediaJobSlots(2)).toBe(6);
    expect(defaultMediaJobSlots(4)).toBe(12);
    expect(defaultMediaJobSlots(8)).toBe(16);
  });

  it("GOVPUB_MEDIA_CONCURRENCY sets the media queue's jobs; anything but a whole number from 1 to 256 is refused, naming the setting", () => {
    expect(loadSettings({}).mediaConcurrency).toBe(defaultMediaJobSlots());
    expect(loadSettings({ GOVPUB_MEDIA_CONCURRENCY: '12' }).mediaConcurrency).toBe(12);
    expect(loadSettings({ GOVPUB_MEDIA_CONCURRENCY: ' 3 ' }).mediaConcurrency).toBe(3);
    for (const bad of ['0', '-2', '2.5', 'four', '1e3', '257', '0x10']) {
      expect(() => loadSettings({ GOVPUB_MEDIA_CONCURRENCY: bad })).toThrow(
        new RegExp(`GOVPUB_MEDIA_CONCURRENCY=${bad.replace(/[.+]/g, '\\$&')} is not a whole number from 1 to 256`),
      );
    }
  });
});
