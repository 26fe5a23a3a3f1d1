import path from 'node:path';
import { loadSync, type MethodDefinition } from '@grpc/proto-loader';
import { GRPC_LOADER_OPTIONS, GRPC_SERVICES, PROTO_ROOT, type GrpcApi } from './grpc';

/** The standard protobuf method option, as declared on every RPC of the Ordermesh protos. */
export type IdempotencyLevel = 'NO_SIDE_EFFECTS' | 'IDEMPOTENT' | 'IDEMPOTENCY_UNKNOWN';

const cache = new Map<GrpcApi, Readonly<Record<string, IdempotencyLevel>>>();

/**
 * Each RPC's declared `idempotency_level`, keyed by its proto name (`GetUser`). Clients retry only
 * RPCs that are safe to repeat (NO_SIDE_EFFECTS or IDEMPOTENT), and the mesh's retry policy is
 * derived from the same declaration.
 */
export function rpcIdempotency(api: GrpcApi): Readonly<Record<string, IdempotencyLevel>> {
  const cached = cache.get(api);
  if (cached) return cached;
  const { package: pkg, service, file } = GRPC_SERVICES[api];
  const definition = loadSync(path.join(PROTO_ROOT, file), GRPC_LOADER_OPTIONS);
  const methods = definition[`${pkg}.${service}`] as Record<
    string,
    MethodDefinition<object, object>
  >;
  const levels: Record<string, IdempotencyLevel> = {};
  for (const [name, method] of Object.entries(methods)) {
    const options = (method as { options?: { idempotency_level?: IdempotencyLevel } }).options;
    levels[name] = options?.idempotency_level ?? 'IDEMPOTENCY_UNKNOWN';
  }
  cache.set(api, levels);
  return levels;
}

/** Whether repeating the RPC after an ambiguous failure is safe. */
export function isRetryableRpc(api: GrpcApi, rpc: string): boolean {
  const level = rpcIdempotency(api)[rpc];
  return level === 'NO_SIDE_EFFECTS' || level === 'IDEMPOTENT';
}
