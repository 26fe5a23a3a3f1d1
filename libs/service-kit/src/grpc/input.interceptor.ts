import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { containsNul } from '@ordermesh/contracts';
import { Observable, throwError } from 'rxjs';
import { invalidArgument } from './errors';

/** Deeper than any Ordermesh message; a request nested further is refused rather than walked. */
const MAX_DEPTH = 32;
const MAX_VALUES = 100_000;

/**
 * The path of the first string holding NUL in a decoded request message ('' for the message
 * itself), or undefined. Iterative and bounded, so no message can make it recurse or spin.
 */
export function findNulString(message: unknown): string | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [
    { value: message, path: '', depth: 0 },
  ];
  for (let seen = 0; stack.length > 0 && seen < MAX_VALUES; seen++) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (containsNul(value)) return path || '(message)';
    } else if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
      if (depth >= MAX_DEPTH) continue;
      for (const [key, child] of Object.entries(value)) {
        stack.push({ value: child, path: path ? `${path}.${key}` : key, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/**
 * Defence in depth for every gRPC server: a request with NUL in any string field is
 * INVALID_ARGUMENT before a handler runs (PostgreSQL refuses NUL in text; no Ordermesh field may
 * hold it). The gateway's field rules refuse it first; this covers every other caller and every
 * field a rule forgot.
 */
@Injectable()
export class GrpcInputInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const field = findNulString(context.switchToRpc().getData());
    if (field !== undefined) {
      return throwError(() => invalidArgument(`${field} must not contain NUL characters`));
    }
    return next.handle();
  }
}
