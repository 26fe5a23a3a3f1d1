/** Ordermesh service names: folder, Nx project, OTEL_SERVICE_NAME, Kafka consumer group, event `source`. */
export const SERVICE_NAMES = [
  'gateway',
  'user',
  'product',
  'inventory',
  'pricing',
  'order',
  'payment',
  'shipping',
  'notification',
] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

export function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}
