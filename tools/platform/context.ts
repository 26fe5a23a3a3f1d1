// What every component driver gets, and what it must provide.
import type { Paths } from './state.ts';
import type { SpawnSpec } from './proc.ts';
import type { PlatformSecrets, PortMap, Profile } from './topology.ts';

export interface Ctx {
  readonly profile: Profile;
  readonly paths: Paths;
  readonly ports: PortMap;
  /** The host environment the CLI/API was started with (port overrides, admin credentials...). */
  readonly env: NodeJS.ProcessEnv;
  /** Marker put in every spawned process's environment, to find strays: `<profile>-<repo hash>`. */
  readonly platformId: string;
  secrets(): PlatformSecrets;
  log(message: string): void;
}

export interface Driver {
  readonly name: string;
  /** Signal for a graceful stop of the process group (SIGKILL follows after stopTimeoutMs). */
  readonly stopSignal: NodeJS.Signals;
  readonly stopTimeoutMs: number;
  readonly readyTimeoutMs: number;
  /** Installs/builds what the component needs (cached; fast when nothing is missing). */
  ensureTools(ctx: Ctx): Promise<void>;
  /** Checks tools, renders config, initialises data; returns how to start the process. */
  prepare(ctx: Ctx): Promise<SpawnSpec>;
  /** One readiness probe; true when the component serves. */
  ready(ctx: Ctx): Promise<boolean>;
  /** Idempotent provisioning after readiness (roles/databases, topics). Runs on every `up`/`start`. */
  afterReady?(ctx: Ctx): Promise<void>;
  /** Data folders removed by `down --volumes`. */
  dataDirs(ctx: Ctx): string[];
  /** Human-readable endpoints, for `urls`. */
  endpoints(ctx: Ctx): Record<string, string>;
}

export class PlatformError extends Error {
  readonly details: string | undefined;
  constructor(message: string, details?: string) {
    super(message);
    this.name = 'PlatformError';
    this.details = details;
  }
}

/** Minimal environment for spawned processes: nothing of the caller's shell leaks in but these. */
export function baseEnv(ctx: Ctx): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'JAVA_HOME']) {
    const v = ctx.env[k];
    if (v) out[k] = v;
  }
  out.ORDERMESH_PLATFORM_ID = ctx.platformId;
  return out;
}
