// The NestJS services: `node --enable-source-maps dist/apps/<svc>/src/main.js`, cwd = repo root.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { baseEnv, PlatformError, type Ctx, type Driver } from './context.ts';
import { httpOk } from './probes.ts';
import { getService, managementPort, parseReplicaName, port, serviceEnv } from './topology.ts';

export function serviceMain(repo: string, service: string): string {
  return join(repo, 'dist', 'apps', service, 'src', 'main.js');
}

export function checkBuilt(repo: string, service: string): void {
  const main = serviceMain(repo, service);
  if (!existsSync(main)) {
    throw new PlatformError(
      `${service}: ${main} does not exist: the service is not built. Run \`make build\` first.`,
    );
  }
}

export function computeServiceEnv(ctx: Ctx, service: string): Record<string, string> {
  return serviceEnv(service, ctx.profile, ctx.ports, ctx.secrets(), ctx.env);
}

/** The driver of a service process: `name` is the service or one of its replicas (`inventory#2`). */
export function serviceDriver(name: string): Driver {
  const service = parseReplicaName(name)?.service ?? name;
  const def = getService(service);
  return {
    name,
    stopSignal: 'SIGTERM',
    // SHUTDOWN_TIMEOUT_MS is 10 s: give the graceful shutdown a little more before SIGKILL.
    stopTimeoutMs: 15_000,
    readyTimeoutMs: 90_000,
    async ensureTools() {
      // built by `make build`, checked in prepare
    },
    async prepare(ctx) {
      checkBuilt(ctx.paths.repo, service);
      const env: Record<string, string> = { ...baseEnv(ctx), ...computeServiceEnv(ctx, name) };
      // A hook for debugging a service (e.g. --inspect) without touching the platform: added
      // after the heap settings, so it can also override them.
      const extra = ctx.env[`ORDERMESH_${service.toUpperCase()}_NODE_OPTIONS`];
      if (extra) env.NODE_OPTIONS = [env.NODE_OPTIONS, extra].filter(Boolean).join(' ');
      return {
        command: process.execPath,
        args: ['--enable-source-maps', join('dist', 'apps', service, 'src', 'main.js')],
        cwd: ctx.paths.repo,
        env,
      };
    },
    ready: (ctx) => httpOk(`http://127.0.0.1:${managementPort(ctx.ports, name)}/health/ready`),
    dataDirs: () => [],
    endpoints(ctx) {
      const out: Record<string, string> = {
        http: `http://127.0.0.1:${port(ctx.ports, name, 'http')}`,
      };
      if (def.grpc) out.grpc = `127.0.0.1:${port(ctx.ports, name, 'grpc')}`;
      if (def.ports.management)
        out.management = `http://127.0.0.1:${managementPort(ctx.ports, name)}`;
      return out;
    },
  };
}
