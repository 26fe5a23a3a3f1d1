// What each service declares about itself (the single source of truth for the call graph):
//   apps/<svc>/src/config/env.schema.ts  → export const envSchema = z.object({...})
//   apps/<svc>/src/config/grpc-calls.ts  → export const grpcCalls = { <callee>: ['Method', ...] } as const
// A missing or malformed file fails the tests of that service.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { ROOT } from './chart';

export type GrpcCalls = Record<string, readonly string[]>;
export interface Contract {
  service: string;
  envSchema?: z.ZodObject;
  grpcCalls?: GrpcCalls;
  envSource: string;
  callsSource: string;
  problems: string[];
}

function load<T>(file: string, exportName: string): T | undefined {
  return require(file)[exportName] as T | undefined;
}

export function loadContract(service: string): Contract {
  const problems: string[] = [];
  const envFile = path.join(ROOT, 'apps', service, 'src/config/env.schema.ts');
  const callsFile = path.join(ROOT, 'apps', service, 'src/config/grpc-calls.ts');
  let envSchema: z.ZodObject | undefined;
  let grpcCalls: GrpcCalls | undefined;
  const envSource = path.relative(ROOT, envFile);
  const callsSource = path.relative(ROOT, callsFile);

  if (existsSync(envFile)) {
    envSchema = load(envFile, 'envSchema');
    if (!envSchema) problems.push(`${envSource} does not export envSchema`);
  } else problems.push(`${envSource} is missing`);

  if (existsSync(callsFile)) {
    grpcCalls = load(callsFile, 'grpcCalls');
    if (!grpcCalls) problems.push(`${callsSource} does not export grpcCalls`);
  } else problems.push(`${callsSource} is missing`);

  return { service, envSchema, grpcCalls, envSource, callsSource, problems };
}

/** Env vars a service cannot start without (no default, not optional). */
export function requiredEnv(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape)
    .filter(([, field]) => !(field as z.ZodType).safeParse(undefined).success)
    .map(([k]) => k)
    .sort();
}

export const grpcAddrKey = (service: string) => `${service.toUpperCase()}_GRPC_ADDR`;
export const grpcPath = (service: string, method: string) =>
  `/ordermesh.${service}.v1.${service[0]!.toUpperCase()}${service.slice(1)}Service/${method}`;
