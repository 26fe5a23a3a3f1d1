// `ordermesh tail <topic>` (`make tail TOPIC=…`): a topic's events as they arrive, through Kafka's
// own console consumer (org.apache.kafka.tools.consumer.ConsoleConsumer from the platform's jars),
// one JSON object per line: when, where (partition, offset), key, event type, headers and the
// decoded value (the event envelope of libs/contracts is JSON; anything else is printed as text).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { baseEnv, PlatformError, type Ctx } from './context.ts';
import { brokers, ensureJars, wantedTopics } from './infra/kafka.ts';
import { kafkaReady } from './probes.ts';
import { requireJava17 } from './setup.ts';

/** Between the fields of a record, and between headers (control characters JSON never contains). */
const FIELD = '\u001f';
const HEADER = '\u001e';
const NULL = '\u0001null';

export interface TailOptions {
  topic: string;
  /** `latest` (default: only what arrives from now on) or `beginning`. */
  from: 'latest' | 'beginning';
  /** Stop after this many events. */
  max?: number | undefined;
  /** Stop after this many seconds. */
  timeoutSeconds?: number | undefined;
  /** Indented JSON instead of one line per event. */
  pretty?: boolean | undefined;
}

export interface TailedEvent {
  time: string | null;
  topic: string;
  partition: number | null;
  offset: number | null;
  key: string | null;
  type: string | null;
  headers: Record<string, string>;
  value: unknown;
}

/** `--from`, `--max`, `--timeout` as given on the command line (or by make's FROM, MAX, TIMEOUT). */
export function parseTailArgs(
  positionals: readonly string[],
  values: { from?: string | undefined; max?: string | undefined; timeout?: string | undefined },
  topics: readonly string[],
): TailOptions {
  const [topic, ...extra] = positionals;
  const list = `topics: ${topics.join(', ')}`;
  if (!topic || extra.length > 0)
    throw new PlatformError(
      `expected exactly one topic: tail <topic> (make tail TOPIC=…)\n${list}`,
    );
  if (!topics.includes(topic)) throw new PlatformError(`unknown topic "${topic}"\n${list}`);
  const from = values.from ?? 'latest';
  if (from !== 'latest' && from !== 'beginning')
    throw new PlatformError(`--from (FROM=) is "latest" or "beginning", got "${from}"`);
  const count = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined || v === '') return undefined;
    if (!/^\d+$/.test(v) || Number(v) < 1)
      throw new PlatformError(`${name} expects a whole number ≥ 1, got "${v}"`);
    return Number(v);
  };
  return {
    topic,
    from,
    max: count('--max (MAX=)', values.max),
    timeoutSeconds: count('--timeout (TIMEOUT=, seconds)', values.timeout),
  };
}

/** The console consumer's arguments: every field printed, separated by FIELD. */
export function consoleConsumerArgs(opts: TailOptions, bootstrap: string): string[] {
  const property = (k: string, v: string): string[] => ['--formatter-property', `${k}=${v}`];
  return [
    'org.apache.kafka.tools.consumer.ConsoleConsumer',
    '--bootstrap-server',
    bootstrap,
    '--topic',
    opts.topic,
    ...(opts.from === 'beginning' ? ['--from-beginning'] : []),
    ...(opts.max ? ['--max-messages', String(opts.max)] : []),
    ...property('print.timestamp', 'true'),
    ...property('print.partition', 'true'),
    ...property('print.offset', 'true'),
    ...property('print.headers', 'true'),
    ...property('print.key', 'true'),
    ...property('print.value', 'true'),
    ...property('key.separator', FIELD),
    ...property('headers.separator', HEADER),
    ...property('null.literal', NULL),
  ];
}

/** Quiet logging on stderr: stdout carries only the records. */
function log4j2(): string {
  return [
    'status = error',
    'appender.err.type = Console',
    'appender.err.name = STDERR',
    'appender.err.target = SYSTEM_ERR',
    'appender.err.layout.type = PatternLayout',
    'appender.err.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = warn',
    'rootLogger.appenderRef.err.ref = STDERR',
    '',
  ].join('\n');
}

function clientEnv(ctx: Ctx): Record<string, string> {
  const { ORDERMESH_PLATFORM_ID: _id, ...env } = baseEnv(ctx);
  return env;
}

const orNull = (s: string | undefined): string | null => (s === undefined || s === NULL ? null : s);

/** Decodes a value: JSON when it is JSON (every event envelope), else the text itself. */
export function decodeValue(raw: string | null): unknown {
  if (raw === null) return null;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/**
 * One line of the console consumer (DefaultMessageFormatter, fields in its order:
 * `CreateTime:<ms>`, `Partition:<n>`, `Offset:<n>`, headers, key, value).
 */
export function parseRecord(topic: string, line: string): TailedEvent {
  const fields = line.split(FIELD);
  const take = (prefix: RegExp): string | undefined =>
    fields[0] !== undefined && prefix.test(fields[0]) ? fields.shift() : undefined;
  const ts = take(/^(CreateTime|LogAppendTime|NO_TIMESTAMP)/);
  const partition = take(/^Partition:/);
  const offset = take(/^Offset:/);
  const [headerField, key, ...rest] = fields;
  const headers: Record<string, string> = {};
  if (headerField && headerField !== 'NO_HEADERS') {
    for (const h of headerField.split(HEADER)) {
      const i = h.indexOf(':');
      if (i > 0) headers[h.slice(0, i)] = orNull(h.slice(i + 1)) ?? '';
    }
  }
  const value = decodeValue(orNull(rest.join(FIELD)));
  const ms = ts ? Number(ts.slice(ts.indexOf(':') + 1)) : NaN;
  const type =
    value && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string'
      ? (value as { type: string }).type
      : null;
  return {
    time: Number.isFinite(ms) && ms >= 0 ? new Date(ms).toISOString() : null,
    topic,
    partition: partition ? Number(partition.slice('Partition:'.length)) : null,
    offset: offset ? Number(offset.slice('Offset:'.length)) : null,
    key: orNull(key),
    type,
    headers,
    value,
  };
}

export function formatEvent(e: TailedEvent, pretty = false): string {
  return JSON.stringify(e, null, pretty ? 2 : undefined);
}

/** The topic names `tail` accepts: libs/contracts' topic list and each topic's `.dlq`. */
export function tailTopics(ctx: Ctx): string[] {
  return wantedTopics(ctx.paths.repo).map((t) => t.name);
}

/**
 * Runs the console consumer against the profile's broker and prints its records; resolves with
 * the number of events printed. With `max`, fails when fewer arrived before the timeout.
 */
export async function tail(ctx: Ctx, opts: TailOptions): Promise<number> {
  const bootstrap = brokers(ctx).join(',');
  if (!(await kafkaReady(brokers(ctx), 5000)))
    throw new PlatformError(
      `kafka of the ${ctx.profile} profile is not reachable at ${bootstrap} (start it: make up${ctx.profile === 'dev' ? '' : ` PROFILE=${ctx.profile}`})`,
    );
  const libs = ensureJars(ctx);
  requireJava17();
  const dir = join(ctx.paths.config, 'tail');
  mkdirSync(dir, { recursive: true });
  const log4j2File = join(dir, 'log4j2.properties');
  writeFileSync(log4j2File, log4j2());
  const java = spawn(
    'java',
    [
      '-Xmx256m',
      '-XX:TieredStopAtLevel=1',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${log4j2File}`,
      '-cp',
      `${libs}/*`,
      ...consoleConsumerArgs(opts, bootstrap),
    ],
    // A client of the platform, not a part of it: without the platform id `down` leaves it alone.
    { env: clientEnv(ctx), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  process.stderr.write(
    `tailing ${opts.topic} on ${bootstrap} (${ctx.profile} profile) from ${opts.from}${opts.max ? `, ${opts.max} event(s)` : ''}${opts.timeoutSeconds ? `, at most ${opts.timeoutSeconds} s` : ''}; Ctrl-C stops\n`,
  );
  let printed = 0;
  let stderr = '';
  let timedOut = false;
  java.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const lines = createInterface({ input: java.stdout });
  lines.on('line', (line) => {
    if (line === '') return;
    process.stdout.write(`${formatEvent(parseRecord(opts.topic, line), opts.pretty)}\n`);
    printed += 1;
  });
  const stop = (): void => {
    java.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const timer = opts.timeoutSeconds
    ? setTimeout(() => {
        timedOut = true;
        stop();
      }, opts.timeoutSeconds * 1000)
    : undefined;
  const code = await new Promise<number | null>((resolve) => java.on('close', resolve));
  if (timer) clearTimeout(timer);
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  // The consumer's own last line: "Processed a total of N messages".
  const problems = stderr
    .split('\n')
    .filter((l) => l.trim() && !/^Processed a total of \d+ messages?$/.test(l.trim()));
  if (code !== 0 && code !== null && !timedOut && code !== 143 && code !== 130)
    throw new PlatformError(`the console consumer exited with ${code}`, problems.join('\n'));
  if (opts.max && printed < opts.max)
    throw new PlatformError(
      `${printed} of ${opts.max} event(s) of ${opts.topic} arrived${timedOut ? ` within ${opts.timeoutSeconds} s` : ''}`,
      problems.join('\n') || undefined,
    );
  return printed;
}
