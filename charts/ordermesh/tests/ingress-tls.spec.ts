/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are untyped YAML; lookups are asserted by the tests */
// Issue 13, category 8: the Istio ingress Gateway serves HTTPS on 443 (tls.mode SIMPLE) with the
// key pair of a Secret in the ingress gateway's namespace — the user's `existingSecret` or one the
// chart generates (self-signed, kind/dev) — and port 80 redirects to HTTPS unless opted out; the
// hosts of both servers and of the ingress VirtualService come from `istio.ingress.hosts`.
import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { promisify } from 'node:util';
import { fakeApiServer } from './support/fake-apiserver';
import {
  CHART,
  HELM4,
  NAMESPACE,
  type Obj,
  find,
  helm,
  must,
  ofKind,
  parseManifests,
  rendered,
  templateArgs,
  values,
} from './support/chart';

function render(set: string[] = []): Obj[] {
  const r = helm(
    templateArgs(
      CHART,
      set.flatMap((s) => ['--set', s]),
    ),
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return parseManifests(r.stdout);
}

const server = (gw: Obj, port: number): any =>
  gw.spec.servers.find((s: any) => s.port.number === port);
const tlsSecrets = (objs: Obj[]): Obj[] =>
  ofKind(objs, 'Secret').filter((s) => s['type'] === 'kubernetes.io/tls');
const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
const GENERATED = `ordermesh-${NAMESPACE}-ingress-tls`;

describe('ingress TLS (defaults)', () => {
  const objs = rendered('defaults');
  const gw = must(objs, 'Gateway', 'ordermesh');
  const ingress = values().istio.ingress;

  it('serves HTTPS on 443, TLS terminated at the ingress with the generated Secret', () => {
    expect(server(gw, 443)).toEqual({
      port: { number: 443, name: 'https', protocol: 'HTTPS' },
      tls: { mode: 'SIMPLE', credentialName: GENERATED },
      hosts: ingress.hosts,
    });
  });

  it('redirects HTTP on 80 to HTTPS', () => {
    expect(server(gw, 80)).toEqual({
      port: { number: 80, name: 'http', protocol: 'HTTP' },
      hosts: ingress.hosts,
      tls: { httpsRedirect: true },
    });
  });

  it('generates a kubernetes.io/tls Secret in the ingress gateway namespace (where Istio reads credentialName)', () => {
    const [secret, ...more] = tlsSecrets(objs);
    expect(more).toEqual([]);
    expect(secret!.metadata.name).toBe(GENERATED);
    expect(secret!.metadata).toMatchObject({ namespace: ingress.namespace });
    expect(ingress.namespace).toBe('istio-ingress');
    // every other generated credential stays in the release namespace
    for (const s of ofKind(objs, 'Secret').filter((o) => o !== secret))
      expect((s.metadata as any).namespace).toBeUndefined();
  });

  it('the generated certificate is valid for localhost, and its key is its own', () => {
    const data = tlsSecrets(objs)[0]!['data'];
    const cert = new X509Certificate(decode(data['tls.crt']));
    expect(cert.subject).toBe('CN=localhost');
    expect(cert.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(cert.checkPrivateKey(createPrivateKey(decode(data['tls.key'])))).toBe(true);
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(Math.round(days)).toBe(ingress.tls.generatedValidityDays);
  });

  it('the ingress VirtualService serves the same hosts through the same Gateway', () => {
    const vs = must(objs, 'VirtualService', 'ingress');
    expect(vs.spec.gateways).toEqual(['ordermesh']);
    expect(vs.spec.hosts).toEqual(ingress.hosts);
  });
});

describe('ingress TLS (values)', () => {
  it('istio.ingress.tls.existingSecret: the Gateway presents it, and the chart generates none', () => {
    const objs = render(['istio.ingress.tls.existingSecret=shop-example-com-tls']);
    const gw = must(objs, 'Gateway', 'ordermesh');
    expect(server(gw, 443).tls).toEqual({ mode: 'SIMPLE', credentialName: 'shop-example-com-tls' });
    expect(tlsSecrets(objs)).toEqual([]);
    expect(server(gw, 80).tls).toEqual({ httpsRedirect: true });
  });

  it('istio.ingress.namespace moves the generated Secret with the ingress gateway', () => {
    const objs = render(['istio.ingress.namespace=edge']);
    expect(tlsSecrets(objs).map((s) => (s.metadata as any).namespace)).toEqual(['edge']);
  });

  it('istio.ingress.hosts: both servers and the VirtualService, and the certificate names them', () => {
    const hosts = ['shop.example.com', '*.shop.example.com'];
    const objs = render([`istio.ingress.hosts={${hosts.join(',')}}`]);
    const gw = must(objs, 'Gateway', 'ordermesh');
    expect(server(gw, 443).hosts).toEqual(hosts);
    expect(server(gw, 80).hosts).toEqual(hosts);
    expect(must(objs, 'VirtualService', 'ingress').spec.hosts).toEqual(hosts);
    const cert = new X509Certificate(decode(tlsSecrets(objs)[0]!['data']['tls.crt']));
    expect(cert.subject).toBe('CN=shop.example.com');
    expect(cert.subjectAltName).toBe(
      'DNS:shop.example.com, DNS:*.shop.example.com, DNS:localhost, IP Address:127.0.0.1',
    );
  });

  it('istio.ingress.tls.httpsRedirect=false (TLS terminated in front): port 80 serves plain HTTP, 443 stays', () => {
    const gw = must(render(['istio.ingress.tls.httpsRedirect=false']), 'Gateway', 'ordermesh');
    expect(server(gw, 80).tls).toBeUndefined();
    expect(server(gw, 443).tls.mode).toBe('SIMPLE');
  });

  it('istio.ingress.tls.enabled=false: HTTP only, no redirect, no Secret', () => {
    const objs = render(['istio.ingress.tls.enabled=false']);
    const gw = must(objs, 'Gateway', 'ordermesh');
    expect(gw.spec.servers.map((s: any) => s.port.number)).toEqual([80]);
    expect(server(gw, 80).tls).toBeUndefined();
    expect(tlsSecrets(objs)).toEqual([]);
  });

  it('without Istio there is no Gateway and no ingress Secret', () => {
    const objs = render(['istio.enabled=false']);
    expect(find(objs, 'Gateway', 'ordermesh')).toBeUndefined();
    expect(tlsSecrets(objs)).toEqual([]);
  });

  it.each([
    ['a Secret name that is no DNS name', 'istio.ingress.tls.existingSecret=Not_A_Name'],
    ['a validity of zero days', 'istio.ingress.tls.generatedValidityDays=0'],
    ['an unknown TLS key', 'istio.ingress.tls.mode=PASSTHROUGH'],
  ])('the schema refuses %s', (_what, set) => {
    const r = helm(templateArgs(CHART, ['--set', set]));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/schema|validation|additional|not allowed/i);
  });
});

describe('ingress TLS across upgrades (lookup, against a stand-in API server)', () => {
  const defaults = rendered('defaults');
  const ingressNamespace = values().istio.ingress.namespace;

  /** `helm template --dry-run=server` (lookup asks the cluster) against a fake holding `secrets`. */
  async function renderAgainst(secrets: Obj[]): Promise<{ objs: Obj[]; requests: string[] }> {
    const api = await fakeApiServer(defaults, secrets);
    try {
      const { stdout } = await promisify(execFile)(
        HELM4.bin,
        templateArgs(CHART, ['--dry-run=server', '--disable-openapi-validation']),
        { env: { ...process.env, KUBECONFIG: api.kubeconfig }, maxBuffer: 64 * 1024 * 1024 },
      );
      return { objs: parseManifests(stdout), requests: api.requests };
    } finally {
      await api.close();
    }
  }

  /** A rendered object as the release left it in the cluster (Helm's ownership annotations). */
  const installed = (o: Obj, namespace?: string): Obj => ({
    ...o,
    metadata: {
      ...o.metadata,
      ...(namespace ? { namespace } : {}),
      annotations: {
        ...o.metadata.annotations,
        'meta.helm.sh/release-name': 'ordermesh',
        'meta.helm.sh/release-namespace': NAMESPACE,
      },
    },
  });

  it('reuses the key pair already in the ingress namespace instead of generating another', async () => {
    const first = await renderAgainst([]);
    const generated = tlsSecrets(first.objs)[0]!;
    expect(first.requests).toContain(`/api/v1/namespaces/${ingressNamespace}/secrets/${GENERATED}`);

    const upgrade = await renderAgainst([installed(generated)]);
    expect(tlsSecrets(upgrade.objs)[0]!['data']).toEqual(generated['data']);
    // a render without the Secret in the cluster makes a new key pair: the test can tell
    const fresh = await renderAgainst([]);
    expect(tlsSecrets(fresh.objs)[0]!['data']['tls.key']).not.toBe(generated['data']['tls.key']);
  });

  it('does not take a Secret of that name from the release namespace', async () => {
    const elsewhere = tlsSecrets((await renderAgainst([])).objs)[0]!;
    const upgrade = await renderAgainst([installed(elsewhere, NAMESPACE)]);
    expect(tlsSecrets(upgrade.objs)[0]!['data']['tls.key']).not.toBe(elsewhere['data']['tls.key']);
  });
});
