// Builds (and caches) every binary and system image of the local cluster from its Go module or Debian
// package: Kubernetes, CoreDNS, local-path-provisioner, the pause container, busybox for volume helpers.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  aptInstall,
  requireGo,
  run,
  runStreaming,
  sha256Files,
  stampMatches,
  which,
  writeStamp,
} from '../platform/setup.ts';
import { PAUSE_IMAGE } from './configs.ts';
import { type Layout, type Versions } from './layout.ts';

/** Debian packages the cluster runs on (apt never starts their daemons: see aptInstall). */
export const DEBIAN_PACKAGES = [
  'etcd-server',
  'etcd-client',
  'containerd',
  'runc',
  'iptables',
  'conntrack',
  'containernetworking-plugins',
  'buildah',
  'busybox-static',
  'socat',
  'iproute2',
  'util-linux',
  'openssl',
  'gcc',
  'libc6-dev',
];
const COMMAND_OF: Record<string, string> = {
  'etcd-server': 'etcd',
  'etcd-client': 'etcdctl',
  containernetworking: '/usr/lib/cni/bridge',
};

export function ensureDebianPackages(): void {
  const missing = DEBIAN_PACKAGES.filter((p) => {
    if (p === 'containernetworking-plugins') return !existsSync('/usr/lib/cni/bridge');
    if (p === 'busybox-static') return !existsSync('/bin/busybox');
    if (p === 'util-linux') return !which('nsenter');
    if (p === 'iproute2') return !which('ip');
    if (p === 'libc6-dev') return !existsSync('/usr/lib/x86_64-linux-gnu/libc.a');
    return !which(COMMAND_OF[p] ?? p);
  });
  aptInstall(missing, 'the local Kubernetes cluster');
}

export const KUBE_COMMANDS = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kube-proxy',
] as const;

function goModuleDir(l: Layout, name: string): string {
  return join(l.repo, 'k8s', 'local', 'go', name);
}

function goEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, GOFLAGS: '-buildvcs=false -mod=readonly', ...extra };
}

/** `-X` flags the Kubernetes release build sets; without them the apiserver says v0.0.0-master. */
export function kubeLdflags(version: string): string {
  const m = /^v(\d+)\.(\d+)\.\d+$/.exec(version);
  if (!m) throw new Error(`KUBERNETES_VERSION must be vX.Y.Z, is ${version}`);
  const x = (k: string, v: string): string => `-X ${k}=${v}`;
  return [
    '-s -w',
    x('k8s.io/component-base/version.gitVersion', version),
    x('k8s.io/component-base/version.gitMajor', m[1]!),
    x('k8s.io/component-base/version.gitMinor', m[2]!),
    x('k8s.io/component-base/version.gitTreeState', 'clean'),
    x('k8s.io/client-go/pkg/version.gitVersion', version),
  ].join(' ');
}

function goBinaries(
  l: Layout,
  opts: {
    module: string;
    pkgs: string[];
    outs: string[];
    version: string;
    ldflags: string;
    cgo: boolean;
  },
): void {
  const dir = goModuleDir(l, opts.module);
  const key = sha256Files(
    [join(dir, 'go.mod'), join(dir, 'go.sum')],
    `${opts.version} ${opts.ldflags} ${opts.cgo}`,
  );
  const outs = opts.outs.map((o) => join(l.bin, o));
  if (outs.every((o) => existsSync(o)) && stampMatches(l, opts.module, key)) return;
  requireGo(`building ${opts.module}`);
  mkdirSync(l.bin, { recursive: true });
  const started = Date.now();
  process.stderr.write(
    `cluster: building ${opts.outs.join(', ')} ${opts.version} (cold: minutes; cached afterwards)\n`,
  );
  runStreaming(
    'nice',
    [
      '-n',
      '5',
      'go',
      'build',
      '-trimpath',
      `-ldflags=${opts.ldflags}`,
      '-o',
      `${l.bin}/`,
      ...opts.pkgs,
    ],
    { what: `go build ${opts.module}`, cwd: dir, env: goEnv(opts.cgo ? {} : { CGO_ENABLED: '0' }) },
  );
  for (const o of outs)
    if (!existsSync(o)) throw new Error(`go build ${opts.module}: ${o} missing`);
  writeStamp(l, opts.module, key, { seconds: Math.round((Date.now() - started) / 1000) });
}

/** The module's own version must be the one k8s/versions.env pins. */
export function requiredVersion(goMod: string, module: string): string | null {
  const re = new RegExp(`^\\s*(?:require\\s+)?${module.replace(/[.]/g, '\\.')} (v[^\\s]+)`, 'm');
  return re.exec(goMod)?.[1] ?? null;
}

export function buildBinaries(l: Layout, v: Versions): void {
  goBinaries(l, {
    module: 'kubernetes',
    pkgs: KUBE_COMMANDS.map((c) => `k8s.io/kubernetes/cmd/${c}`),
    outs: [...KUBE_COMMANDS],
    version: v.kubernetes,
    ldflags: kubeLdflags(v.kubernetes),
    cgo: true,
  });
  goBinaries(l, {
    module: 'coredns',
    pkgs: ['github.com/coredns/coredns'],
    outs: ['coredns'],
    version: v.coredns,
    ldflags: '-s -w',
    cgo: false,
  });
  goBinaries(l, {
    module: 'local-path-provisioner',
    pkgs: ['github.com/rancher/local-path-provisioner'],
    outs: ['local-path-provisioner'],
    version: v.localPathProvisioner,
    ldflags: '-s -w',
    cgo: false,
  });
  goBinaries(l, {
    module: 'metrics-server',
    pkgs: ['sigs.k8s.io/metrics-server/cmd/metrics-server'],
    outs: ['metrics-server'],
    version: v.metricsServer,
    ldflags: `-s -w -X k8s.io/client-go/pkg/version.gitVersion=${v.metricsServer}`,
    cgo: false,
  });
  buildPause(l, v);
}

function goModCache(): string {
  return run('go', ['env', 'GOMODCACHE']).stdout.trim();
}

/** The pause container from the Kubernetes module's own source, static, as its Makefile builds it. */
function buildPause(l: Layout, v: Versions): void {
  const src = join(
    goModCache(),
    `k8s.io/kubernetes@${v.kubernetes}`,
    'build',
    'pause',
    'linux',
    'pause.c',
  );
  if (!existsSync(src))
    run('go', ['mod', 'download', `k8s.io/kubernetes@${v.kubernetes}`], {
      what: 'download kubernetes',
    });
  const out = join(l.bin, 'pause');
  const key = sha256Files([src], PAUSE_IMAGE);
  if (existsSync(out) && stampMatches(l, 'pause', key)) return;
  run(
    'gcc',
    [
      '-Os',
      '-Wall',
      '-Werror',
      '-static',
      `-DVERSION=${PAUSE_IMAGE.split(':')[1]}`,
      '-o',
      out,
      src,
    ],
    {
      what: 'gcc pause.c',
    },
  );
  writeStamp(l, 'pause', key);
}

/** The Istio CRDs as istio.io/api publishes them (its Go module). */
export function istioCrds(v: Versions): string {
  const dir = join(goModCache(), `istio.io/api@${v.istioApi}`);
  const file = join(dir, 'kubernetes', 'customresourcedefinitions.gen.yaml');
  if (!existsSync(file))
    run('go', ['mod', 'download', `istio.io/api@${v.istioApi}`], { what: 'download istio.io/api' });
  return file;
}

// --- system images -----------------------------------------------------------------------------

export interface SystemImage {
  ref: string;
  /** Files to put at the image root: [source on the host, path in the image]. */
  files: Array<[string, string]>;
  entrypoint: string[];
  user?: string;
  /** PATH for images whose commands are looked up by name. */
  path?: string;
  /** busybox: applet links next to the binary. */
  busyboxApplets?: string[];
}

export function systemImages(l: Layout, v: Versions): SystemImage[] {
  return [
    {
      ref: PAUSE_IMAGE,
      files: [[join(l.bin, 'pause'), '/pause']],
      entrypoint: ['/pause'],
      user: '65535:65535',
    },
    {
      ref: `ordermesh.local/coredns:${v.coredns}`,
      files: [[join(l.bin, 'coredns'), '/coredns']],
      entrypoint: ['/coredns'],
      user: '65532:65532',
    },
    {
      ref: `ordermesh.local/local-path-provisioner:${v.localPathProvisioner}`,
      files: [[join(l.bin, 'local-path-provisioner'), '/usr/local/bin/local-path-provisioner']],
      entrypoint: [],
      path: '/usr/local/bin',
    },
    {
      ref: `ordermesh.local/metrics-server:${v.metricsServer}`,
      files: [[join(l.bin, 'metrics-server'), '/metrics-server']],
      entrypoint: ['/metrics-server'],
      user: '65534:65534',
    },
    {
      ref: 'ordermesh.local/busybox:debian',
      files: [['/bin/busybox', '/bin/busybox']],
      entrypoint: [],
      path: '/bin',
      busyboxApplets: [
        'sh',
        'mkdir',
        'rm',
        'rmdir',
        'chmod',
        'chown',
        'ls',
        'cat',
        'echo',
        'sleep',
        'test',
        '[',
      ],
    },
  ];
}

export function archiveName(ref: string): string {
  return `${ref.replace(/[/:]/g, '_')}.tar`;
}

/** FROM-scratch images with buildah (no daemon), saved as docker archives for `ctr images import`. */
export function buildSystemImages(l: Layout, v: Versions): string[] {
  const dir = join(l.images, 'system');
  mkdirSync(dir, { recursive: true });
  const archives: string[] = [];
  for (const img of systemImages(l, v)) {
    const archive = join(dir, archiveName(img.ref));
    archives.push(archive);
    const key = sha256Files(
      img.files.map(([src]) => src),
      JSON.stringify(img),
    );
    if (existsSync(archive) && stampMatches(l, `image-${archiveName(img.ref)}`, key)) continue;
    const stage = join(dir, 'stage');
    rmSync(stage, { recursive: true, force: true });
    for (const [src, dst] of img.files) {
      mkdirSync(join(stage, dst, '..'), { recursive: true });
      copyFileSync(src, join(stage, dst));
      chmodSync(join(stage, dst), 0o755);
    }
    for (const a of img.busyboxApplets ?? []) symlinkSync('busybox', join(stage, 'bin', a));
    mkdirSync(join(stage, 'tmp'), { recursive: true, mode: 0o1777 });
    const ctr = run('buildah', ['from', 'scratch']).stdout.trim();
    try {
      run('buildah', ['copy', ctr, `${stage}/`, '/'], { what: `buildah copy ${img.ref}` });
      const cfg = ['config', '--entrypoint', JSON.stringify(img.entrypoint), '--cmd', ''];
      if (img.user) cfg.push('--user', img.user);
      if (img.path) cfg.push('--env', `PATH=${img.path}`);
      run('buildah', [...cfg, ctr], { what: `buildah config ${img.ref}` });
      run('buildah', ['commit', '--rm', ctr, img.ref], { what: `buildah commit ${img.ref}` });
    } catch (e) {
      spawnSync('buildah', ['rm', ctr], { stdio: 'ignore' });
      throw e;
    }
    rmSync(archive, { force: true });
    run('buildah', ['push', img.ref, `docker-archive:${archive}:${img.ref}`], {
      what: `buildah push ${img.ref}`,
    });
    rmSync(stage, { recursive: true, force: true });
    writeStamp(l, `image-${archiveName(img.ref)}`, key);
  }
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(archives, null, 2)}\n`);
  return archives;
}
