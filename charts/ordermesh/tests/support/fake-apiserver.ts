// A stand-in Kubernetes API server for `helm template --dry-run=server`, so the chart's `lookup`
// calls (generated credentials kept across upgrades) can be tested without a cluster: it answers
// discovery for the kinds a render holds and GETs of the Secrets it is given, 404 for anything
// else, and records the paths it was asked for.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Obj } from './chart';

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);
const plural = (kind: string) =>
  kind
    .toLowerCase()
    .replace(/y$/, 'ie')
    .replace(/(s|ch|sh|x)$/, '$1e') + 's';

export interface FakeApiServer {
  kubeconfig: string;
  /** GET paths asked for (query strings removed) */
  requests: string[];
  close(): Promise<void>;
}

/**
 * `kinds`: objects whose apiVersion/kind discovery must know (a render of the chart);
 * `secrets`: the Secrets "in the cluster", each with metadata.namespace.
 */
export async function fakeApiServer(kinds: Obj[], secrets: Obj[]): Promise<FakeApiServer> {
  const groups = new Map<string, Map<string, Set<string>>>(); // group -> version -> kinds
  for (const o of [...kinds, { apiVersion: 'v1', kind: 'Secret' } as Obj]) {
    const [group, version] = o.apiVersion.includes('/')
      ? o.apiVersion.split('/')
      : ['', o.apiVersion];
    const versions = groups.get(group!) ?? new Map<string, Set<string>>();
    versions.set(version!, (versions.get(version!) ?? new Set()).add(o.kind));
    groups.set(group!, versions);
  }
  const resources = (group: string, version: string) => ({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: [...(groups.get(group)?.get(version) ?? [])].map((kind) => ({
      name: plural(kind),
      singularName: kind.toLowerCase(),
      namespaced: !CLUSTER_SCOPED.has(kind),
      kind,
      verbs: ['get', 'list'],
    })),
  });
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '').split('?')[0]!;
    requests.push(url);
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url === '/version') return json(200, { major: '1', minor: '33', gitVersion: 'v1.33.0' });
    if (url === '/api') return json(200, { kind: 'APIVersions', versions: ['v1'] });
    if (url === '/api/v1') return json(200, resources('', 'v1'));
    if (url === '/apis') {
      return json(200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [...groups]
          .filter(([group]) => group)
          .map(([name, versions]) => {
            const all = [...versions.keys()].map((v) => ({
              groupVersion: `${name}/${v}`,
              version: v,
            }));
            return { name, versions: all, preferredVersion: all[0] };
          }),
      });
    }
    const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(url);
    if (gv) return json(200, resources(gv[1]!, gv[2]!));
    const secret = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(url);
    const found =
      secret &&
      secrets.find(
        (s) =>
          s.metadata.name === secret[2] &&
          (s.metadata as { namespace?: string }).namespace === secret[1],
      );
    if (found) return json(200, found);
    return json(404, {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ordermesh-fake-apiserver-'));
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: `http://127.0.0.1:${port}` } }],
      users: [{ name: 'fake', user: { token: 'fake' } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
      'current-context': 'fake',
    }),
  );
  return {
    kubeconfig,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        rmSync(dir, { recursive: true, force: true });
        server.close(() => resolve());
      }),
  };
}
