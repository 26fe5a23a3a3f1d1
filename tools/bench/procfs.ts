// CPU time and memory of processes from /proc (Linux): per platform component (its process
// group), per single pid, the whole machine, and this process.
import { readFileSync, readdirSync } from 'node:fs';
import { groupCpuTicks, readProcStat } from '../platform/proc.ts';

export const TICKS_PER_SECOND = 100; // USER_HZ

export type CpuSnapshot = Map<string, number>;

/** CPU ms so far of each named process group (pgid); a missing group counts 0. */
export function groupsCpuMs(groups: ReadonlyMap<string, number | null>): CpuSnapshot {
  const out: CpuSnapshot = new Map();
  for (const [name, pgid] of groups) {
    out.set(name, pgid === null ? 0 : (groupCpuTicks(pgid) * 1000) / TICKS_PER_SECOND);
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

/** Resident memory (VmRSS, MiB) of every live member of a process group. */
export function groupRssMiB(pgid: number): number {
  let kib = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (!stat || stat.pgid !== pgid || stat.state === 'Z') continue;
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'));
      if (match) kib += Number(match[1]);
    } catch {
      // exited meanwhile
    }
  }
  return kib / 1024;
}
