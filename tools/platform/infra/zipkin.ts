// Zipkin server: the trace viewer a person opens locally (dev profile). Its UI is inside the
// server's `exec` jar on Maven Central, unlike the Jaeger UI's assets, which no reachable registry
// serves. Services export to it beside Jaeger (OTEL_TRACES_EXPORTER=otlp,zipkin); Jaeger stays the
// trace backend of the tests and of the chart. In-memory storage, loopback only.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { baseEnv, PlatformError, type Ctx, type Driver } from '../context.ts';
import { httpOk } from '../probes.ts';
import { requireCommand, requireJava17, run } from '../setup.ts';
import { mainPort } from '../topology.ts';

export const ZIPKIN_VERSION = '3.6.1';
const JAR = `zipkin-server-${ZIPKIN_VERSION}-exec.jar`;

function ensureJar(ctx: Ctx): string {
  const dir = join(ctx.paths.tools, 'zipkin', ZIPKIN_VERSION);
  const jar = join(dir, JAR);
  if (existsSync(jar)) return jar;
  requireJava17();
  requireCommand(
    'mvn',
    'fetching the Zipkin server',
    'Install Apache Maven 3.6+ (Debian: apt-get install maven).',
  );
  ctx.log(`zipkin: fetching io.zipkin:zipkin-server:${ZIPKIN_VERSION} (exec) from Maven Central`);
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  run(
    'mvn',
    [
      '-q',
      '-B',
      'dependency:copy',
      `-Dartifact=io.zipkin:zipkin-server:${ZIPKIN_VERSION}:jar:exec`,
      `-DoutputDirectory=${tmp}`,
    ],
    { what: 'mvn dependency:copy (Zipkin server)', cwd: ctx.paths.tools },
  );
  if (!existsSync(join(tmp, JAR))) throw new PlatformError(`mvn did not produce ${JAR} in ${tmp}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, '..'), { recursive: true });
  renameSync(tmp, dir);
  return jar;
}

/** The trace viewer's page of one trace, `{traceId}` to be replaced. */
export function zipkinTraceUrlTemplate(port: number): string {
  return `http://127.0.0.1:${port}/zipkin/traces/{traceId}`;
}

export const zipkin: Driver = {
  name: 'zipkin',
  stopSignal: 'SIGTERM',
  stopTimeoutMs: 10_000,
  readyTimeoutMs: 120_000,
  async ensureTools(ctx) {
    ensureJar(ctx);
  },
  async prepare(ctx) {
    const jar = ensureJar(ctx);
    const port = mainPort(ctx.ports, 'zipkin');
    return {
      command: 'java',
      args: [
        '-Xms64m',
        '-Xmx384m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-XX:ActiveProcessorCount=2',
        '-jar',
        jar,
        // Spring Boot properties: loopback only, on the platform's port.
        `--armeria.ports[0].ip=127.0.0.1`,
        `--armeria.ports[0].port=${port}`,
        '--armeria.ports[0].protocols[0]=http',
      ],
      cwd: ctx.paths.state,
      env: {
        ...baseEnv(ctx),
        STORAGE_TYPE: 'mem',
        MEM_MAX_SPANS: '200000',
        SELF_TRACING_ENABLED: 'false',
      },
    };
  },
  ready: (ctx) => httpOk(`http://127.0.0.1:${mainPort(ctx.ports, 'zipkin')}/health`),
  dataDirs: () => [],
  endpoints: (ctx) => ({ ui: `http://127.0.0.1:${mainPort(ctx.ports, 'zipkin')}/zipkin/` }),
};
