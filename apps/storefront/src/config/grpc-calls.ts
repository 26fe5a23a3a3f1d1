/**
 * The storefront calls no gRPC method: its only backend is the gateway's public REST API
 * (GATEWAY_URL). Declared empty so the chart's mesh policies can be checked against it.
 */
export const grpcCalls = {} as const;
