// Types of initdb.mjs (plain JavaScript: it runs inside the image, where no TypeScript is).
export interface MongodOptions {
  auth: boolean;
  /** '' = every interface (--bind_ip_all). */
  host: string;
  port: number;
  dbpath: string;
}
export function parseArgs(argv: string[]): MongodOptions;
export interface PlannedOp {
  op: 'createUser';
  db: string;
  doc: { user?: unknown; pwd?: unknown; roles?: unknown };
}
export function planScript(
  code: string,
  filename: string,
  env: Record<string, string | undefined>,
  log?: (msg: string) => void,
): PlannedOp[];
