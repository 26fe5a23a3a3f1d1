// Fault injection (ordermesh.testing.v1.FaultService) as pure functions: validation of the
// settings, which inbound calls they apply to, and the decision for one call. No I/O here; the
// interceptor (fault.interceptor.ts) applies the decision.
import { GrpcStatus } from '../grpc/errors';

/** The server's fault settings (ordermesh.testing.v1.Faults). All zero = no faults. */
export interface FaultSettings {
  /** Latency added before each affected call, in milliseconds. */
  latencyMs: number;
  /** Share of affected calls that fail, in basis points (0..10000). */
  errorRateBps: number;
  /** gRPC status code of the injected failures; 0 = UNAVAILABLE. */
  errorCode: number;
  /** RPC names as in the proto ("AuthorizePayment"); empty = every RPC. */
  methods: string[];
}

export const NO_FAULTS: FaultSettings = Object.freeze({
  latencyMs: 0,
  errorRateBps: 0,
  errorCode: 0,
  methods: [],
}) as FaultSettings;

/** Longer than any deadline in the system: enough to simulate a hanging dependency. */
export const MAX_FAULT_LATENCY_MS = 120_000;
export const MAX_FAULT_METHODS = 100;

/** Services that never get faults: the fault service itself and health checking. */
export const FAULT_EXEMPT_SERVICES: ReadonlySet<string> = new Set([
  'ordermesh.testing.v1.FaultService',
  'grpc.health.v1.Health',
  // Nest's pattern metadata carries the service name without its package.
  'FaultService',
  'Health',
]);

const RPC_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

/** Problems of a SetFaults request (empty = valid). */
export function faultProblems(request: FaultSettings): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(request.latencyMs) || request.latencyMs < 0) {
    problems.push('latency_ms must be a non-negative integer');
  } else if (request.latencyMs > MAX_FAULT_LATENCY_MS) {
    problems.push(`latency_ms must be at most ${MAX_FAULT_LATENCY_MS}`);
  }
  if (
    !Number.isInteger(request.errorRateBps) ||
    request.errorRateBps < 0 ||
    request.errorRateBps > 10_000
  ) {
    problems.push('error_rate_bps must be an integer in 0..10000');
  }
  if (!Number.isInteger(request.errorCode) || request.errorCode < 0 || request.errorCode > 16) {
    problems.push('error_code must be a gRPC status code 1..16 (0 = UNAVAILABLE)');
  }
  const methods = request.methods ?? [];
  if (methods.length > MAX_FAULT_METHODS) {
    problems.push(`at most ${MAX_FAULT_METHODS} methods`);
  }
  if (methods.some((method) => !RPC_NAME.test(method))) {
    problems.push('methods must be RPC names as in the proto, e.g. "AuthorizePayment"');
  }
  return problems;
}

/** The settings as stored: RPC names in proto spelling, without duplicates. Validate first. */
export function normaliseFaults(request: FaultSettings): FaultSettings {
  return {
    latencyMs: request.latencyMs,
    errorRateBps: request.errorRateBps,
    errorCode: request.errorCode,
    methods: [...new Set((request.methods ?? []).map(protoRpcName))],
  };
}

/** `getStockLevels` → `GetStockLevels` (ts-proto's method names are the RPCs in camelCase). */
export function protoRpcName(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** An inbound call: fully-qualified service (or Nest's bare service name) and RPC name. */
export interface InboundCall {
  service: string;
  method: string;
}

/** `/ordermesh.inventory.v1.InventoryService/GetStockLevels` → its service and RPC. */
export function parseGrpcPath(path: string): InboundCall | undefined {
  const [, service, method] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
  return service && method ? { service, method } : undefined;
}

export function faultApplies(settings: FaultSettings, call: InboundCall): boolean {
  if (FAULT_EXEMPT_SERVICES.has(call.service)) return false;
  if (settings.latencyMs === 0 && settings.errorRateBps === 0) return false;
  return settings.methods.length === 0 || settings.methods.includes(protoRpcName(call.method));
}

/** What to do to one call: wait `delayMs`, then fail with `failWith` or run the handler. */
export interface FaultDecision {
  delayMs: number;
  failWith?: GrpcStatus;
}

/**
 * The decision for one inbound call, or undefined when the settings leave it alone. `random`
 * returns [0, 1): a call fails when random · 10000 < error_rate_bps.
 */
export function decideFault(
  settings: FaultSettings,
  call: InboundCall,
  random: () => number = Math.random,
): FaultDecision | undefined {
  if (!faultApplies(settings, call)) return undefined;
  const fails = settings.errorRateBps > 0 && random() * 10_000 < settings.errorRateBps;
  if (!fails) return settings.latencyMs > 0 ? { delayMs: settings.latencyMs } : undefined;
  return {
    delayMs: settings.latencyMs,
    failWith:
      settings.errorCode === 0 ? GrpcStatus.UNAVAILABLE : (settings.errorCode as GrpcStatus),
  };
}
