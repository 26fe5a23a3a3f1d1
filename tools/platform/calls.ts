// Who calls whom over gRPC, from the one place it is declared: apps/<svc>/src/config/grpc-calls.ts
// (read by topology.ts). `scale` restarts the callers of a service so they get the new address
// list.
import { GRPC_CALLEES } from './topology.ts';

/** caller → the downstream services it calls. */
export type CallGraph = Readonly<Record<string, readonly string[]>>;

export const CALL_GRAPH: CallGraph = GRPC_CALLEES;

/** The services that call `service`, in the graph's (= the platform's) order. */
export function callersOf(graph: CallGraph, service: string): string[] {
  return Object.entries(graph)
    .filter(([caller, callees]) => caller !== service && callees.includes(service))
    .map(([caller]) => caller);
}
