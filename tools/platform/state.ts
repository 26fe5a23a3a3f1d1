// Where things live on disk, and the per-profile secrets (generated once, mode 600, never printed).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { POSTGRES_SERVICES, type PlatformSecrets, type Profile } from './topology.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Paths {
  readonly repo: string;
  /** `.ordermesh/tools`: installed tools and caches (git-ignored, shared by profiles). */
  readonly tools: string;
  readonly toolsBin: string;
  readonly stamps: string;
  /** `.ordermesh/run/<profile>`. */
  readonly state: string;
  readonly pids: string;
  readonly logs: string;
  readonly data: string;
  readonly config: string;
  readonly secretsFile: string;
  readonly stateFile: string;
  /** World-readable cache outside the repo for binaries that run as an unprivileged user (root only). */
  readonly sharedCache: string;
  /** World-traversable per-profile folder outside the repo for data owned by that user (root only). */
  readonly sharedState: string;
}

export function repoHash(repo: string): string {
  return createHash('sha256').update(repo).digest('hex').slice(0, 8);
}

export function paths(profile: Profile, repo: string = REPO_ROOT): Paths {
  const tools = join(repo, '.ordermesh', 'tools');
  const state = join(repo, '.ordermesh', 'run', profile);
  const shared = process.env.ORDERMESH_SHARED_DIR || '/var/tmp/ordermesh';
  return {
    repo,
    tools,
    toolsBin: join(tools, 'bin'),
    stamps: join(tools, 'stamps'),
    state,
    pids: join(state, 'pids'),
    logs: join(state, 'logs'),
    data: join(state, 'data'),
    config: join(state, 'config'),
    secretsFile: join(state, 'secrets.json'),
    stateFile: join(state, 'state.json'),
    sharedCache: shared,
    sharedState: join(shared, `${profile}-${repoHash(repo)}`),
  };
}

export function ensureDirs(p: Paths): void {
  for (const d of [p.state, p.pids, p.logs, p.data, p.config]) mkdirSync(d, { recursive: true });
}

export function logFile(p: Paths, component: string): string {
  return join(p.logs, `${component}.log`);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random string of URL-safe letters and digits (no modulo bias). */
export function randomToken(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += ALPHABET[b % 62];
    }
  }
  return out;
}

function writeFileAtomic(file: string, content: string, mode: number): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

/** Loads the profile's secrets, generating (and storing, mode 600) any that are missing. */
export function loadSecrets(p: Paths): PlatformSecrets {
  let stored: Partial<PlatformSecrets> = {};
  if (existsSync(p.secretsFile))
    stored = JSON.parse(readFileSync(p.secretsFile, 'utf8')) as Partial<PlatformSecrets>;
  const servicePasswords: Record<string, string> = { ...(stored.servicePasswords ?? {}) };
  let changed = !existsSync(p.secretsFile);
  for (const s of POSTGRES_SERVICES) {
    if (!servicePasswords[s]) {
      servicePasswords[s] = randomToken(32);
      changed = true;
    }
  }
  if (!stored.postgresSuperuserPassword && existsSync(p.sharedState)) {
    // A new superuser password, yet PostgreSQL data in this checkout's shared folder: it was left
    // by an earlier clone at the same path (the folder is named after the path) and can never be
    // opened with the new password. It belongs to nobody any more.
    rmSync(p.sharedState, { recursive: true, force: true });
  }
  const secrets: PlatformSecrets = {
    jwtSecret: stored.jwtSecret || randomToken(48),
    postgresSuperuserPassword: stored.postgresSuperuserPassword || randomToken(32),
    servicePasswords,
  };
  if (changed || !stored.jwtSecret || !stored.postgresSuperuserPassword) {
    writeFileAtomic(p.secretsFile, `${JSON.stringify(secrets, null, 2)}\n`, 0o600);
  } else {
    chmodSync(p.secretsFile, 0o600);
  }
  return secrets;
}

/** Non-secret persistent facts of a profile (e.g. the Kafka cluster id). */
export interface PlatformState {
  kafkaClusterId?: string;
  /** Replicas per scaled service (`ordermesh scale`); absent = 1. `down` forgets them. */
  replicas?: Record<string, number>;
}

export function loadState(p: Paths): PlatformState {
  if (!existsSync(p.stateFile)) return {};
  return JSON.parse(readFileSync(p.stateFile, 'utf8')) as PlatformState;
}

export function saveState(p: Paths, s: PlatformState): void {
  writeFileAtomic(p.stateFile, `${JSON.stringify(s, null, 2)}\n`, 0o644);
}

/** A Kafka cluster id: 16 random bytes, base64url without padding (like `kafka-storage random-uuid`). */
export function newKafkaClusterId(): string {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
}
