/**
 * Where a process's CPU went, from a V8 CPU profile (`node --cpu-prof`, or `npm run bench:year --
 * --cpu-prof DIR`). Run: `npx tsx bench/cpu-profile-summary.ts FILE.cpuprofile [--top N]`
 *
 * Prints self time by area (govpub's own folders, each npm package, Node's internals, idle and
 * garbage collection), then the functions with the most self time, and the govpub functions with
 * the most total time (self + what they call), which names the step worth shortening.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT_DIR } from '../config/settings.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/**
 * A frame's file as the source tree names it: `govpub start` runs the compiled copy under
 * node_modules/.cache/govpub/js/<state>/ (bin/compiled-sources.mjs), which is govpub's own code.
 */
function sourcePath(url: string): string {
  const file = url.replace(/^file:\/\//, '');
  const compiled = /\/node_modules\/\.cache\/govpub\/js\/[^/]+\//.exec(file);
  return compiled ? path.join(ROOT_DIR, file.slice(compiled.index + compiled[0].length)) : file;
}

/** The area a frame belongs to: `govpub:<folder>`, `npm:<package>`, `node`, or V8's own (idle, GC, program). */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node';
  const file = sourcePath(url);
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + '/node_modules/'.length).split('/');
    return `npm:${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (file.startsWith(ROOT_DIR)) return `govpub:${path.relative(ROOT_DIR, file).split(path.sep)[0]}`;
  return 'other';
}

export function summarize(profile: Profile, top: number): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const area = new Map<string, number>();
  const fnSelf = new Map<string, number>();
  const fnTotal = new Map<string, number>();
  const label = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url ? `${path.relative(ROOT_DIR, sourcePath(n.callFrame.url))}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const a = areaOf(n.callFrame.url, n.callFrame.functionName);
    area.set(a, (area.get(a) ?? 0) + us);
    fnSelf.set(label(n), (fnSelf.get(label(n)) ?? 0) + us);
    // Total time of govpub's frames: each sample counts once per distinct govpub function on its stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!;
      if (!areaOf(frame.callFrame.url, frame.callFrame.functionName).startsWith('govpub:')) continue;
      const l = label(frame);
      if (seen.has(l)) continue;
      seen.add(l);
      fnTotal.set(l, (fnTotal.get(l) ?? 0) + us);
    }
  }
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const pct = (us: number) => `${((100 * us) / totalUs).toFixed(1).padStart(5)} %`;
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  const lines = [`profile: ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s of wall time, ${(totalUs / 1e6).toFixed(1)} s sampled`];
  lines.push('self time by area:');
  for (const [a, us] of sorted(area).slice(0, top)) lines.push(`  ${ms(us)} ${pct(us)}  ${a}`);
  lines.push(`functions by self time (top ${top}):`);
  for (const [f, us] of sorted(fnSelf).slice(0, top)) lines.push(`  ${ms(us)} ${pct(us)}  ${f}`);
  lines.push(`govpub functions by total time (top ${top}):`);
  for (const [f, us] of sorted(fnTotal).slice(0, top)) lines.push(`  ${ms(us)} ${pct(us)}  ${f}`);
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
  const files = args
    .flatMap((a) => (fs.statSync(a).isDirectory() ? fs.readdirSync(a).map((f) => path.join(a, f)) : [a]))
    .filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0 || !Number.isInteger(top) || top < 1) {
    console.error('usage: npx tsx bench/cpu-profile-summary.ts FILE.cpuprofile|DIR … [--top N]');
    process.exit(2);
  }
  for (const file of files) {
    console.log(`== ${file}`);
    for (const line of summarize(JSON.parse(fs.readFileSync(file, 'utf8')) as Profile, top)) console.log(line);
  }
}
