/** The notification service calls no other service (it learns everything from Kafka). */
export const grpcCalls = {} as const;
