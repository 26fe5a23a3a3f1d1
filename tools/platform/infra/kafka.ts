// Apache Kafka in KRaft mode (one node, broker + controller), jars resolved from Maven Central by
// tools/platform/kafka/pom.xml, run with the machine's Java 17+.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { baseEnv, PlatformError, type Ctx, type Driver } from '../context.ts';
import { kafkaAdmin, kafkaReady } from '../probes.ts';
import { kafkaJvmArgs, kafkaLog4j2Properties, kafkaServerProperties } from '../render.ts';
import {
  requireCommand,
  requireJava17,
  run,
  sha256Files,
  stampMatches,
  writeStamp,
} from '../setup.ts';
import { loadState, logFile, newKafkaClusterId, saveState } from '../state.ts';
import { port } from '../topology.ts';

/** Chosen in docs/decisions/0002-kafka-version.md (keep pom.xml's kafka.version equal). */
export const KAFKA_VERSION = '4.4.0';

export interface TopicSpec {
  name: string;
  partitions: number;
}

function pomFile(ctx: Ctx): string {
  return join(ctx.paths.repo, 'tools', 'platform', 'kafka', 'pom.xml');
}

export function kafkaLibsDir(ctx: Ctx): string {
  return join(ctx.paths.tools, 'kafka', KAFKA_VERSION, 'libs');
}

export function brokers(ctx: Ctx): string[] {
  return [`127.0.0.1:${port(ctx.ports, 'kafka', 'broker')}`];
}

/** The Kafka jars (resolved with Maven when missing or when pom.xml changed). */
export function ensureJars(ctx: Ctx): string {
  const libs = kafkaLibsDir(ctx);
  const key = sha256Files([pomFile(ctx)], KAFKA_VERSION);
  if (
    existsSync(join(libs, `kafka_2.13-${KAFKA_VERSION}.jar`)) &&
    stampMatches(ctx.paths, 'kafka', key)
  )
    return libs;
  requireJava17();
  requireCommand(
    'mvn',
    'resolving the Kafka jars',
    'Install Apache Maven 3.6+ (Debian: apt-get install maven).',
  );
  ctx.log(`kafka: resolving Kafka ${KAFKA_VERSION} jars with Maven into ${libs}`);
  const tmp = `${libs}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  run(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      pomFile(ctx),
      `-Dkafka.version=${KAFKA_VERSION}`,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${tmp}`,
    ],
    { what: 'mvn dependency:copy-dependencies (Kafka)' },
  );
  if (!existsSync(join(tmp, `kafka_2.13-${KAFKA_VERSION}.jar`))) {
    throw new PlatformError(`mvn did not produce kafka_2.13-${KAFKA_VERSION}.jar in ${tmp}`);
  }
  rmSync(libs, { recursive: true, force: true });
  mkdirSync(join(libs, '..'), { recursive: true });
  renameSync(tmp, libs);
  writeStamp(ctx.paths, 'kafka', key, { version: KAFKA_VERSION, jars: readdirSync(libs).length });
  return libs;
}

function files(ctx: Ctx): { dir: string; props: string; log4j2: string; data: string } {
  const dir = join(ctx.paths.config, 'kafka');
  return {
    dir,
    props: join(dir, 'server.properties'),
    log4j2: join(dir, 'log4j2.properties'),
    data: join(ctx.paths.data, 'kafka'),
  };
}

/** Topics from libs/contracts/src/events/topics.json (if present), each with its `<topic>.dlq`. */
export function wantedTopics(repo: string): TopicSpec[] {
  const f = join(repo, 'libs', 'contracts', 'src', 'events', 'topics.json');
  if (!existsSync(f)) return [];
  const list = JSON.parse(readFileSync(f, 'utf8')) as unknown;
  if (!Array.isArray(list))
    throw new PlatformError(`${f}: expected an array of { name, partitions }`);
  const out: TopicSpec[] = [];
  for (const t of list as { name?: unknown; partitions?: unknown }[]) {
    if (
      typeof t.name !== 'string' ||
      !Number.isInteger(t.partitions) ||
      (t.partitions as number) < 1
    ) {
      throw new PlatformError(
        `${f}: bad entry ${JSON.stringify(t)} (expected { "name": string, "partitions": integer >= 1 })`,
      );
    }
    out.push({ name: t.name, partitions: t.partitions as number });
    if (!t.name.endsWith('.dlq'))
      out.push({ name: `${t.name}.dlq`, partitions: t.partitions as number });
  }
  return out.filter((t, i) => out.findIndex((o) => o.name === t.name) === i);
}

export async function ensureTopics(
  ctx: Ctx,
  topics: TopicSpec[],
): Promise<{ created: string[]; grown: string[] }> {
  const result = { created: [] as string[], grown: [] as string[] };
  if (topics.length === 0) return result;
  const admin = kafkaAdmin(brokers(ctx), 15_000);
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.name));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: 1,
        })),
        waitForLeaders: true,
        timeout: 15_000,
      });
      result.created.push(...missing.map((t) => t.name));
    }
    const present = topics.filter((t) => existing.has(t.name));
    if (present.length > 0) {
      const meta = await admin.fetchTopicMetadata({ topics: present.map((t) => t.name) });
      const grow: { topic: string; count: number }[] = [];
      for (const t of present) {
        const have = meta.topics.find((m) => m.name === t.name)?.partitions.length ?? 0;
        if (have < t.partitions) grow.push({ topic: t.name, count: t.partitions });
        else if (have > t.partitions)
          ctx.log(
            `kafka: topic ${t.name} has ${have} partitions, topics.json says ${t.partitions} (partitions cannot shrink; left as is)`,
          );
      }
      if (grow.length > 0) {
        await admin.createPartitions({ topicPartitions: grow });
        result.grown.push(...grow.map((g) => g.topic));
      }
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return result;
}

export const kafka: Driver = {
  name: 'kafka',
  stopSignal: 'SIGTERM',
  stopTimeoutMs: 30_000,
  readyTimeoutMs: 120_000,

  async ensureTools(ctx) {
    ensureJars(ctx);
  },

  async prepare(ctx) {
    const libs = ensureJars(ctx);
    requireJava17();
    const f = files(ctx);
    mkdirSync(f.dir, { recursive: true });
    mkdirSync(f.data, { recursive: true });
    writeFileSync(f.props, kafkaServerProperties({ ports: ctx.ports, logDir: f.data }));
    writeFileSync(f.log4j2, kafkaLog4j2Properties());
    const jvm = kafkaJvmArgs({ log4j2File: f.log4j2, logsDir: ctx.paths.logs, libsDir: libs });
    if (!existsSync(join(f.data, 'meta.properties'))) {
      const state = loadState(ctx.paths);
      if (!state.kafkaClusterId) {
        state.kafkaClusterId = newKafkaClusterId();
        saveState(ctx.paths, state);
      }
      ctx.log(`kafka: formatting storage in ${f.data} (cluster ${state.kafkaClusterId})`);
      const r = run(
        'java',
        [...jvm, 'kafka.tools.StorageTool', 'format', '-t', state.kafkaClusterId, '-c', f.props],
        {
          what: 'kafka storage format',
          env: baseEnv(ctx),
        },
      );
      writeFileSync(logFile(ctx.paths, 'kafka'), `${r.stdout}${r.stderr}`, { flag: 'a' });
    }
    return {
      command: 'java',
      args: [...jvm, 'kafka.Kafka', f.props],
      cwd: ctx.paths.state,
      env: baseEnv(ctx),
    };
  },

  async ready(ctx) {
    return kafkaReady(brokers(ctx), 3000);
  },

  async afterReady(ctx) {
    const topics = wantedTopics(ctx.paths.repo);
    if (topics.length === 0) {
      ctx.log('kafka: no libs/contracts/src/events/topics.json: no topics to create');
      return;
    }
    const r = await ensureTopics(ctx, topics);
    if (r.created.length > 0)
      ctx.log(`kafka: created ${r.created.length} topic(s): ${r.created.join(', ')}`);
    if (r.grown.length > 0) ctx.log(`kafka: added partitions to ${r.grown.join(', ')}`);
  },

  dataDirs(ctx) {
    return [files(ctx).data];
  },

  endpoints(ctx) {
    return { brokers: brokers(ctx).join(',') };
  },
};
