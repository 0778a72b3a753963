/**
 * The content gate's speed: a wording list of 10,000 entries compiled into its Aho–Corasick
 * automaton, and one 100,000-character document scanned for wording and personal data.
 * Prints the figures (median of RUNS scans); `npm run bench:gate`.
 */
import { compileWording, type WordingEntry } from '../domain/content-gate/wording.js';
import { findPersonalData, idCheckCharacter } from '../domain/content-gate/personal-data.js';
import { scanText } from '../domain/content-gate/scan.js';

const ENTRIES = 10_000;
const CHARS = 100_000;
const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time<T>(work: () => T): { ms: number; value: T } {
  const t = performance.now();
  const value = work();
  return { ms: performance.now() - t, value };
}

const entries: WordingEntry[] = [];
for (let i = 0; i < ENTRIES; i += 1) {
  const id = i.toString(36);
  entries.push({
    kind: i % 10 === 0 ? 'blocked' : 'wrong',
    wrong: `错${id}词`,
    ...(i % 10 === 0 ? {} : { right: `正${id}词` }),
    level: i % 3 ? 'blocking' : 'warning',
  });
}
const paragraph = '为深入贯彻落实国家和省市优化营商环境决策部署，结合我区实际，制定以下措施。联系电话：029-87654321。碑政发〔2026〕12号。';
const id = '61010319900307002' + idCheckCharacter('61010319900307002');
let text = '';
let planted = 0;
while (text.length < CHARS) {
  text += paragraph;
  if (planted < 100) {
    text += `${entries[planted * 97]!.wrong}，${planted % 2 ? `身份证号${id}` : '手机13812345678'}\n`;
    planted += 1;
  } else text += `正${(planted++ % ENTRIES).toString(36)}词\n`;
}
text = text.slice(0, CHARS);

const memBefore = process.memoryUsage().heapUsed;
const compiled = time(() => compileWording(entries));
const matcher = compiled.value;
const memAfter = process.memoryUsage().heapUsed;

const wordingRuns: number[] = [];
const personalRuns: number[] = [];
const fullRuns: number[] = [];
let found = { wording: 0, personal: 0 };
for (let r = 0; r < RUNS; r += 1) {
  const w = time(() => matcher.find(text));
  const p = time(() => findPersonalData(text));
  const f = time(() => scanText({ field: '/document/body', text }, matcher));
  wordingRuns.push(w.ms);
  personalRuns.push(p.ms);
  fullRuns.push(f.ms);
  found = { wording: w.value.length, personal: p.value.length };
}

console.log(`content gate bench (Node ${process.version})`);
console.log(`  wording list: ${ENTRIES} entries, compiled in ${compiled.ms.toFixed(0)} ms (heap +${((memAfter - memBefore) / 1024 / 1024).toFixed(1)} MB)`);
console.log(`  document: ${text.length} characters, ${found.wording} wording matches, ${found.personal} personal-data matches`);
console.log(`  wording scan:        median ${median(wordingRuns).toFixed(1)} ms over ${RUNS} runs`);
console.log(`  personal-data scan:  median ${median(personalRuns).toFixed(1)} ms`);
console.log(`  full scan (both, places and masked excerpts): median ${median(fullRuns).toFixed(1)} ms`);
