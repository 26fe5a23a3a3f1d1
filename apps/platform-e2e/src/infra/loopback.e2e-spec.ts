import { readFileSync } from 'node:fs';
import { ordermeshJson } from '@ordermesh/testing';

/**
 * Nothing of the local platform is on the network (issue 13, category 8): every port of every
 * component — the services' HTTP, gRPC and management ports and the infrastructure's — is bound
 * to loopback only, read from the kernel's table of listening sockets (/proc/net/tcp, tcp6).
 */

/** Listening sockets by port: their local addresses, as the kernel lists them. */
function listening(): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] !== '0A') continue; // TCP_LISTEN
      const [address, portHex] = fields[1]!.split(':') as [string, string];
      const port = parseInt(portHex, 16);
      out.set(port, [...(out.get(port) ?? []), address]);
    }
  }
  return out;
}

/** 127.0.0.0/8, ::1 or ::ffff:127.x.x.x, in /proc's little-endian hex. */
function isLoopback(hex: string): boolean {
  if (hex.length === 8) return hex.endsWith('7F');
  if (hex === '00000000000000000000000001000000') return true; // ::1
  return hex.startsWith('0000000000000000FFFF0000') && hex.endsWith('7F');
}

describe('the local platform binds loopback only', () => {
  it('every port of every component', async () => {
    const rows =
      await ordermeshJson<{ component: string; ports: Record<string, number> }[]>('status');
    const sockets = listening();
    const checked: string[] = [];
    const exposed: string[] = [];
    for (const { component, ports } of rows) {
      for (const [name, port] of Object.entries(ports)) {
        const addresses = sockets.get(port) ?? [];
        if (addresses.length === 0) continue; // not listening (e.g. a port used only outbound)
        checked.push(`${component}.${name}`);
        for (const address of addresses.filter((a) => !isLoopback(a))) {
          exposed.push(`${component}.${name} (${port}) on ${address}`);
        }
      }
    }
    expect(exposed).toEqual([]);
    // The services' servers were among them: gRPC, HTTP and the gateway's management port.
    expect(checked).toEqual(
      expect.arrayContaining(['order.grpc', 'order.http', 'gateway.http', 'gateway.management']),
    );
  });
});
