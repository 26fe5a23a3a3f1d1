// kubectl/helm against the local cluster, and a readiness probe of its apiserver.
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, type RunResult } from '../platform/setup.ts';
import { NET, type Layout } from './layout.ts';

export function kubectlPath(l: Layout): string {
  return join(l.repo, '.ordermesh', 'tools', 'bin', 'kubectl');
}

export function helmPath(l: Layout): string {
  return join(l.repo, '.ordermesh', 'tools', 'bin', 'helm');
}

export function kubectl(l: Layout, args: string[], input?: string): RunResult {
  return run(kubectlPath(l), ['--kubeconfig', l.kubeconfig, ...args], {
    what: `kubectl ${args.slice(0, 3).join(' ')}`,
    ...(input === undefined ? {} : { input }),
  });
}

/** GET on the apiserver with a token; resolves the status code (0 when unreachable). */
export function apiGet(l: Layout, path: string, token: string, timeoutMs = 2000): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: NET.nodeIp,
        port: NET.apiPort,
        path,
        method: 'GET',
        ca: readFileSync(join(l.pki, 'ca.crt')),
        headers: { authorization: `Bearer ${token}` },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}
