/** The year bench's memory lines: what a long run's resident memory did, read from /proc. */
import { describe, expect, it } from 'vitest';
import { memoryLines, MemorySampler } from '../../bench/year/memory.js';
import { processes } from '../../bench/proc-figures.js';

describe('the year bench’s [memory] lines', () => {
  it('give the start, the quarters, the end and the most, with when the most was', () => {
    // The last sample is taken when the window closes, sooner than every 10 s.
    const samples = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => ({
      at: 1_000_000 + i * 10_000 - (i === 8 ? 7_000 : 0),
      govpub: 400 + i * 100 + (i === 7 ? 500 : 0),
      temporal: 100 + i,
    }));
    const lines = memoryLines(
      'memory',
      samples,
      [
        { pid: 7, comm: 'node', peakMiB: 1520.4 },
        { pid: 8, comm: 'temporal', peakMiB: 130 },
      ],
      2311,
    );
    expect(lines[0]).toBe(
      '[memory] govpub processes, resident (VmRSS summed, sampled every 10 s): 400 MB at the start of the window; 600 MB / 800 MB / 900 MB at its quarters; 1,200 MB at the end; most 1,600 MB (96 % into the window)',
    );
    expect(lines[1]).toBe("[memory] each govpub process's peak since it started (VmHWM): pid 7 1,520 MB");
    expect(lines[2]).toBe('[memory] the Temporal dev server: 100 MB at the start, 108 MB at the end, peak 130 MB');
    expect(lines[3]).toContain('workflows cached by the workers at the end: 2311 (temporal_sticky_cache_size;');
  });

  it('says when no worker endpoint reports the workflow cache, and when nothing was sampled', () => {
    expect(memoryLines('memory', [{ at: 1, govpub: 10, temporal: 0 }], [], null).at(-1)).toBe(
      '[memory] workflows cached by the workers at the end: n/a — no worker endpoint has temporal_sticky_cache_size',
    );
    expect(memoryLines('memory', [], [], null)).toEqual(['[memory] no samples']);
  });

  it('samples a real process’s resident memory and peak from /proc', () => {
    const sampler = new MemorySampler(() => processes().filter((p) => p.pid === process.pid));
    sampler.start();
    sampler.stop();
    expect(sampler.samples).toHaveLength(2);
    // This test's own process: tens of MB at least, and its peak no lower than what it holds now.
    expect(sampler.samples[1]!.govpub).toBeGreaterThan(20);
    expect(sampler.samples[1]!.temporal).toBe(0);
    const [own] = sampler.processPeaks();
    expect(own?.pid).toBe(process.pid);
    expect(own!.peakMiB).toBeGreaterThanOrEqual(sampler.samples[1]!.govpub);
  });
});
