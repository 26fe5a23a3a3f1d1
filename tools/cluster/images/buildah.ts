// buildah and podman on a container storage of the project's own (.ordermesh/cluster/images/storage),
// with the machine's constraints applied once: runc (crun refuses the hybrid cgroups), the host
// network only where a step must reach a registry, the machine's CA bundle for re-signed TLS.
import { existsSync } from 'node:fs';
import { run, type RunResult } from '../../platform/setup.ts';

export interface Storage {
  root: string;
  runroot: string;
}

export const RUNTIME = '/usr/sbin/runc';
/** podman/buildah `run` need these on this machine (hard RLIMIT_NOFILE 20000, no CAP_SYS_RESOURCE). */
export const ULIMITS = ['--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=4096:4096'];

function storageArgs(s: Storage): string[] {
  return ['--root', s.root, '--runroot', s.runroot, '--storage-driver', 'overlay'];
}

/** Heavy steps run niced: the machine's two cores are shared. */
function niced(cmd: string, args: string[]): [string, string[]] {
  return ['nice', ['-n', '10', cmd, ...args]];
}

export class Buildah {
  readonly storage: Storage;
  constructor(storage: Storage) {
    this.storage = storage;
  }

  run(args: string[], what: string): RunResult {
    const [cmd, full] = niced('buildah', [...storageArgs(this.storage), ...args]);
    return run(cmd, full, { what });
  }

  podman(args: string[], what: string, opts: { allowFail?: boolean } = {}): RunResult {
    const full = [...storageArgs(this.storage), '--runtime', RUNTIME, ...args];
    if (opts.allowFail) {
      try {
        return run('podman', full, { what });
      } catch (e) {
        return { status: 1, stdout: '', stderr: (e as Error).message };
      }
    }
    return run('podman', full, { what });
  }

  /** A working container from an image of the local storage (never pulled), or from scratch. */
  from(image: string | 'scratch', name: string): string {
    this.rmContainer(name);
    const args = ['from', '--name', name];
    if (image !== 'scratch') args.push('--pull-never');
    return this.run([...args, image], `buildah from ${image}`).stdout.trim();
  }

  rmContainer(name: string): void {
    try {
      run('buildah', [...storageArgs(this.storage), 'rm', name], { what: 'buildah rm' });
    } catch {
      // not there
    }
  }

  /** Mounts the container's root filesystem on the host (root only); returns its path. */
  mount(ctr: string): string {
    return this.run(['mount', ctr], 'buildah mount').stdout.trim();
  }

  umount(ctr: string): void {
    this.run(['umount', ctr], 'buildah umount');
  }

  /** `buildah add` of a local tar (extracted) or file/folder into the container. */
  add(ctr: string, src: string, dest: string): void {
    if (!existsSync(src)) throw new Error(`buildah add: ${src} does not exist`);
    this.run(['add', '--quiet', ctr, src, dest], `buildah add ${src}`);
  }

  /** Runs a command in the container (runc). `network: 'host'` only for steps that download. */
  exec(
    ctr: string,
    cmd: string[],
    opts: { network: 'host' | 'none'; what: string; volumes?: string[] },
  ): RunResult {
    const vols = (opts.volumes ?? []).flatMap((v) => ['-v', v]);
    return this.run(
      ['run', '--runtime', RUNTIME, '--network', opts.network, ...vols, ctr, '--', ...cmd],
      opts.what,
    );
  }

  config(ctr: string, args: string[]): void {
    this.run(['config', ...args, ctr], 'buildah config');
  }

  /** Commits the container as `ref` (one new layer) and removes the working container. */
  commit(ctr: string, ref: string): string {
    const id = this.run(['commit', '--quiet', '--rm', ctr, ref], `buildah commit ${ref}`);
    return id.stdout.trim();
  }

  imageId(ref: string): string | null {
    try {
      return run(
        'buildah',
        [
          ...storageArgs(this.storage),
          'inspect',
          '--type',
          'image',
          '--format',
          '{{.FromImageID}}',
          ref,
        ],
        { what: 'buildah inspect' },
      ).stdout.trim();
    } catch {
      return null;
    }
  }

  /** Sizes (uncompressed, all layers) of the given images, in bytes, in one podman call. */
  imageSizes(refs: string[]): Map<string, number> {
    const out = this.podman(
      ['image', 'inspect', '--format', '{{.Size}}', ...refs],
      'podman image inspect',
    )
      .stdout.trim()
      .split('\n');
    return new Map(refs.map((r, i) => [r, Number(out[i])]));
  }

  tag(ref: string, other: string): void {
    this.run(['tag', ref, other], 'buildah tag');
  }

  /**
   * One docker-archive holding every given image (layers shared between them stored once), as
   * `ctr -n k8s.io images import <file>` reads it.
   */
  saveArchive(refs: string[], file: string): void {
    const tmp = `${file}.${process.pid}.tmp`;
    const [cmd, args] = niced('podman', [
      ...storageArgs(this.storage),
      'save',
      '--quiet',
      '--format',
      'docker-archive',
      '--multi-image-archive',
      '--output',
      tmp,
      ...refs,
    ]);
    run(cmd, args, { what: `podman save ${file}` });
    run('mv', ['-f', tmp, file]);
  }
}
