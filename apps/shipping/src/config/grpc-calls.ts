/** The shipping service calls no other service (it learns about orders from Kafka). */
export const grpcCalls = {} as const;
