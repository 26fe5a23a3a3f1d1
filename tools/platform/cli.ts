// `npx ordermesh <command>`: the local platform's CLI (see tools/platform/README.md).
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { PlatformError } from './context.ts';
import { Platform, tailLines } from './platform.ts';
import { logFile } from './state.ts';
import {
  COMPONENTS,
  getComponent,
  getService,
  MAX_REPLICAS,
  parseReplicaName,
  profileComponents,
  REPLICA_SEPARATOR,
  resolveProfile,
  scalable,
  SERVICE_NAMES,
} from './topology.ts';

const USAGE = `Usage: ordermesh <command> [args] [--profile dev|test]

  setup                       install/build the infrastructure tools (cached)
  up [components...]          start infrastructure, then services, in dependency order
       --infra-only           only the infrastructure
  down [--volumes]            stop everything; verify no process/port is left (--volumes: wipe data)
  status [--json]             component, kind, ports, pid, state, health
  start|stop|restart <c>      one component (start does not start its dependencies); a service's
                              name means every replica of it, <service>#<k> one replica
  kill <c>                    SIGKILL the component's process group (chaos tests)
  scale <service> <n>         run n (1-${MAX_REPLICAS}) replicas of a gRPC service; its running callers
                              are restarted with every replica's address
  logs <c> [-n N] [-f]        last N lines (default 100) of a component's log, -f to follow
  env <service> [--json] [--reveal]
                              the environment a service gets (secrets masked unless --reveal)
  connection-info [--json]    infrastructure endpoints and credentials (for test harnesses)
  seed                        load the demo data (admin, demo customer, catalogue) into a running platform
  urls                        where to reach everything
  tail <topic> [--from latest|beginning] [--max N] [--timeout S] [--pretty]
                              a topic's events as they arrive (Kafka's console consumer), one
                              JSON object per line: time, partition, offset, key, type, headers, value

Components: ${COMPONENTS.map((c) => c.name).join(', ')}
Profile: --profile or $ORDERMESH_PROFILE (default dev); test adds 10000 to every port
(subtracts 20000 where that would be an ephemeral port).`;

function out(s: string): void {
  process.stdout.write(`${s}\n`);
}

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function one(positionals: string[], what: string): string {
  const name = positionals[0];
  if (!name || positionals.length > 1)
    throw new PlatformError(`expected exactly one ${what}\n\n${USAGE}`);
  if (name.includes(REPLICA_SEPARATOR) && parseReplicaName(name)) return name;
  getComponent(name);
  return name;
}

/** `scale <service> <n>`: a gRPC service and a replica count from 1 to MAX_REPLICAS. */
export function parseScaleArgs(positionals: readonly string[]): { service: string; n: number } {
  const [service, count, ...extra] = positionals;
  if (!service || count === undefined || extra.length > 0)
    throw new PlatformError(`expected a service and a number of replicas: scale <service> <n>`);
  if (!SERVICE_NAMES.includes(service))
    throw new PlatformError(
      `"${service}" is not a service (services: ${SERVICE_NAMES.filter(scalable).join(', ')})`,
    );
  if (!scalable(service))
    throw new PlatformError(
      `${service} cannot be scaled locally: it is the platform's one public port (in Kubernetes its Deployment scales behind a Service)`,
    );
  if (!/^\d+$/.test(count) || Number(count) < 1 || Number(count) > MAX_REPLICAS)
    throw new PlatformError(
      `replicas must be a whole number from 1 to ${MAX_REPLICAS}, got "${count}"`,
    );
  return { service, n: Number(count) };
}

async function follow(file: string): Promise<never> {
  let pos = existsSync(file) ? statSync(file).size : 0;
  for (;;) {
    await sleep(300);
    if (!existsSync(file)) continue;
    const size = statSync(file).size;
    if (size < pos) pos = 0; // truncated
    if (size > pos) {
      const fd = openSync(file, 'r');
      const buf = Buffer.alloc(size - pos);
      readSync(fd, buf, 0, buf.length, pos);
      closeSync(fd);
      process.stdout.write(buf);
      pos = size;
    }
  }
}

export async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        profile: { type: 'string', short: 'p' },
        json: { type: 'boolean' },
        'infra-only': { type: 'boolean' },
        volumes: { type: 'boolean', short: 'v' },
        reveal: { type: 'boolean' },
        follow: { type: 'boolean', short: 'f' },
        lines: { type: 'string', short: 'n' },
        from: { type: 'string' },
        max: { type: 'string' },
        timeout: { type: 'string' },
        pretty: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    process.stderr.write(`ordermesh: ${(e as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command || command === 'help') {
    out(USAGE);
    return;
  }
  try {
    const p = new Platform(resolveProfile(values.profile, process.env));
    switch (command) {
      case 'setup': {
        const t0 = Date.now();
        await p.setup(rest.length > 0 ? rest : undefined);
        process.stderr.write(`setup done in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
        break;
      }
      case 'up':
        await p.up(rest, { infraOnly: values['infra-only'] ?? false });
        break;
      case 'down': {
        const r = await p.down({ volumes: values.volumes ?? false });
        if (!r.ok) process.exitCode = 1;
        break;
      }
      case 'status': {
        const rows = await p.status();
        if (values.json) {
          out(JSON.stringify(rows, null, 2));
        } else {
          out(`profile ${p.profile}`);
          out(
            table([
              ['COMPONENT', 'KIND', 'PORTS', 'PID', 'STATE', 'HEALTH'],
              ...rows.map((r) => [
                r.component,
                r.kind,
                Object.entries(r.ports)
                  .map(([k, v]) => (k === 'main' ? String(v) : `${k}=${v}`))
                  .join(' '),
                r.pid === null ? '-' : String(r.pid),
                r.state,
                r.health,
              ]),
            ]),
          );
          const scaled = rows.filter((r) => r.replica === 2);
          for (const r of scaled)
            out(
              `${r.service}: ${r.replicas} replicas (\`ordermesh scale ${r.service} 1\` to go back)`,
            );
        }
        break;
      }
      case 'scale': {
        const { service, n } = parseScaleArgs(rest);
        const report = await p.scale(service, n);
        if (values.json) out(JSON.stringify(report, null, 2));
        break;
      }
      case 'start':
        await p.start(one(rest, 'component'));
        break;
      case 'stop':
        await p.stop(one(rest, 'component'));
        break;
      case 'restart':
        await p.restart(one(rest, 'component'));
        break;
      case 'kill':
        await p.kill(one(rest, 'component'));
        break;
      case 'logs': {
        const name = p.resolveName(one(rest, 'component'));
        const n = values.lines === undefined ? 100 : Number(values.lines);
        if (!Number.isInteger(n) || n < 0)
          throw new PlatformError(`-n expects a number of lines, got ${values.lines}`);
        const file = logFile(p.paths, name);
        if (!existsSync(file) && !values.follow)
          throw new PlatformError(`${name} has no log yet (${file})`);
        for (const l of tailLines(file, n)) out(l);
        if (values.follow) await follow(file);
        break;
      }
      case 'env': {
        const name = rest[0];
        if (!name || rest.length > 1)
          throw new PlatformError(`expected exactly one service\n\n${USAGE}`);
        getService(parseReplicaName(name)?.service ?? name);
        p.resolveName(name);
        const env = values.reveal ? p.serviceEnv(name) : p.maskedServiceEnv(name);
        if (values.json) out(JSON.stringify(env, null, 2));
        else for (const [k, v] of Object.entries(env)) out(`${k}=${v}`);
        break;
      }
      case 'connection-info': {
        const info = p.connectionInfo();
        if (values.json) out(JSON.stringify(info, null, 2));
        else {
          out(`kafka       ${info.kafka.brokers.join(',')}`);
          out(
            `postgres    127.0.0.1:${info.postgres.port} (superuser ${info.postgres.superuser.user}; passwords: --json)`,
          );
          for (const [svc, d] of Object.entries(info.postgres.databases))
            out(`  ${svc.padEnd(10)} db ${d.database} role ${d.user}`);
          out(`mongodb     ${info.mongodb.url}`);
          out(`redis       ${info.redis.url}`);
        }
        break;
      }
      case 'seed': {
        // Demo data (tools/seed): the local admin, a demo customer, a catalogue with stock and prices.
        const { seed } = await import('../seed/seed.ts');
        await seed(p.profile);
        break;
      }
      case 'tail': {
        const { parseTailArgs, tail, tailTopics } = await import('./tail.ts');
        const opts = parseTailArgs(rest, values, tailTopics(p.ctx));
        await tail(p.ctx, { ...opts, pretty: values.pretty });
        break;
      }
      case 'urls': {
        const e = p.endpoints();
        const rows: string[][] = [];
        for (const c of p.componentNames())
          for (const [k, v] of Object.entries(e[c] ?? {})) rows.push([c, k, v]);
        const gateway = e['gateway']?.['http'];
        out(`Ordermesh (${p.profile} profile): what a person opens`);
        const uis: string[][] = [
          ['storefront', e['storefront']?.['http'] ?? '', 'the web shop'],
          ['API', `${gateway}/api/v1`, 'the public REST API'],
          ['API docs', `${gateway}/api/docs`, 'OpenAPI (Swagger UI)'],
        ];
        if (e['zipkin'] && profileComponents(p.profile).includes('zipkin'))
          uis.push(['traces', e['zipkin']['ui'] ?? '', 'Zipkin: every request and saga step']);
        uis.push(
          [
            'traces (API)',
            `${e['jaeger']?.['ui']}/api/traces?service=gateway`,
            'Jaeger query API (the tests read it)',
          ],
          ['Prometheus', e['prometheus']?.['ui'] ?? '', 'metrics, alerts'],
          [
            'dashboards',
            e['prometheus']?.['dashboards'] ?? '',
            'the Grafana dashboards as Prometheus console pages',
          ],
          [
            'logs',
            e['victorialogs']?.['ui'] ?? '',
            "VictoriaLogs: every service's logs (LogsQL, e.g. trace_id:<id>)",
          ],
        );
        out(table(uis));
        out('');
        out(table(rows));
        break;
      }
      default:
        throw new PlatformError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (e) {
    if (e instanceof PlatformError) {
      process.stderr.write(`ordermesh: ${e.message}\n`);
      if (e.details) process.stderr.write(`${e.details}\n`);
    } else {
      const err = e instanceof Error ? e : new Error(String(e));
      process.stderr.write(`ordermesh: ${process.env.ORDERMESH_DEBUG ? err.stack : err.message}\n`);
    }
    process.exitCode = 1;
  }
}
