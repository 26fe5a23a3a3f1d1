// Programmatic API of the local platform, for test harnesses and scripts run by Node >= 24:
//
//   import { platform } from './tools/platform/index.ts';
//   const p = platform('test');
//   await p.up();                 // or p.up(['order']), p.up([], { infraOnly: true })
//   await p.kill('kafka'); await p.start('kafka');
//   console.log(p.ports.kafka.broker, p.serviceEnv('order').DATABASE_URL);
//   await p.down();
//
// (jest specs, which cannot load these .ts modules, spawn `ordermesh connection-info --json`.)
import { Platform, type PlatformOptions } from './platform.ts';
import { resolveProfile, type Profile } from './topology.ts';

export type { ConnectionInfo, DownReport, PlatformOptions, StatusRow } from './platform.ts';
export type { Profile, PortMap } from './topology.ts';
export { COMPONENTS, INFRA_NAMES, SERVICE_NAMES } from './topology.ts';
export { Platform } from './platform.ts';

/** The platform of a profile (default: $ORDERMESH_PROFILE or dev). */
export function platform(profile?: Profile, opts: PlatformOptions = {}): Platform {
  return new Platform(resolveProfile(profile, opts.env ?? process.env), opts);
}
