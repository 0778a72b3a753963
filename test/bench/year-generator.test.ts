/** The year-replay bench's generator: the issue's volumes, the real 2026 calendar, bodies the API accepts, deterministic. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../../config/registry.js';
import { workingDayCalendar } from '../../config/working-calendar.js';
import { organizeProblems } from '../../domain/package-rules.js';
import { listChannels, stagesFor, type Registry } from '../../domain/registry.js';
import { parsePackageInput } from '../../services/package-input.js';
import {
  calendarDays,
  generateYear,
  issueLoad,
  packageBody,
  planVolumes,
  sampleYear,
  seededRandom,
  YEAR_VOLUMES,
  type PlannedPackage,
} from '../../bench/year/generate.js';
import { fanoutTargets, holdOutsideLoad, parseOptions, sampleUntil } from '../../bench/year-replay.js';

let registry: Registry;
beforeAll(async () => {
  registry = await loadRegistry();
});

const PHOTO = 'a'.repeat(64);

function problemsOf(p: PlannedPackage): string[] {
  const { content, item } = parsePackageInput(packageBody(p, p.cover ? PHOTO : null), registry);
  return organizeProblems({
    revision: 1,
    contentHash: '0'.repeat(64),
    hasDocument: content.document !== null,
    interpretationCount: content.interpretations.length,
    requiresInterpretation: item.requiresInterpretation,
    targets: content.targets,
  }).map((x) => x.code);
}

describe('the generated year', () => {
  it('has the issue volumes: 8,200 portal items, 62 policy packages with interpretations, 2,800 media-center items', () => {
    const year = generateYear(registry, 14);
    const v = planVolumes(year.packages);
    expect(v.portalItems).toBe(YEAR_VOLUMES.portalItems);
    expect(v.policyPackages).toBe(YEAR_VOLUMES.policyPackages);
    expect(Math.abs(v.mediaCenterItems - YEAR_VOLUMES.mediaCenterItems)).toBeLessThanOrEqual(20);
    for (const p of year.packages.filter((x) => x.kind === 'policy')) {
      expect(p.interpretations).toBeGreaterThanOrEqual(1);
      expect(registry.catalogue.find((i) => i.id === p.catalogueItem)!.requiresInterpretation).toBe(true);
    }
    // The catalogue's mix: news is the largest class, and every class of the mix is there.
    const byClass = new Map<string, number>();
    for (const p of year.packages) byClass.set(p.contentClass, (byClass.get(p.contentClass) ?? 0) + 1);
    expect(Math.max(...byClass.values())).toBe(byClass.get('news'));
    expect([...byClass.keys()].sort()).toEqual(['news', 'notice', 'other', 'policy', 'service']);
    // A share carries a photo: every package to an account or the media center, and a few more.
    expect(v.covers / v.packages).toBeGreaterThan(0.2);
    expect(v.covers / v.packages).toBeLessThan(0.6);
    for (const p of year.packages) if (p.targets.some((t) => !t.startsWith('portal:'))) expect(p.cover).toBe(true);
  });

  it('falls on the real 2026 calendar: working days, and only news on weekends and holidays, in calendar order', () => {
    const calendar = workingDayCalendar();
    const year = generateYear(registry, 14);
    const { working, off } = calendarDays();
    expect(working.length + off.length).toBe(365);
    // 2026: 1 January is a holiday, Sunday 4 January a make-up working day (调休).
    expect(calendar.isWorkingDay('2026-01-01')).toBe(false);
    expect(working).toContain('2026-01-04');
    for (const p of year.packages) {
      expect(p.day.startsWith('2026-')).toBe(true);
      if (!calendar.isWorkingDay(p.day)) expect(p.contentClass).toBe('news');
    }
    const offDay = year.packages.filter((p) => !calendar.isWorkingDay(p.day)).length;
    expect(offDay).toBeGreaterThan(0);
    expect(offDay / year.packages.length).toBeLessThan(0.1);
    expect(year.packages.map((p) => p.day)).toEqual([...year.packages.map((p) => p.day)].sort());
    expect(year.packages.map((p) => p.seq)).toEqual(year.packages.map((_, i) => i + 1));
  });

  it('is the same for the same seed and differs for another', () => {
    const a = generateYear(registry, 7);
    const b = generateYear(registry, 7);
    const c = generateYear(registry, 8);
    expect(b).toEqual(a);
    expect(c.packages.map((p) => p.title)).not.toEqual(a.packages.map((p) => p.title));
    const r1 = seededRandom(3);
    const r2 = seededRandom(3);
    expect(Array.from({ length: 5 }, r1)).toEqual(Array.from({ length: 5 }, r2));
  });

  it('makes bodies the API accepts and the 三同步 rule lets into review, to channels of the registry', () => {
    const channels = new Set(listChannels(registry).map((c) => c.id));
    const year = generateYear(registry, 14);
    // Every policy package and an even sample of the rest.
    const checked = [...year.packages.filter((p) => p.kind === 'policy'), ...sampleYear(year, 400)];
    for (const p of checked) {
      expect(problemsOf(p)).toEqual([]);
      for (const t of p.targets) expect(channels.has(t)).toBe(true);
      expect(stagesFor(registry, p.contentClass).length).toBeGreaterThanOrEqual(2);
    }
    // Without its interpretation a policy package would be refused: the bench does exercise the rule.
    const policy = year.packages.find((p) => p.kind === 'policy')!;
    expect(problemsOf({ ...policy, interpretations: 0 })).toContain('interpretation_required');
  });

  it('samples the year evenly, keeping the calendar order and a policy package', () => {
    const year = generateYear(registry, 14);
    const short = sampleYear(year, 300);
    expect(short).toHaveLength(300);
    expect(short.some((p) => p.kind === 'policy')).toBe(true);
    expect(short[0]!.day < '2026-02-01').toBe(true);
    expect(short.at(-1)!.day > '2026-11-30').toBe(true);
    expect(new Set(short.map((p) => p.seq)).size).toBe(300);
  });
});

describe('the issue load and the 40-channel package', () => {
  it('is 100 packages, one in ten a policy package to a portal column, 6 WeChat/Weibo accounts and 2 media-center columns', () => {
    const load = issueLoad(registry, 100, 14);
    expect(load).toHaveLength(100);
    const policy = load.filter((p) => p.kind === 'policy');
    expect(policy).toHaveLength(10);
    for (const p of policy) {
      expect(p.targets.filter((t) => t.startsWith('portal:'))).toHaveLength(1);
      expect(p.targets.filter((t) => t.startsWith('wechat_oa:') || t.startsWith('weibo:'))).toHaveLength(6);
      expect(p.targets.filter((t) => t.startsWith('news_site:') || t.startsWith('media_app:'))).toHaveLength(2);
      expect(problemsOf(p)).toEqual([]);
    }
    const rest = load.filter((p) => p.kind !== 'policy');
    for (const p of rest) {
      expect(p.targets.filter((t) => t.startsWith('portal:'))).toHaveLength(1);
      expect(p.targets.length).toBeLessThanOrEqual(2);
      expect(problemsOf(p)).toEqual([]);
    }
    const withAccount = rest.filter((p) => p.targets.length === 2).length;
    expect(withAccount).toBeGreaterThan(10);
    expect(withAccount).toBeLessThan(60);
  });

  it('sends the fan-out package to about 40 distinct channels of the registry', () => {
    const targets = fanoutTargets(registry);
    const channels = new Set(listChannels(registry).map((c) => c.id));
    expect(targets.length).toBeGreaterThanOrEqual(36);
    expect(targets.length).toBeLessThanOrEqual(40);
    expect(new Set(targets).size).toBe(targets.length);
    for (const t of targets) expect(channels.has(t)).toBe(true);
  });
});

describe('the bench options', () => {
  it('refuses bad flags with the flag named', () => {
    expect(() => parseOptions(['--clients', '0'])).toThrow(/--clients needs an integer ≥ 1, got "0"/);
    expect(() => parseOptions(['--hold', 'portal'])).toThrow(/--hold takes a platform .*got "portal"/);
    expect(() => parseOptions(['--hold-seconds', '5'])).toThrow(/--hold-seconds and --hold-after need --hold/);
    expect(() => parseOptions(['--workers', '1,2'])).toThrow(/--workers needs --topology/);
    expect(() => parseOptions(['--short', '--year'])).toThrow(/choose one mode/);
    expect(() => parseOptions(['--load', 'heavy'])).toThrow(/--load takes "issue"/);
    expect(() => parseOptions(['--frobnicate'])).toThrow(/unknown option --frobnicate/);
    expect(() => parseOptions(['--govpub', '/nonexistent/checkout'])).toThrow(/--govpub \/nonexistent\/checkout: no bin\/govpub.mjs there/);
    expect(() => parseOptions(['--cpu-prof'])).toThrow(/--cpu-prof needs a value/);
    // An empty value is no number (Number('') is 0: it ran with seed 0), and a missing record is
    // refused before anything starts (it ended in a stack trace after the plan was printed).
    expect(() => parseOptions(['--seed='])).toThrow(/--seed needs an integer ≥ 0, got ""/);
    expect(() => parseOptions(['--packages', ' '])).toThrow(/--packages needs an integer ≥ 1/);
    expect(() => parseOptions(['--topology', '/nonexistent/run/topology.json'])).toThrow(/--topology \/nonexistent\/run\/topology.json: no such file/);
  });

  it('refuses an option the mode would ignore', () => {
    expect(() => parseOptions(['--packages', '20', '--repetitions', '3'])).toThrow(/--repetitions applies to --fanout40 only/);
    expect(() => parseOptions(['--fanout40', '--topology', '--workers', '1,2'])).toThrow(/--workers does nothing with --fanout40/);
    expect(() => parseOptions(['--fanout40', '--clients', '3', '--no-floor'])).toThrow(/--clients, --no-floor do nothing with --fanout40/);
    expect(parseOptions(['--fanout40', '--repetitions', '1', '--topology'])).toMatchObject({ mode: 'fanout40', repetitions: 1, topology: true });
  });

  it('takes an inline value whole, = signs included', () => {
    expect(parseOptions(['--cpu-prof=/tmp/a=b'])).toMatchObject({ cpuProfileDir: '/tmp/a=b' });
    expect(() => parseOptions(['--packages=5=6'])).toThrow(/--packages needs an integer ≥ 1, got "5=6"/);
  });

  it("samples a hold's backlog once more after the run stopped", async () => {
    // The backlog empties between the last sample and the stop: the final sample must see it empty.
    let backlog = 1;
    let done = false;
    const seen: number[] = [];
    const sampling = sampleUntil(
      () => done,
      async () => seen.push(backlog),
      5,
    );
    await new Promise((r) => setTimeout(r, 12));
    backlog = 0;
    done = true;
    await sampling;
    expect(seen.at(-1)).toBe(0);
  });

  it('refuses to hold a platform the load sends nothing to', () => {
    // The 12 packages of seed 14 go to the portal, the media center and one WeChat account, none to Weibo.
    const small = sampleYear(generateYear(registry, 14), 12);
    expect(small.some((p) => p.targets.some((t) => t.startsWith('weibo:')))).toBe(false);
    expect(holdOutsideLoad({ platform: 'weibo', seconds: 15, after: 3 }, small)).toMatch(
      /--hold weibo: the load sends nothing to weibo.*hold one it reaches \(media_app, news_site, wechat_oa\)/,
    );
    expect(holdOutsideLoad({ platform: 'wechat_oa', seconds: 15, after: 3 }, small)).toBeNull();
    expect(holdOutsideLoad(null, small)).toBeNull();
  });

  it('reads the modes', () => {
    expect(parseOptions([])).toMatchObject({ mode: 'short', packages: 300, clients: 10 });
    expect(parseOptions(['--load', 'issue'])).toMatchObject({ mode: 'issue', packages: 100, checkout: null, cpuProfileDir: null });
    // This checkout is a valid --govpub (an A/B run against itself); --cpu-prof takes a directory.
    expect(parseOptions(['--govpub', '.', '--cpu-prof', 'profiles'])).toMatchObject({ checkout: process.cwd(), cpuProfileDir: `${process.cwd()}/profiles` });
    expect(parseOptions(['--hold', 'weibo', '--hold-seconds', '30'])).toMatchObject({ hold: { platform: 'weibo', seconds: 30, after: 30 } });
    expect(parseOptions(['--topology', '--workers', '1,2'])).toMatchObject({ topology: true, attach: null, workers: [1, 2] });
    // --topology FILE must name an existing record; any file does for the parsing.
    const record = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-options-')), 'topology.json');
    fs.writeFileSync(record, '{}');
    expect(parseOptions(['--topology', record, '--short'])).toMatchObject({
      topology: true,
      attach: record,
      mode: 'short',
    });
    expect(() => parseOptions(['--topology', 'run/topology.json', '--workers', '1,2'])).toThrow(/--workers starts topologies of its own/);
  });
});
