// Who calls whom over gRPC, from the one place it is declared: apps/<svc>/src/config/grpc-calls.ts
// (plain `as const` objects, loaded natively by Node 24). `scale` restarts the callers of a
// service so they get the new address list.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SERVICE_NAMES } from './topology.ts';

/** caller → the downstream services it calls. */
export type CallGraph = Readonly<Record<string, readonly string[]>>;

export async function loadCallGraph(repo: string): Promise<CallGraph> {
  const graph: Record<string, string[]> = {};
  for (const service of SERVICE_NAMES) {
    const file = join(repo, 'apps', service, 'src', 'config', 'grpc-calls.ts');
    if (!existsSync(file)) {
      graph[service] = [];
      continue;
    }
    const mod = (await import(pathToFileURL(file).href)) as { grpcCalls?: object };
    graph[service] = Object.keys(mod.grpcCalls ?? {});
  }
  return graph;
}

/** The services that call `service`, in the graph's (= the platform's) order. */
export function callersOf(graph: CallGraph, service: string): string[] {
  return Object.entries(graph)
    .filter(([caller, callees]) => caller !== service && callees.includes(service))
    .map(([caller]) => caller);
}
