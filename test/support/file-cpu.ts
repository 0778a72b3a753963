/**
 * With VITEST_FILE_CPU_LOG=<file> (not GOVPUB_: govpub warns of a GOVPUB_ name it does not know), each test file appends a line: its path, wall seconds and the CPU
 * seconds its fork spent on it, children included (the govpub processes, dev servers and browsers it
 * started and waited for). Not the shared Temporal server or PostgreSQL. For choosing which files
 * to make cheaper from a figure: CI's time is CPU on two cores, and a file's wall hides what it waits.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { processStat } from '../../bench/proc-figures.js';

const logFile = process.env.VITEST_FILE_CPU_LOG;

/** This fork's CPU seconds, its reaped children's included. */
const cpuSeconds = () => processStat('self').cpuSec;

if (logFile) {
  let cpuAtStart = 0;
  let wallAtStart = 0;
  let file = '';
  beforeAll(() => {
    file = path.relative(process.cwd(), expect.getState().testPath ?? '(unknown file)');
    cpuAtStart = cpuSeconds();
    wallAtStart = performance.now();
  });
  afterAll(() => {
    const wall = (performance.now() - wallAtStart) / 1000;
    fs.appendFileSync(logFile, `${file}\t${wall.toFixed(1)}\t${(cpuSeconds() - cpuAtStart).toFixed(1)}\n`);
  });
}
