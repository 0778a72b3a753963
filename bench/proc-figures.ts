/** Process figures from /proc (Linux): peak memory of a process, its children, and CPU seconds by node / Temporal / PostgreSQL over a phase. */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

const CLK_TCK = 100;

export function procStatus(pid: number | 'self', field: string): number | null {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** pid, command and parent of every process we can read. */
export interface Proc {
  pid: number;
  comm: string;
  ppid: number;
  /** utime + stime + cutime + cstime, seconds. */
  cpuSec: number;
  /** cutime + cstime alone: what its reaped children used. */
  reapedSec: number;
}

/** One process's /proc/<pid>/stat, read (throws when it is gone). */
export function processStat(pid: number | 'self'): Proc {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces and parentheses: the fields after it start past its last ')'.
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const f = stat.slice(close + 2).split(' ');
  // utime + stime, plus cutime + cstime: what the process's reaped children used (PostgreSQL's
  // postmaster reaps its backends, so closed connections still count).
  const reaped = (Number(f[13]) + Number(f[14])) / CLK_TCK;
  return {
    pid: Number(stat.slice(0, stat.indexOf(' '))),
    comm,
    ppid: Number(f[1]),
    cpuSec: (Number(f[11]) + Number(f[12])) / CLK_TCK + reaped,
    reapedSec: reaped,
  };
}

export function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      out.push(processStat(Number(name)));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** Descendants of this process (the Temporal dev server). */
export function childPids(all: Proc[] = processes()): Proc[] {
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) if (!mine.has(p.pid) && mine.has(p.ppid)) (mine.add(p.pid), (grew = true));
  }
  return all.filter((p) => p.pid !== process.pid && mine.has(p.pid));
}

export interface CpuSnapshot {
  at: number;
  node: number;
  temporal: number;
  /** ffmpeg and other short-lived children (reaped: this process's cutime + cstime), and live ones. */
  tools: number;
  postgres: number;
  machineBusy: number;
  machineTotal: number;
}

export function cpuSnapshot(): CpuSnapshot {
  const usage = process.cpuUsage();
  const all = processes();
  const children = childPids(all);
  const own = all.find((p) => p.pid === process.pid)?.reapedSec ?? 0;
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const total = ticks.reduce((a, b) => a + (b || 0), 0);
  return {
    at: Date.now(),
    node: (usage.user + usage.system) / 1e6,
    temporal: children.filter((p) => p.comm === 'temporal').reduce((a, p) => a + p.cpuSec, 0),
    tools: own + children.filter((p) => p.comm !== 'temporal').reduce((a, p) => a + p.cpuSec, 0),
    postgres: all.filter((p) => p.comm === 'postgres' || p.comm.startsWith('postgres:')).reduce((a, p) => a + p.cpuSec, 0),
    machineBusy: (total - idle) / CLK_TCK,
    machineTotal: total / CLK_TCK,
  };
}

export function cpuLine(tag: string, a: CpuSnapshot, b: CpuSnapshot): string {
  const wall = (b.at - a.at) / 1000;
  const busy = ((b.machineBusy - a.machineBusy) / Math.max(1e-9, b.machineTotal - a.machineTotal)) * 100;
  const ours = b.node - a.node + (b.temporal - a.temporal) + Math.max(0, b.tools - a.tools) + Math.max(0, b.postgres - a.postgres);
  const others = Math.max(0, b.machineBusy - a.machineBusy - ours);
  return `[${tag}] CPU over ${wall.toFixed(1)} s: node (workers+simulators+adapters) ${(b.node - a.node).toFixed(1)} s, Temporal dev server ${(b.temporal - a.temporal).toFixed(1)} s, ffmpeg/other children ${Math.max(0, b.tools - a.tools).toFixed(1)} s, PostgreSQL (all databases) ${Math.max(0, b.postgres - a.postgres).toFixed(1)} s, other processes ${others.toFixed(1)} s; machine ${busy.toFixed(0)}% busy of ${os.availableParallelism()} cores`;
}
