import { describe, expect, it } from 'vitest';
import { SIMULATOR_KINDS, startAllSimulators, startSimulator } from '../../simulators/index.js';
import { runSimulators } from '../../simulators/cli.js';
import { client } from './helpers.js';

describe('startAllSimulators / startSimulator / runSimulators', () => {
  it('starts every kind on loopback, each healthy, with per-kind faults, and closes them', async () => {
    const all = await startAllSimulators({ faults: { weibo: [{ match: '*', kind: 'busy' }] }, seed: 5 });
    try {
      expect(Object.keys(all.urls).sort()).toEqual([...SIMULATOR_KINDS].sort());
      for (const kind of SIMULATOR_KINDS) {
        expect(all.urls[kind]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const health = (await client(all.urls[kind]).get('/__sim/health')).data;
        expect(health).toMatchObject({ ok: true, kind, publications: 0 });
      }
      expect((await client(all.urls.weibo).get('/__sim/faults')).data.rules).toHaveLength(1);
      expect((await client(all.urls.douyin).get('/__sim/faults')).data).toMatchObject({ rules: [], seed: 5 + SIMULATOR_KINDS.indexOf('douyin') });
    } finally {
      await all.close();
    }
    await expect(client(all.urls.wechat_oa, 500).get('/__sim/health')).rejects.toThrow();
  });

  it("renders injected faults in each platform's own error format", async () => {
    const all = await startAllSimulators();
    const expected: Record<string, { rate_limit: unknown; token_expired: unknown; busy: unknown }> = {
      wechat_oa: { rate_limit: { errcode: 45009 }, token_expired: { errcode: 42001 }, busy: { errcode: -1 } },
      weibo: { rate_limit: { error_code: 10023 }, token_expired: { error_code: 21327 }, busy: { error_code: 10009 } },
      douyin: {
        rate_limit: { data: { error_code: 2190001 }, extra: { error_code: 2190001 } },
        token_expired: { data: { error_code: 2190008 } },
        busy: { data: { error_code: 2100004 } },
      },
      bilibili: { rate_limit: { code: -509 }, token_expired: { code: -658 }, busy: { code: -503 } },
      kuaishou: { rate_limit: { result: 100200105 }, token_expired: { result: 100200103 }, busy: { result: 2 } },
      news_site: {
        rate_limit: { error: { code: 'rate_limited' } },
        token_expired: { error: { code: 'token_expired' } },
        busy: { error: { code: 'unavailable' } },
      },
      media_app: {
        rate_limit: { error: { code: 'rate_limited' } },
        token_expired: { error: { code: 'token_expired' } },
        busy: { error: { code: 'unavailable' } },
      },
    };
    try {
      for (const kind of SIMULATOR_KINDS) {
        const c = client(all.urls[kind]);
        for (const fault of ['rate_limit', 'token_expired', 'busy'] as const) {
          await c.post('/__sim/faults', { match: '/some/endpoint', kind: fault, count: 1 });
          const r = await c.post('/some/endpoint', {});
          expect(r.data, `${kind} ${fault}`).toMatchObject(expected[kind]![fault] as object);
        }
        const unknown = await c.post('/some/endpoint', {});
        expect(unknown.status === 404 || JSON.stringify(unknown.data).match(/404|40066|10020|not_found|100200106/), `${kind} unknown endpoint`).toBeTruthy();
      }
    } finally {
      await all.close();
    }
  });

  it('reports a taken port with an actionable message and leaves nothing running', async () => {
    const first = await startSimulator('wechat_oa');
    try {
      const err = await startAllSimulators({ basePort: first.port, kinds: ['wechat_oa'] }).catch((e: Error) => e);
      expect(String(err)).toContain(
        `Port ${first.port} for the wechat_oa simulator is already in use. Stop whatever uses it or set the base port to another first port`,
      );
    } finally {
      await first.close();
    }
  });

  it('runSimulators prints the URLs and stops on close()', async () => {
    const lines: string[] = [];
    const running = await runSimulators({ basePort: 0, print: (l) => lines.push(l), handleSignals: false, kinds: ['news_site', 'media_app'] });
    expect(lines.join('\n')).toContain(running.urls.news_site);
    expect(lines.join('\n')).toContain('toutiao');
    await running.close();
    await running.closed;
  });
});
