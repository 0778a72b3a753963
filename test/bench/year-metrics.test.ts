/** The bench's breakdown arithmetic: Prometheus text, deltas of histograms between two scrapes, bucket quantiles. */
import { describe, expect, it } from 'vitest';
import { breakdown, bucketQuantile, histogramDelta, parsePrometheus, quantileText, type Scrape } from '../../bench/year/metrics.js';

const worker = { name: 'worker', url: 'http://127.0.0.1:1/metrics' };
const api = { name: 'api', url: 'http://127.0.0.1:2/metrics' };

function histogram(name: string, labels: string, counts: [string, number][], sum: number): string {
  return [
    `# HELP ${name} test`,
    `# TYPE ${name} histogram`,
    ...counts.map(([le, n]) => `${name}_bucket{${labels}${labels ? ',' : ''}le="${le}"} ${n}`),
    `${name}_sum{${labels}} ${sum}`,
    `${name}_count{${labels}} ${counts.at(-1)![1]}`,
  ].join('\n');
}

describe('the metrics breakdown', () => {
  it('parses the text format, labels in any order, and skips comments and junk', () => {
    const s = parsePrometheus('# HELP x y\nx_total{b="2",a="1"} 3\nweird line\ny 4 1700000000\nz{q="a \\"quoted\\" b"} +Inf\n');
    expect(s.get('x_total{a="1",b="2"}')).toBe(3);
    expect(s.get('y')).toBe(4);
    expect(s.get('z{q="a "quoted" b"}')).toBe(Infinity);
    expect(s.size).toBe(3);
  });

  it('takes the window as after − before, summed over endpoints and grouped by the chosen labels', () => {
    const name = 'govpub_transmit_duration_seconds';
    const before: Scrape[] = [
      {
        endpoint: worker,
        samples: parsePrometheus(
          histogram(
            name,
            'platform="portal",outcome="live"',
            [
              ['0.1', 10],
              ['1', 10],
              ['+Inf', 10],
            ],
            0.5,
          ),
        ),
      },
    ];
    const after: Scrape[] = [
      {
        endpoint: worker,
        samples: parsePrometheus(
          histogram(
            name,
            'platform="portal",outcome="live"',
            [
              ['0.1', 10],
              ['1', 30],
              ['+Inf', 30],
            ],
            10.5,
          ),
        ),
      },
      // A second worker that appeared during the window: everything it has counts.
      {
        endpoint: { name: 'worker-2', url: 'http://127.0.0.1:3/metrics' },
        samples: parsePrometheus(
          histogram(
            name,
            'platform="portal",outcome="live"',
            [
              ['0.1', 0],
              ['1', 10],
              ['+Inf', 10],
            ],
            5,
          ),
        ),
      },
    ];
    const [d] = histogramDelta(before, after, name, ['platform'])!;
    expect(d).toMatchObject({ group: 'portal', count: 30, sum: 15 });
    // 30 observations, all between 0.1 and 1 s: the median is halfway through that bucket.
    expect(bucketQuantile(d!.buckets, 0.5)).toBeCloseTo(0.55, 5);
    // As printed: interpolated inside a bucket with a lower bound…
    expect(quantileText(d!.buckets, 0.5)).toBe('550.0 ms');
    expect(histogramDelta(before, after, 'govpub_absent_seconds', [])).toBeNull();
  });

  it('prints a quantile in the first bucket as at most its bound, and one past the last finite bound as more than it', () => {
    // 701 of 713 waits under 100 ms (mean 14 ms): interpolating from 0 said p50 50.8 ms.
    const buckets: [number, number][] = [
      [0.1, 701],
      [0.5, 710],
      [1, 713],
      [Infinity, 713],
    ];
    expect(quantileText(buckets, 0.5)).toBe('≤ 100.0 ms');
    expect(quantileText(buckets, 0.95)).toBe('≤ 100.0 ms');
    expect(quantileText(buckets, 0.995)).toBe('474.9 ms');
    expect(
      quantileText(
        [
          [0.1, 2],
          [Infinity, 10],
        ],
        0.95,
      ),
    ).toBe('> 100.0 ms');
    expect(quantileText([[Infinity, 3]], 0.5)).toBe('?');
    expect(
      quantileText(
        [
          [0.1, 0],
          [Infinity, 0],
        ],
        0.5,
      ),
    ).toBe('?');
  });

  it('says which endpoint lacks which metric instead of failing', () => {
    const lines = breakdown(
      [{ endpoint: api, samples: new Map() }],
      [
        { endpoint: api, samples: new Map() },
        { endpoint: worker, samples: null, error: 'fetch failed' },
      ],
    );
    expect(lines.join('\n')).toContain('endpoints not answering: worker http://127.0.0.1:1/metrics: fetch failed');
    expect(lines.join('\n')).toContain('1 API request (method route status): n/a — API endpoint lacks govpub_http_request_duration_seconds');
    expect(lines[0]).toMatch(/path of a release, mean per occurrence: API request \? → Update \?/);
  });

  it("prints the API process's event-loop delay over the window from the after-scrape, or says it is missing", () => {
    const lag = parsePrometheus(
      ['mean 0.0123', 'p50 0.0101', 'p90 0.0302', 'p99 0.1504', 'max 0.4'].map((l) => `nodejs_eventloop_lag_${l.replace(' ', '_seconds ')}`).join('\n'),
    );
    const printed = breakdown([{ endpoint: api, samples: new Map() }], [{ endpoint: api, samples: lag }]).join('\n');
    expect(printed).toContain(
      '10 event-loop delay, API process (with govpub start, the workers share it): mean 12.3 ms, p50 10.1 ms, p90 30.2 ms, p99 150.4 ms, max 400.0 ms',
    );
    const missing = breakdown([{ endpoint: api, samples: new Map() }], [{ endpoint: api, samples: new Map() }]).join('\n');
    expect(missing).toContain(
      '10 event-loop delay, API process (with govpub start, the workers share it): n/a — API endpoint lacks nodejs_eventloop_lag_p99_seconds',
    );
  });
});
