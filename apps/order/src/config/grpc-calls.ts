/** Every gRPC method the order service calls (see apps/gateway/src/config/grpc-calls.ts). */
export const grpcCalls = {
  user: ['GetUser'],
  product: ['ResolveProducts'],
  pricing: ['GetPrices'],
  inventory: ['ReserveStock', 'CommitReservation', 'ReleaseReservation', 'RestockOrder'],
  payment: ['AuthorizePayment', 'CapturePayment', 'RefundPayment'],
  shipping: ['CancelShipment'],
} as const;
