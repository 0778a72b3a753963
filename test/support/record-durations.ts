/**
 * Writes test/support/file-durations.json (each test file's seconds in a full run) from Vitest's JSON
 * report, for the sequencer's longest-first order. Usage: npx tsx test/support/record-durations.ts REPORT.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DURATIONS_FILE } from './sequencer.js';

interface VitestJsonReport {
  startTime: number;
  testResults: { name: string; startTime: number; endTime: number }[];
}

const reportPath = process.argv[2];
if (!reportPath) {
  console.error('usage: npx tsx test/support/record-durations.ts REPORT.json (a full run of `vitest run --reporter=json`)');
  process.exit(2);
}
const report = JSON.parse(readFileSync(reportPath, 'utf8')) as VitestJsonReport;
const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const seconds: Record<string, number> = {};
for (const file of report.testResults) {
  // Paths from wherever the run was (a fresh clone elsewhere): keep the part from test/ on.
  const at = file.name.lastIndexOf('/test/');
  const name = at === -1 ? relative(root, file.name) : file.name.slice(at + 1);
  seconds[name] = Math.max(1, Math.round((file.endTime - file.startTime) / 1000));
}
const sorted = Object.fromEntries(Object.entries(seconds).sort(([a], [b]) => a.localeCompare(b)));
const total = Object.values(seconds).reduce((sum, s) => sum + s, 0);
writeFileSync(
  DURATIONS_FILE,
  `${JSON.stringify({ recorded: new Date(report.startTime).toISOString().slice(0, 10), machine: '2 cores, CI=true, two files at a time', seconds: sorted }, null, 2)}\n`,
);
console.log(`${Object.keys(seconds).length} files, ${total} s of file time, written to ${relative(root, DURATIONS_FILE)}`);
