// Process plumbing for detached components: pid files, process groups, listening ports (Linux /proc).
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PidRecord {
  pid: number;
  /** Process start time in clock ticks since boot (/proc/<pid>/stat field 22): guards against pid reuse. */
  startTicks: number;
  startedAt: string;
  command: string[];
}

export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgid: number;
  startTicks: number;
  /** CPU time used so far, user + system, in clock ticks (USER_HZ: 100 per second on Linux). */
  cpuTicks: number;
}

/** Parses /proc/<pid>/stat (the command name may contain spaces and parentheses). */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  const pid = Number(text.slice(0, text.indexOf(' ')));
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  return {
    pid,
    state: rest[0] ?? '?',
    ppid: Number(rest[1]),
    pgid: Number(rest[2]),
    startTicks: Number(rest[19]),
    cpuTicks: Number(rest[11]) + Number(rest[12]),
  };
}

export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** Alive = exists and is not a zombie (a reaped-later zombie is as good as dead for us). */
export function isAlive(pid: number): boolean {
  const st = readProcStat(pid);
  return st !== null && st.state !== 'Z' && st.state !== 'X';
}

export function readCmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

export function readCwd(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return null;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** Live processes whose process group is `pgid` (zombies too when `withZombies`). */
export function groupMembers(pgid: number, withZombies = false): number[] {
  const out: number[] = [];
  for (const pid of allPids()) {
    const st = readProcStat(pid);
    if (st && st.pgid === pgid && (withZombies || (st.state !== 'Z' && st.state !== 'X')))
      out.push(pid);
  }
  return out;
}

/** CPU time (clock ticks) used by the live members of a process group so far. */
export function groupCpuTicks(pgid: number): number {
  let ticks = 0;
  for (const pid of allPids()) {
    const st = readProcStat(pid);
    if (st && st.pgid === pgid) ticks += st.cpuTicks;
  }
  return ticks;
}

/**
 * Waits (bounded) until dead members of a group are reaped. A zombie still "exists" for kill(pid, 0),
 * so e.g. PostgreSQL refuses to start while its killed predecessor's zombie is around; when the
 * parent is init, reaping can lag behind.
 */
async function waitReaped(pgid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (groupMembers(pgid, true).length > 0 && Date.now() < deadline) await sleep(50);
}

// ---------------------------------------------------------------------------------------------
// Pid files

export function pidFile(pidsDir: string, component: string): string {
  return join(pidsDir, `${component}.pid`);
}

export function writePidRecord(file: string, rec: PidRecord): void {
  writeFileSync(file, `${JSON.stringify(rec)}\n`);
}

export function readPidRecord(file: string): PidRecord | null {
  if (!existsSync(file)) return null;
  try {
    const rec = JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
    return typeof rec.pid === 'number' ? rec : null;
  } catch {
    return null;
  }
}

/**
 * The running process group leader of a pid file, or null. A record whose pid now belongs to
 * another process (different start time) counts as not running. A leader that died while other
 * members of its group live on still counts as running (the group is what we stop).
 */
export function runningPid(file: string): number | null {
  const rec = readPidRecord(file);
  if (!rec) return null;
  const st = readProcStat(rec.pid);
  if (st && st.startTicks === rec.startTicks && st.state !== 'Z' && st.state !== 'X')
    return rec.pid;
  if (groupMembers(rec.pid).length > 0) return rec.pid;
  return null;
}

export function removePidFile(file: string): void {
  rmSync(file, { force: true });
}

// ---------------------------------------------------------------------------------------------
// Spawning and stopping

export interface SpawnSpec {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Starts a detached process in its own session/process group (pgid = pid), stdout+stderr appended
 * to `logPath`, and records it in `pidPath`. Returns the pid.
 */
export function spawnDetached(
  spec: SpawnSpec,
  logPath: string,
  pidPath: string,
  banner: string,
): number {
  const fd = openSync(logPath, 'a');
  try {
    writeSync(fd, `\n===== ${new Date().toISOString()} ordermesh: ${banner} =====\n`);
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`cannot start ${spec.command}`);
    child.on('error', () => undefined);
    child.unref();
    const st = readProcStat(pid);
    writePidRecord(pidPath, {
      pid,
      startTicks: st?.startTicks ?? 0,
      startedAt: new Date().toISOString(),
      command: [spec.command, ...spec.args],
    });
    return pid;
  } finally {
    closeSync(fd);
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

export async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (groupMembers(pgid).length === 0) return true;
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
}

/**
 * Stops a whole process group: `signal` (SIGTERM unless the component prefers another), then
 * SIGKILL after `timeoutMs`. Returns how it ended.
 */
export async function stopGroup(
  pgid: number,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<'stopped' | 'killed' | 'not-running'> {
  if (groupMembers(pgid).length === 0) return 'not-running';
  signalGroup(pgid, signal);
  if (await waitForGroupExit(pgid, timeoutMs)) {
    await waitReaped(pgid, 5000);
    return 'stopped';
  }
  signalGroup(pgid, 'SIGKILL');
  if (await waitForGroupExit(pgid, 5000)) {
    await waitReaped(pgid, 5000);
    return 'killed';
  }
  throw new Error(
    `process group ${pgid} survived SIGKILL (members: ${groupMembers(pgid).join(', ')})`,
  );
}

export async function killGroup(pgid: number): Promise<boolean> {
  if (groupMembers(pgid).length === 0) return false;
  signalGroup(pgid, 'SIGKILL');
  await waitForGroupExit(pgid, 5000);
  await waitReaped(pgid, 5000);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Listening TCP ports

export interface Listener {
  port: number;
  address: string;
  inode: number;
}

/** Parses /proc/net/tcp or tcp6 content, returning sockets in LISTEN state (st 0A). */
export function parseProcNetTcp(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10 || cols[3] !== '0A') continue;
    const [addrHex = '', portHex = ''] = (cols[1] ?? '').split(':');
    out.push({ address: addrHex, port: parseInt(portHex, 16), inode: Number(cols[9]) });
  }
  return out;
}

export function listeningSockets(): Listener[] {
  const out: Listener[] = [];
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      out.push(...parseProcNetTcp(readFileSync(f, 'utf8')));
    } catch {
      // no IPv6 table, fine
    }
  }
  return out;
}

/** Pids holding any of the socket inodes (needs permission to read other processes' fds). */
export function pidsForInodes(inodes: Set<number>): Map<number, number> {
  const found = new Map<number, number>();
  if (inodes.size === 0) return found;
  for (const pid of allPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(Number(m[1]))) found.set(Number(m[1]), pid);
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return found;
}

export interface PortHolder {
  port: number;
  pid: number | null;
  pgid: number | null;
  command: string;
  cwd: string | null;
}

/** Which of `ports` have a listening socket, and (when visible) which process holds it. */
export function portHolders(ports: readonly number[]): PortHolder[] {
  const wanted = new Set(ports);
  const listeners = listeningSockets().filter((l) => wanted.has(l.port));
  if (listeners.length === 0) return [];
  const owners = pidsForInodes(new Set(listeners.map((l) => l.inode)));
  const seen = new Set<number>();
  const out: PortHolder[] = [];
  for (const l of listeners) {
    if (seen.has(l.port)) continue;
    seen.add(l.port);
    const pid = owners.get(l.inode) ?? null;
    out.push({
      port: l.port,
      pid,
      pgid: pid === null ? null : (readProcStat(pid)?.pgid ?? null),
      command: pid === null ? '?' : readCmdline(pid).join(' '),
      cwd: pid === null ? null : readCwd(pid),
    });
  }
  return out.sort((a, b) => a.port - b.port);
}
