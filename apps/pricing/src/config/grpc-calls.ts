/** The pricing service calls no other service. */
export const grpcCalls = {} as const;
