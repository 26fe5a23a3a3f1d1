// The cluster's network namespace: made once per `up`, removed by `down` with everything in it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { run } from '../platform/setup.ts';
import { NET } from './layout.ts';

export const NETNS_PATH = `/run/netns/${NET.namespace}`;

/** argv prefix that runs a command in the namespace without remounting /sys (cgroups stay visible). */
export function inNamespace(argv: string[]): string[] {
  return ['nsenter', `--net=${NETNS_PATH}`, '--', ...argv];
}

function ip(args: string[], inside = false): void {
  const argv = inside ? inNamespace(['ip', ...args]) : ['ip', ...args];
  run(argv[0]!, argv.slice(1), { what: `ip ${args.join(' ')}` });
}

function sysctlInside(key: string, value: string): void {
  const argv = inNamespace(['sysctl', '-qw', `${key}=${value}`]);
  run(argv[0]!, argv.slice(1), { what: `sysctl ${key}` });
}

export function namespaceExists(): boolean {
  return existsSync(NETNS_PATH);
}

/** Creates the namespace, the host link and the dead-end default route (idempotent). */
export function ensureNamespace(): void {
  if (namespaceExists()) return;
  ip(['netns', 'add', NET.namespace]);
  ip([
    'link',
    'add',
    NET.hostLink,
    'type',
    'veth',
    'peer',
    'name',
    NET.nodeLink,
    'netns',
    NET.namespace,
  ]);
  ip(['addr', 'add', `${NET.hostIp}/${NET.prefix}`, 'dev', NET.hostLink]);
  ip(['link', 'set', NET.hostLink, 'up']);
  ip(['link', 'set', 'lo', 'up'], true);
  ip(['addr', 'add', `${NET.nodeIp}/${NET.prefix}`, 'dev', NET.nodeLink], true);
  ip(['link', 'set', NET.nodeLink, 'up'], true);
  // Both ends of the dead-end pair live inside; its gateway is an address nobody has.
  ip(['link', 'add', NET.deadLink, 'type', 'veth', 'peer', 'name', NET.deadPeer], true);
  ip(['addr', 'add', `${NET.deadIp}/30`, 'dev', NET.deadLink], true);
  ip(['link', 'set', NET.deadLink, 'up'], true);
  ip(['link', 'set', NET.deadPeer, 'up'], true);
  ip(['route', 'add', 'default', 'via', NET.deadGateway, 'dev', NET.deadLink], true);
  sysctlInside('net.ipv4.ip_forward', '1');
  sysctlInside('net.bridge.bridge-nf-call-iptables', '1');
}

/** Network namespaces the CNI made for pods (containerd names them cni-<uuid>). */
export function podNamespaces(): string[] {
  if (!existsSync('/run/netns')) return [];
  return readdirSync('/run/netns').filter((n) => n.startsWith('cni-'));
}

/** Pids of processes whose network namespace is `path` (ip netns pids semantics). */
export function namespacePids(name: string): number[] {
  const r = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' });
  return String(r.stdout ?? '')
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

export function deleteNamespace(name: string = NET.namespace): void {
  if (!existsSync(`/run/netns/${name}`)) return;
  spawnSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
}
