// CPU time and memory of processes from /proc (Linux): per platform component (its process
// group), per single pid, the whole machine, and this process.
import { readFileSync, readdirSync } from 'node:fs';
import { readProcStat } from '../platform/proc.ts';

export const TICKS_PER_SECOND = 100; // USER_HZ

export type CpuSnapshot = Map<string, number>;

export interface ProcRow {
  pid: number;
  ppid: number;
  pgid: number;
  /** utime + stime + cutime + cstime: its own CPU and that of the children it has reaped. */
  ticks: number;
}

function readProcs(): ProcRow[] {
  const rows: ProcRow[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
      // rest[N - 3] is field N of proc(5): 4 ppid, 5 pgrp, 14 utime, 15 stime, 16 cutime, 17 cstime
      rows.push({
        pid: Number(entry),
        ppid: Number(rest[1]),
        pgid: Number(rest[2]),
        ticks: Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]),
      });
    } catch {
      // exited meanwhile
    }
  }
  return rows;
}

/**
 * The pids of a component: its process group and every descendant of its leader. PostgreSQL's
 * backends leave the postmaster's group (each its own session), so the group alone misses them.
 */
export function treeOf(rows: readonly ProcRow[], root: number): ProcRow[] {
  const children = new Map<number, ProcRow[]>();
  for (const row of rows) children.set(row.ppid, [...(children.get(row.ppid) ?? []), row]);
  const found = new Map<number, ProcRow>();
  for (const row of rows) if (row.pgid === root || row.pid === root) found.set(row.pid, row);
  const queue = [...found.values()];
  while (queue.length) {
    for (const child of children.get(queue.pop()!.pid) ?? []) {
      if (!found.has(child.pid)) {
        found.set(child.pid, child);
        queue.push(child);
      }
    }
  }
  return [...found.values()];
}

/**
 * CPU ms so far of each named component (its group and process tree, reaped children included);
 * a missing one counts 0.
 */
export function groupsCpuMs(groups: ReadonlyMap<string, number | null>): CpuSnapshot {
  const rows = readProcs();
  const out: CpuSnapshot = new Map();
  for (const [name, root] of groups) {
    const ticks = root === null ? 0 : treeOf(rows, root).reduce((sum, row) => sum + row.ticks, 0);
    out.set(name, (ticks * 1000) / TICKS_PER_SECOND);
  }
  return out;
}

/** CPU ms so far of one process (not its group). */
export function pidCpuMs(pid: number): number {
  const stat = readProcStat(pid);
  return stat === null ? 0 : (stat.cpuTicks * 1000) / TICKS_PER_SECOND;
}

export function diff(after: CpuSnapshot, before: CpuSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, ms] of after) out[name] = ms - (before.get(name) ?? 0);
  return out;
}

/** Busy CPU ms of the whole machine so far (/proc/stat: every state but idle and iowait). */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest is inside user)
  const busy = fields
    .slice(0, 8)
    .reduce((sum, value, i) => (i === 3 || i === 4 ? sum : sum + (value || 0)), 0);
  return (busy * 1000) / TICKS_PER_SECOND;
}

/** This process's CPU ms so far (user + system). */
export function selfCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/**
 * Resident memory (VmRSS, MiB) summed over a component's processes (group and tree; PostgreSQL's
 * shared buffers count once per backend that touched them, so its figure is an upper bound).
 */
export function groupRssMiB(root: number): number {
  let kib = 0;
  for (const row of treeOf(readProcs(), root)) {
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${row.pid}/status`, 'utf8'));
      if (match) kib += Number(match[1]);
    } catch {
      // exited meanwhile
    }
  }
  return kib / 1024;
}
