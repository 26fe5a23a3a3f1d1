import { helm, kubectl, NAMESPACE, RELEASE } from './support/cluster';

/**
 * `helm uninstall` leaves nothing behind but what the chart documents it keeps: the data claims of
 * the StatefulSets and the credential Secrets marked `helm.sh/resource-policy: keep` (docs/kubernetes.md).
 */
const KEPT_SECRETS = [
  'gateway-jwt',
  'postgresql-credentials',
  'mongodb-credentials',
  'redis-credentials',
];

function namespacedObjects(): string[] {
  const kinds = kubectl(['api-resources', '--verbs=list', '--namespaced', '-o', 'name'])
    .split('\n')
    .filter((k) => k && !k.startsWith('events') && k !== 'events.events.k8s.io');
  return kubectl(['-n', NAMESPACE, 'get', kinds.join(','), '-o', 'name', '--ignore-not-found'])
    .split('\n')
    .filter(Boolean);
}

describe('helm uninstall', () => {
  it('removes every object of the release but the documented claims and Secrets', () => {
    helm(['uninstall', RELEASE, '-n', NAMESPACE, '--wait', '--timeout', '5m']);
    // The workloads' pods are not release objects: they go after their grace period.
    kubectl(['-n', NAMESPACE, 'wait', '--for=delete', 'pod', '--all', '--timeout=180s']);
    const left = namespacedObjects().filter(
      (o) =>
        // what Kubernetes itself puts in every namespace
        o !== 'serviceaccount/default' &&
        o !== 'configmap/kube-root-ca.crt' &&
        !o.startsWith('persistentvolumeclaim/') &&
        !KEPT_SECRETS.map((s) => `secret/${s}`).includes(o),
    );
    expect(left).toEqual([]);
  });

  it('the kept claims can be deleted (PURGE) and release their volumes', () => {
    kubectl(['-n', NAMESPACE, 'delete', 'pvc', '--all', '--wait=true', '--timeout=120s']);
    kubectl(['-n', NAMESPACE, 'delete', 'secret', ...KEPT_SECRETS, '--ignore-not-found']);
    expect(namespacedObjects().filter((o) => o.startsWith('persistentvolumeclaim/'))).toEqual([]);
  });
});
