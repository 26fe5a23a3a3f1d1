import { env, grpcServiceEnvSchema } from '@ordermesh/service-kit';
import { z } from 'zod';

export const envSchema = grpcServiceEnvSchema.extend({
  MONGODB_URL: env.url(['mongodb', 'mongodb+srv']),
  INVENTORY_GRPC_ADDR: env.grpcAddr(),
  PRICING_GRPC_ADDR: env.grpcAddr(),
  /** Budget for the stock and price look-ups of a product view before it degrades. */
  VIEW_DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().min(50).default(800),
});

export type ProductEnv = z.infer<typeof envSchema>;
