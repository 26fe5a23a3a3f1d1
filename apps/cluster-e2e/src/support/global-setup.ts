import { clusterReachable, KUBECONFIG } from './cluster';

/** The cluster is started by `make test-cluster` (tools/test/cluster.sh) before jest runs. */
export default async function globalSetup(): Promise<void> {
  if (!clusterReachable())
    throw new Error(
      `no cluster answers with ${KUBECONFIG}: run \`make cluster\` (or \`make test-cluster\`, which starts one)`,
    );
}
