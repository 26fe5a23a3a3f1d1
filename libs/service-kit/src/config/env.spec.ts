import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  baseEnvSchema,
  ConfigError,
  DEVELOPMENT_PASSWORDS,
  env,
  grpcServiceEnvSchema,
  parseEnv,
  productionCredentialProblems,
} from './env';

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

describe('descriptions (the README env tables, tools/build/env-docs.mjs)', () => {
  it('every shared variable has one, also in a schema extending the base', () => {
    const extended = grpcServiceEnvSchema.extend({
      USER_GRPC_ADDR: env.grpcAddr(),
      KAFKA_BROKERS: env.kafkaBrokers(),
      DATABASE_URL: env.postgresUrl('order'),
    });
    const undescribed = Object.entries(extended.shape)
      .filter(([, field]) => !field.description)
      .map(([name]) => name);
    expect(undescribed).toEqual([]);
    expect(Object.keys(extended.shape).slice(0, 7)).toEqual([
      ...Object.keys(baseEnvSchema.shape),
      'GRPC_PORT',
    ]);
  });

  it("DATABASE_URL names the service's database of the component manifest", () => {
    expect(env.postgresUrl('order').description).toContain('`order_svc`');
    expect(env.postgresUrl('order').safeParse('postgres://u:p@h:5432/order_svc').success).toBe(
      true,
    );
  });

  it('shows in the JSON Schema the generator reads, with defaults and bounds', () => {
    const json = z.toJSONSchema(grpcServiceEnvSchema, { io: 'input', unrepresentable: 'any' });
    expect(json.required).toEqual(['HTTP_PORT', 'GRPC_PORT']);
    expect(json.properties?.['SHUTDOWN_TIMEOUT_MS']).toMatchObject({
      default: 10_000,
      minimum: 0,
      description: expect.stringContaining('graceful shutdown'),
    });
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

describe('development credentials in production', () => {
  const strong = 'k3J9xQ2mV7pL5tR8wZ1nB4cF6hD0sG3a';
  const base = { HTTP_PORT: '1', GRPC_PORT: '2', NODE_ENV: 'production', JWT_SECRET: strong };

  it.each([
    ['the local admin password as JWT secret', { JWT_SECRET: 'ordermesh-admin-local'.repeat(2) }],
    ['a placeholder JWT secret', { JWT_SECRET: 'changeme-changeme-changeme-changeme' }],
    ['a JWT secret of placeholder words', { JWT_SECRET: 'Secret_Secret_Development-Test.2024' }],
    ['a JWT secret of a few repeated characters', { JWT_SECRET: 'ab'.repeat(20) }],
    ['the local admin password', { ORDERMESH_ADMIN_PASSWORD: 'ordermesh-admin-local' }],
    ['the demo password', { ORDERMESH_ADMIN_PASSWORD: 'ordermesh-demo' }],
  ])('refuses %s, naming the variable but not the value', (_what, override) => {
    const attempt = () => parseEnv(grpcServiceEnvSchema, { ...base, ...override });
    expect(attempt).toThrow(ConfigError);
    const message = (() => {
      try {
        attempt();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toMatch(/(JWT_SECRET|ORDERMESH_ADMIN_PASSWORD) is .*refused in production/);
    for (const value of Object.values(override)) expect(message).not.toContain(value);
  });

  it('accepts real secrets in production, and the local ones in development', () => {
    expect(() => parseEnv(grpcServiceEnvSchema, base)).not.toThrow();
    // Random secrets that merely begin with a placeholder word (the chart's 48 random characters
    // can) pass: only a value made of placeholders is refused.
    for (const JWT_SECRET of [
      'devK3J9xQ2mV7pL5tR8wZ1nB4cF6hD0sG3a',
      'test8Zq1Lw4Xr7Vn2Mb5Kc9Jd3Hf6Gs0',
    ]) {
      expect(productionCredentialProblems({ NODE_ENV: 'production', JWT_SECRET })).toEqual([]);
    }
    expect(() =>
      parseEnv(grpcServiceEnvSchema, {
        ...base,
        NODE_ENV: 'development',
        JWT_SECRET: 'changeme',
        ORDERMESH_ADMIN_PASSWORD: 'ordermesh-admin-local',
      }),
    ).not.toThrow();
  });
});

describe('DEVELOPMENT_PASSWORDS', () => {
  const repo = path.resolve(__dirname, '../../../..');
  const quoted = (file: string, pattern: RegExp) => {
    const match = pattern.exec(readFileSync(path.join(repo, file), 'utf8'));
    if (!match?.[1]) throw new Error(`${pattern} not found in ${file}`);
    return match[1];
  };

  it('holds every password the local platform and the seed publish (no copy drifts away)', () => {
    const published = [
      quoted('tools/platform/topology.ts', /DEFAULT_ADMIN_PASSWORD = '([^']+)'/),
      quoted('tools/seed/demo-data.ts', /DEFAULT_ADMIN_PASSWORD = '([^']+)'/),
      quoted('tools/seed/demo-data.ts', /DEMO_CUSTOMER = \{[^}]*password: '([^']+)'/),
    ];
    for (const password of published) expect(DEVELOPMENT_PASSWORDS).toContain(password);
  });
});
