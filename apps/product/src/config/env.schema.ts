import { env, grpcServiceEnvSchema } from '@ordermesh/service-kit';
import { z } from 'zod';

export const envSchema = grpcServiceEnvSchema.extend({
  MONGODB_URL: env
    .url(['mongodb', 'mongodb+srv'])
    .describe('`mongodb://` or `mongodb+srv://` URL, database included'),
  INVENTORY_GRPC_ADDR: env.grpcAddr(),
  PRICING_GRPC_ADDR: env.grpcAddr(),
  VIEW_DEPENDENCY_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(50)
    .default(800)
    .describe('budget of the stock and price look-ups of a product view before it degrades'),
});

export type ProductEnv = z.infer<typeof envSchema>;
