/** Every gRPC method the product service calls (see apps/gateway/src/config/grpc-calls.ts). */
export const grpcCalls = {
  inventory: ['GetStockLevels'],
  pricing: ['GetPrices'],
} as const;
