// `node tools/cluster/bin/cluster.mjs up|down|status|kubeconfig|build` — the Docker-free local cluster.
import { PlatformError } from '../platform/context.ts';
import { buildBinaries, buildSystemImages, ensureDebianPackages } from './build.ts';
import { down, status, up } from './cluster.ts';
import { layout, versions } from './layout.ts';

const USAGE = `usage: cluster <command>
  up          build what is missing (cached), start the single-node cluster in its own network namespace
  down        stop it and remove every process, mount, cgroup, namespace and sysctl change it made
  status      daemons and the node
  kubeconfig  print the admin kubeconfig's path (export KUBECONFIG=$(... kubeconfig))
  build       only build the binaries and system images`;

export async function main(argv: string[]): Promise<void> {
  const l = layout();
  try {
    switch (argv[0]) {
      case 'up':
        await up(l);
        break;
      case 'down':
        await down(l);
        break;
      case 'status':
        console.log(status(l));
        break;
      case 'kubeconfig':
        console.log(l.kubeconfig);
        break;
      case 'build': {
        const v = versions(l.repo);
        ensureDebianPackages();
        buildBinaries(l, v);
        buildSystemImages(l, v);
        break;
      }
      default:
        console.error(USAGE);
        process.exitCode = 2;
    }
  } catch (e) {
    if (e instanceof PlatformError) {
      console.error(`cluster: ${e.message}${e.details ? `\n${e.details}` : ''}`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}
