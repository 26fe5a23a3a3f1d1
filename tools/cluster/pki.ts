// Certificates and tokens of the local cluster, made once with openssl (kept across restarts).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../platform/setup.ts';
import { NET, type Layout } from './layout.ts';

/**
 * One static token per identity. RBAC's default roles already bind the controller-manager,
 * scheduler and kube-proxy users; the kubelet is a member of system:nodes (Node authorizer).
 */
export const IDENTITIES = {
  admin: { user: 'ordermesh-admin', groups: ['system:masters'] },
  controllerManager: { user: 'system:kube-controller-manager', groups: [] },
  scheduler: { user: 'system:kube-scheduler', groups: [] },
  kubelet: { user: `system:node:${NET.nodeName}`, groups: ['system:nodes'] },
  kubeProxy: { user: 'system:kube-proxy', groups: [] },
} as const;

export type Identity = keyof typeof IDENTITIES;
export type Tokens = Record<Identity, string>;

/** The kube-apiserver `--token-auth-file`: token,user,uid,"group1,group2". */
export function tokenAuthFile(tokens: Tokens): string {
  return (Object.keys(IDENTITIES) as Identity[])
    .map((id) => {
      const { user, groups } = IDENTITIES[id];
      const g = groups.length > 0 ? `,"${groups.join(',')}"` : '';
      return `${tokens[id]},${user},${user}${g}`;
    })
    .join('\n')
    .concat('\n');
}

export const APISERVER_SANS = [
  `IP:${NET.nodeIp}`,
  `IP:${NET.apiServiceIp}`,
  'IP:127.0.0.1',
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  `DNS:kubernetes.default.svc.${NET.clusterDomain}`,
];

function openssl(args: string[], what: string): void {
  run('openssl', args, { what });
}

function signed(l: Layout, name: string, subject: string, ext: string): void {
  const key = join(l.pki, `${name}.key`);
  const csr = join(l.pki, `${name}.csr`);
  const extFile = join(l.pki, `${name}.ext`);
  writeFileSync(extFile, ext);
  openssl(['genrsa', '-out', key, '2048'], `key of ${name}`);
  openssl(['req', '-new', '-key', key, '-subj', subject, '-out', csr], `request of ${name}`);
  openssl(
    ['x509', '-req', '-in', csr, '-CA', join(l.pki, 'ca.crt'), '-CAkey', join(l.pki, 'ca.key')]
      .concat(['-CAcreateserial', '-days', '365', '-extfile', extFile, '-out'])
      .concat([join(l.pki, `${name}.crt`)]),
    `certificate of ${name}`,
  );
}

/** Creates the CA, the apiserver's serving, kubelet-client and front-proxy certificates, the service-account key pair and the tokens. */
export function ensurePki(l: Layout): Tokens {
  mkdirSync(l.pki, { recursive: true, mode: 0o700 });
  const tokensFile = join(l.pki, 'tokens.json');
  if (!existsSync(join(l.pki, 'ca.crt'))) {
    openssl(['genrsa', '-out', join(l.pki, 'ca.key'), '2048'], 'cluster CA key');
    openssl(
      [
        'req',
        '-x509',
        '-new',
        '-key',
        join(l.pki, 'ca.key'),
        '-subj',
        '/CN=ordermesh-local-ca',
      ].concat(['-days', '365', '-out', join(l.pki, 'ca.crt')]),
      'cluster CA',
    );
  }
  if (!existsSync(join(l.pki, 'apiserver.crt')))
    signed(
      l,
      'apiserver',
      '/CN=kube-apiserver',
      `subjectAltName=${APISERVER_SANS.join(',')}\nextendedKeyUsage=serverAuth\n`,
    );
  if (!existsSync(join(l.pki, 'apiserver-kubelet-client.crt')))
    signed(
      l,
      'apiserver-kubelet-client',
      '/CN=kube-apiserver-kubelet-client',
      'extendedKeyUsage=clientAuth\n',
    );
  // The aggregation layer (metrics-server): the apiserver proxies to it with this certificate,
  // which the extension server trusts by its CN only (--requestheader-allowed-names).
  if (!existsSync(join(l.pki, 'front-proxy-client.crt')))
    signed(l, 'front-proxy-client', '/CN=front-proxy-client', 'extendedKeyUsage=clientAuth\n');
  if (!existsSync(join(l.pki, 'sa.key'))) {
    openssl(['genrsa', '-out', join(l.pki, 'sa.key'), '2048'], 'service-account key');
    openssl(
      ['rsa', '-in', join(l.pki, 'sa.key'), '-pubout', '-out', join(l.pki, 'sa.pub')],
      'service-account public key',
    );
  }
  if (!existsSync(tokensFile)) {
    const tokens = Object.fromEntries(
      (Object.keys(IDENTITIES) as Identity[]).map((id) => [id, randomBytes(24).toString('hex')]),
    ) as Tokens;
    writeFileSync(tokensFile, JSON.stringify(tokens, null, 2), { mode: 0o600 });
  }
  const tokens = JSON.parse(readFileSync(tokensFile, 'utf8')) as Tokens;
  writeFileSync(join(l.pki, 'tokens.csv'), tokenAuthFile(tokens), { mode: 0o600 });
  return tokens;
}
