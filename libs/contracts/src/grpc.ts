import fs from 'node:fs';
import path from 'node:path';
import type { Options } from '@grpc/proto-loader';

/**
 * Absolute path of libs/contracts/proto. Works from the sources (libs/contracts/src) and from the
 * SWC output (dist/libs/contracts/src): next to this folder if the build copied the protos there,
 * otherwise the repo's libs/contracts/proto.
 */
export const PROTO_ROOT: string = resolveProtoRoot();

function resolveProtoRoot(): string {
  const candidates = [
    path.resolve(__dirname, '..', 'proto'),
    path.resolve(__dirname, '..', '..', '..', '..', 'libs', 'contracts', 'proto'),
  ];
  return (
    candidates.find((dir) => fs.existsSync(path.join(dir, 'ordermesh'))) ??
    (candidates[0] as string)
  );
}

/** Every gRPC API: proto package, service name and file (relative to PROTO_ROOT). */
export const GRPC_SERVICES = {
  user: {
    package: 'ordermesh.user.v1',
    service: 'UserService',
    file: 'ordermesh/user/v1/user.proto',
  },
  product: {
    package: 'ordermesh.product.v1',
    service: 'ProductService',
    file: 'ordermesh/product/v1/product.proto',
  },
  inventory: {
    package: 'ordermesh.inventory.v1',
    service: 'InventoryService',
    file: 'ordermesh/inventory/v1/inventory.proto',
  },
  pricing: {
    package: 'ordermesh.pricing.v1',
    service: 'PricingService',
    file: 'ordermesh/pricing/v1/pricing.proto',
  },
  order: {
    package: 'ordermesh.order.v1',
    service: 'OrderService',
    file: 'ordermesh/order/v1/order.proto',
  },
  payment: {
    package: 'ordermesh.payment.v1',
    service: 'PaymentService',
    file: 'ordermesh/payment/v1/payment.proto',
  },
  shipping: {
    package: 'ordermesh.shipping.v1',
    service: 'ShippingService',
    file: 'ordermesh/shipping/v1/shipping.proto',
  },
  notification: {
    package: 'ordermesh.notification.v1',
    service: 'NotificationService',
    file: 'ordermesh/notification/v1/notification.proto',
  },
  /** Fault injection, registered on every gRPC server in the test profile only. */
  fault: {
    package: 'ordermesh.testing.v1',
    service: 'FaultService',
    file: 'ordermesh/testing/v1/fault.proto',
  },
  /** Standard gRPC health checking, registered on every gRPC server. */
  health: { package: 'grpc.health.v1', service: 'Health', file: 'grpc/health/v1/health.proto' },
} as const;

export type GrpcApi = keyof typeof GRPC_SERVICES;

/** Fully-qualified service name, e.g. `ordermesh.order.v1.OrderService` (the health-check service name). */
export function grpcServiceName(api: GrpcApi): string {
  const { package: pkg, service } = GRPC_SERVICES[api];
  return `${pkg}.${service}`;
}

/** Absolute proto file paths of the given APIs (imports resolve through PROTO_ROOT). */
export function protoFiles(...apis: GrpcApi[]): string[] {
  return apis.map((api) => path.join(PROTO_ROOT, GRPC_SERVICES[api].file));
}

/** Proto package names of the given APIs. */
export function protoPackages(...apis: GrpcApi[]): string[] {
  return apis.map((api) => GRPC_SERVICES[api].package);
}

/**
 * @grpc/proto-loader options matching the generated types; use them on every server and client.
 * - camelCase field names; int64 as number (ts-proto `forceLong=number`); enums as numbers;
 * - `defaults: true`: unset scalars, lists and maps arrive as ''/0/false/[]/{}; unset message
 *   fields arrive as `null` (typed `T | null` by `useNullAsOptional`); unset `optional` scalars
 *   are absent (`undefined`).
 */
export const GRPC_LOADER_OPTIONS = {
  keepCase: false,
  longs: Number,
  enums: Number,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: false,
  includeDirs: [PROTO_ROOT],
} satisfies Options;

/** Options for Nest's gRPC transport (server or client; add `url`): `{ package, protoPath, loader }`. */
export function grpcTransportOptions(...apis: GrpcApi[]): {
  package: string[];
  protoPath: string[];
  loader: Options;
} {
  return {
    package: protoPackages(...apis),
    protoPath: protoFiles(...apis),
    loader: { ...GRPC_LOADER_OPTIONS },
  };
}
