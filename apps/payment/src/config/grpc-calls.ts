/** The payment service calls no other service (the order saga calls it). */
export const grpcCalls = {} as const;
