import { z } from 'zod';
import { ConfigError, env, grpcServiceEnvSchema, parseEnv } from './env';

describe('parseEnv', () => {
  const schema = grpcServiceEnvSchema.extend({
    USER_GRPC_ADDR: env.grpcAddr(),
    KAFKA_BROKERS: env.hostList(),
    DATABASE_URL: env.url(['postgres', 'postgresql']),
    FEATURE: env.flag(false),
  });

  const valid = {
    HTTP_PORT: '9401',
    GRPC_PORT: '50051',
    USER_GRPC_ADDR: 'user:50051',
    KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
    DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
  };

  it('coerces and defaults a valid environment', () => {
    const config = parseEnv(schema, valid);
    expect(config.HTTP_PORT).toBe(9401);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092', '127.0.0.1:9093']);
    expect(config.SHUTDOWN_TIMEOUT_MS).toBe(10_000);
    expect(config.FEATURE).toBe(false);
    expect(config.NODE_ENV).toBe('production');
  });

  it('names every missing or malformed variable', () => {
    const attempt = () =>
      parseEnv(schema, { ...valid, GRPC_PORT: undefined, USER_GRPC_ADDR: 'user', HTTP_PORT: '0' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toContain('GRPC_PORT is required');
      expect(problems).toContain('USER_GRPC_ADDR: must be host:port');
      expect(problems).toMatch(/HTTP_PORT: .*>=1/);
    }
  });

  it('rejects a URL of the wrong kind', () => {
    expect(() => parseEnv(schema, { ...valid, DATABASE_URL: 'mysql://x/y' })).toThrow(
      /DATABASE_URL: must be a postgres or postgresql URL/,
    );
  });

  it('accepts any zod schema', () => {
    expect(parseEnv(z.object({ A: z.string() }), { A: 'x' })).toEqual({ A: 'x' });
  });
});

describe('HOST', () => {
  it('is loopback unless set: a service started by hand is not on the network', () => {
    expect(parseEnv(grpcServiceEnvSchema, { HTTP_PORT: '1', GRPC_PORT: '2' }).HOST).toBe(
      '127.0.0.1',
    );
    expect(
      parseEnv(grpcServiceEnvSchema, { HTTP_PORT: '1', GRPC_PORT: '2', HOST: '0.0.0.0' }).HOST,
    ).toBe('0.0.0.0');
  });
});
