import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import {
  groupMembers,
  parseProcNetTcp,
  parseProcStat,
  pidFile,
  runningPid,
  spawnDetached,
  stopGroup,
} from '../proc.ts';
import { loadSecrets, newKafkaClusterId, paths, randomToken } from '../state.ts';

describe('/proc parsing', () => {
  it('parses a stat line whose command contains spaces and parentheses', () => {
    const line =
      '4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 1 0 0 0 731 42 0 0 20 0 1 0 123456 1000 10 18446744073709551615';
    const st = parseProcStat(line);
    assert.deepEqual(st, {
      pid: 4242,
      state: 'S',
      ppid: 1,
      pgid: 4242,
      startTicks: 123456,
      cpuTicks: 731 + 42,
    });
  });

  it('finds LISTEN sockets in /proc/net/tcp', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:4A4A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:9C4E 0100007F:4A4A 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0000000000000000 20 4 30 10 -1',
    ].join('\n');
    assert.deepEqual(parseProcNetTcp(text), [{ address: '0100007F', port: 0x4a4a, inode: 111 }]);
  });
});

describe('detached process groups', () => {
  it('starts a detached group, records it, and stops the whole group', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ordermesh-proc-'));
    try {
      const pf = pidFile(dir, 'sleeper');
      // A parent shell with a child: both must go.
      const pid = spawnDetached(
        {
          command: 'sh',
          args: ['-c', 'sleep 30 & wait'],
          cwd: dir,
          env: { PATH: process.env.PATH ?? '' },
        },
        join(dir, 'sleeper.log'),
        pf,
        'test',
      );
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(runningPid(pf), pid);
      assert.ok(groupMembers(pid).length >= 2, 'shell and sleep in one group');
      assert.match(readFileSync(join(dir, 'sleeper.log'), 'utf8'), /ordermesh: test/);
      assert.equal(await stopGroup(pid, 'SIGTERM', 5000), 'stopped');
      assert.equal(groupMembers(pid).length, 0);
      assert.equal(runningPid(pf), null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('escalates to SIGKILL when the group ignores the stop signal', async () => {
    const child = spawn('sh', ['-c', "trap '' TERM; sleep 30 & wait; sleep 30"], {
      detached: true,
      stdio: 'ignore',
    });
    child.unref();
    const pid = child.pid ?? assert.fail('no pid');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await stopGroup(pid, 'SIGTERM', 500), 'killed');
    assert.equal(groupMembers(pid).length, 0);
  });
});

describe('state', () => {
  it('generates secrets once, stored with mode 600', () => {
    const repo = mkdtempSync(join(tmpdir(), 'ordermesh-state-'));
    try {
      const p = paths('test', repo);
      const a = loadSecrets(p);
      const b = loadSecrets(p);
      assert.deepEqual(a, b);
      assert.equal(a.jwtSecret.length, 48);
      assert.equal(
        Object.keys(a.servicePasswords).sort().join(','),
        'inventory,order,payment,pricing,shipping,user',
      );
      assert.equal(statSync(p.secretsFile).mode & 0o777, 0o600);
      assert.ok(p.state.endsWith('.ordermesh/run/test'));
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it("removes an earlier clone's database folder when it generates a new superuser password", () => {
    const repo = mkdtempSync(join(tmpdir(), 'ordermesh-state-'));
    const shared = mkdtempSync(join(tmpdir(), 'ordermesh-shared-'));
    const before = process.env.ORDERMESH_SHARED_DIR;
    process.env.ORDERMESH_SHARED_DIR = shared;
    try {
      const p = paths('test', repo);
      const leftover = join(p.sharedState, 'pgdata', 'PG_VERSION');
      mkdirSync(dirname(leftover), { recursive: true });
      writeFileSync(leftover, '18\n');
      loadSecrets(p); // a fresh clone: new secrets, so the old data can never be opened
      assert.equal(existsSync(p.sharedState), false);
      mkdirSync(dirname(leftover), { recursive: true });
      writeFileSync(leftover, '18\n');
      loadSecrets(p); // its own data from now on: kept
      assert.equal(existsSync(leftover), true);
    } finally {
      if (before === undefined) delete process.env.ORDERMESH_SHARED_DIR;
      else process.env.ORDERMESH_SHARED_DIR = before;
      rmSync(repo, { recursive: true, force: true });
      rmSync(shared, { recursive: true, force: true });
    }
  });

  it('makes URL-safe random tokens and Kafka cluster ids', () => {
    assert.match(randomToken(40), /^[A-Za-z0-9]{40}$/);
    assert.notEqual(randomToken(20), randomToken(20));
    assert.match(newKafkaClusterId(), /^[A-Za-z0-9_-]{22}$/);
  });
});
