/**
 * Site reachability probes on the real worker: the probe workflow GETs the portal's address, its home
 * page and a column page, and records each as a row of site_probes; a dead, failing or slow site
 * gives failed rows (a slow answer counts as failed past the limit, as inspectors count 15 s). A
 * database that refuses the record delays it: the site is not measured again, nothing is stored twice.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComplianceActivityDeps } from '../../activities/compliance-activities.js';
import type { SiteProbeResult } from '../../contracts/compliance.js';
import { insertProbes } from '../../db/compliance-notices.js';
import { probeTargets } from '../../services/compliance/probes.js';
import { noticeTransports } from '../../services/notify/index.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { freePort } from '../support/running.js';

let app: TestApp;
let site: http.Server;
let siteUrl = '';
let mode: 'up' | 'error' | 'slow' = 'up';
let requestsServed = 0;
let probe: ComplianceActivityDeps['probe'];
/**
 * How long a probe of the healthy test site may take: it answers at once, but a loaded machine can
 * hold the answer up for longer than the 800 ms the slow site is given (whose answer comes at 1.5 s).
 */
const HEALTHY_TIMEOUT_MS = 30_000;

beforeAll(async () => {
  site = http.createServer((req, res) => {
    requestsServed += 1;
    if (mode === 'error') return void res.writeHead(502).end('bad gateway');
    const answer = () => res.writeHead(req.url?.startsWith('/portal') ? 200 : 404, { 'content-type': 'text/html' }).end('<h1>碑林区人民政府</h1>');
    if (mode === 'slow') setTimeout(answer, 1500);
    else answer();
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/portal`;
  probe = { portalUrl: siteUrl, timeoutMs: HEALTHY_TIMEOUT_MS };
  app = await startTestApp({
    deps: (base) => ({
      ...base,
      compliance: {
        runChecks: () => Promise.reject(new Error('not part of this test')),
        transports: noticeTransports({ smtp: null, webhook: { unitUrls: {}, timeoutMs: 1000 } }, { env: {} }),
        // Read at each probe: the test points it at a dead port below.
        get probe() {
          return probe;
        },
        consoleUrl: null,
      },
    }),
  });
  await app.startWorker();
});

afterAll(async () => {
  await app?.close();
  await new Promise((resolve) => site?.close(resolve));
});

async function probeOnce(): Promise<SiteProbeResult> {
  return app.client.workflow.execute('siteProbeWorkflow', { taskQueue: app.taskQueue, workflowId: `probe-test-${Date.now()}-${Math.random()}`, args: [] });
}

const rows = () => app.db.selectFrom('site_probes').selectAll().orderBy('id').execute();

describe('site probes', () => {
  it('GETs the portal, its home page and a column page, and records each', async () => {
    const targets = probeTargets({ portalUrl: siteUrl, registry: app.registry });
    expect(targets).toHaveLength(3);
    expect(targets[0]).toBe(`${siteUrl}/`);
    expect(targets[1]).toBe(`${siteUrl}/index.html`);
    expect(targets[2]).toMatch(new RegExp(`^${siteUrl}/col/[a-z0-9-]+/index\\.html$`));

    const result = await probeOnce();
    expect(result).toEqual({ probed: 3, failed: 0, failures: [] });
    const recorded = await rows();
    expect(recorded.map((r) => r.url).sort()).toEqual([...targets].sort());
    expect(recorded.every((r) => r.ok && r.status === 200 && r.error === null && r.duration_ms < HEALTHY_TIMEOUT_MS)).toBe(true);
  });

  it('a site answering 502, answering too slowly, or not at all gives failed probes', async () => {
    const before = (await rows()).length;
    mode = 'error';
    expect(await probeOnce()).toMatchObject({ probed: 3, failed: 3 });
    mode = 'slow';
    probe = { portalUrl: siteUrl, timeoutMs: 800 };
    const slow = await probeOnce();
    expect(slow.failed).toBe(3);
    expect(slow.failures[0]).toContain('no complete answer within 800 ms');
    probe = { portalUrl: `http://127.0.0.1:${await freePort()}/portal`, timeoutMs: 800 };
    const dead = await probeOnce();
    expect(dead.failed).toBe(3);
    expect(dead.failures.join()).toContain('ECONNREFUSED');

    const failed = (await rows()).slice(before);
    expect(failed).toHaveLength(9);
    expect(failed.every((r) => !r.ok && r.error)).toBe(true);
    expect(failed.filter((r) => r.status === 502)).toHaveLength(3);
    expect(failed.filter((r) => r.status === null)).toHaveLength(6);
  });

  it(
    'a database outage while recording delays the record: the site is measured once, recorded once when the database is back',
    { timeout: 180_000 },
    async () => {
      mode = 'up';
      probe = { portalUrl: siteUrl, timeoutMs: HEALTHY_TIMEOUT_MS };
      const before = (await rows()).length;
      const servedBefore = requestsServed;
      // Every write refused as a starting database refuses it (SQLSTATE 57P03): what the activity sees of a restart.
      await sql`create function refuse_probe_rows() returns trigger language plpgsql as $$ begin raise exception 'the database system is starting up' using errcode = '57P03'; end $$`.execute(
        app.db,
      );
      await sql`create trigger refuse_probe_rows before insert on site_probes for each row execute function refuse_probe_rows()`.execute(app.db);
      const handle = await app.client.workflow.start('siteProbeWorkflow', { taskQueue: app.taskQueue, workflowId: `probe-outage-${Date.now()}`, args: [] });
      try {
        let attempts = 0;
        for (let i = 0; i < 200 && attempts < 2; i++) {
          const pending = (await handle.describe()).raw.pendingActivities ?? [];
          attempts = pending.find((a) => a.activityType?.name === 'recordSiteProbes')?.attempt ?? 0;
          if (attempts < 2) await new Promise((r) => setTimeout(r, 100));
        }
        expect(attempts, 'the record step retries while the database refuses it').toBeGreaterThanOrEqual(2);
        expect((await handle.describe()).status.name).toBe('RUNNING');
      } finally {
        await sql`drop trigger refuse_probe_rows on site_probes`.execute(app.db);
        await sql`drop function refuse_probe_rows()`.execute(app.db);
      }
      expect(await handle.result()).toEqual({ probed: 3, failed: 0, failures: [] });
      expect(requestsServed - servedBefore, 'measured once, not again on each retry').toBe(3);
      const recorded = (await rows()).slice(before);
      expect(recorded).toHaveLength(3);
      expect(recorded.every((r) => r.ok && r.status === 200)).toBe(true);
    },
  );

  it('recording the same measurement again stores nothing twice', async () => {
    const at = new Date('2026-11-30T02:00:00.123Z');
    const measurement = { at, url: `${siteUrl}/again`, ok: true, durationMs: 12, status: 200, error: null };
    await insertProbes(app.db, [measurement]);
    await insertProbes(app.db, [measurement, { ...measurement, url: `${siteUrl}/again-other` }]);
    const stored = await app.db.selectFrom('site_probes').select(['url']).where('at', '=', at).orderBy('url').execute();
    expect(stored.map((r) => r.url)).toEqual([`${siteUrl}/again`, `${siteUrl}/again-other`]);
  });
});
