import { env, grpcServiceEnvSchema } from '@ordermesh/service-kit';
import { z } from 'zod';

export const envSchema = grpcServiceEnvSchema.extend({
  DATABASE_URL: env.postgresUrl('user'),
  KAFKA_BROKERS: env.kafkaBrokers(),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7_776_000)
    .default(1_209_600)
    .describe(
      "lifetime of one refresh token; every refresh issues a new one with a fresh lifetime, up to the session's end",
    ),
  /** So a stolen refresh token kept fresh by rotation still stops working. */
  SESSION_MAX_LIFETIME_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(31_536_000)
    .default(2_592_000)
    .describe("a session's absolute lifetime from its login: no refresh carries it further"),
});

export type UserEnv = z.infer<typeof envSchema>;
