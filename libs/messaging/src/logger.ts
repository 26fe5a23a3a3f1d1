/**
 * What the messaging core logs through. Nest's `Logger` satisfies it (and, with nestjs-pino, ends
 * up in the service's JSON log); plain scripts and tests may pass nothing.
 */
export interface MessagingLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string, stack?: string): void;
}

export const silentLogger: MessagingLogger = {
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
