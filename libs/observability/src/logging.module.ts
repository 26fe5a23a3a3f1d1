import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CallHandler,
  DynamicModule,
  ExecutionContext,
  Injectable,
  InjectionToken,
  Module,
  NestInterceptor,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { Observable, tap } from 'rxjs';
import { REQUEST_ID_HEADER, getRequestId, isWellFormedRequestId } from './request-id';
import { redactKeys, redactValues } from './redaction';
import { setSpanAttributes } from './span-attributes';

/**
 * What every service's pino logger is built with: level, service name, correlation fields, and
 * redaction twice over — by key (redactKeys, on each line's fields: secrets without a shape, such
 * as passwords; the services make no child loggers, pino-http's request binding is reduced to id,
 * method and URL by its serializer) and by value on the finished line (redactValues: tokens, emails, card numbers, password hashes,
 * wherever they appear, messages and error details included).
 */
export function pinoOptions(service: string, level: string) {
  return {
    level,
    base: { service },
    mixin: logCorrelation,
    formatters: { log: redactKeys },
    hooks: { streamWrite: redactValues },
  };
}

/**
 * The fields added to every line: the request id of the request being handled (the trace id and
 * span id come from the OpenTelemetry pino instrumentation, as trace_id / span_id / trace_flags).
 */
export function logCorrelation(): { request_id?: string } {
  const requestId = getRequestId();
  return requestId ? { request_id: requestId } : {};
}

/**
 * The request id of an inbound HTTP request: the one the telemetry propagator put in the context
 * (the caller's well-formed `x-request-id`, or a new one), else the header, else a new UUID. It is
 * echoed in the response's `x-request-id` and recorded on the HTTP server span.
 */
export function requestIdOf(request: IncomingMessage, response?: ServerResponse): string {
  const existing = (request as IncomingMessage & { id?: unknown }).id;
  if (isWellFormedRequestId(existing)) return existing;
  const header = request.headers[REQUEST_ID_HEADER];
  const id = getRequestId() ?? (isWellFormedRequestId(header) ? header : randomUUID());
  if (response && !response.headersSent) response.setHeader(REQUEST_ID_HEADER, id);
  setSpanAttributes({ 'ordermesh.request.id': id });
  return id;
}

const GRPC_CODE_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];
/** Codes that mean the server (or something behind it) failed, as opposed to the caller. */
export const GRPC_SERVER_ERROR_CODES = new Set([2, 4, 13, 14, 15]);

/**
 * One line per handled gRPC call, like pino-http's "request completed" for HTTP: service, method,
 * status code and duration (never the request or response bodies). grpc.health.v1 is not logged.
 */
@Injectable()
export class GrpcLoggingInterceptor implements NestInterceptor {
  constructor(private readonly logger: PinoLogger) {
    logger.setContext('grpc');
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const service = context.getClass().name.replace(/Controller$/, '');
    if (/health/i.test(service)) return next.handle();
    const method = context.getHandler().name;
    const started = performance.now();
    const done = (code: number) => {
      const fields = {
        grpc: { service, method, code: GRPC_CODE_NAMES[code] ?? String(code) },
        responseTime: Math.round(performance.now() - started),
      };
      if (GRPC_SERVER_ERROR_CODES.has(code)) this.logger.warn(fields, 'rpc failed');
      else this.logger.info(fields, 'rpc completed');
    };
    return next.handle().pipe(
      tap({
        complete: () => done(0),
        error: (error: { code?: unknown; error?: { code?: unknown } }) => {
          const code = error?.code ?? error?.error?.code;
          done(typeof code === 'number' ? code : 2);
        },
      }),
    );
  }
}

/**
 * Structured JSON logs (pino). Every line written while handling a request carries `trace_id`,
 * `span_id` (OTel pino instrumentation) and `request_id`; HTTP lines also carry `req` (id, method,
 * URL — never headers or bodies). Secrets are redacted by key and by value (pinoOptions).
 */
@Module({})
export class LoggingModule {
  static forRoot<C>(options: {
    service: string;
    /** Reads the level from an injected configuration, so it is validated with the rest. */
    inject: InjectionToken[];
    level: (config: C) => string;
  }): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: options.inject,
          useFactory: (config: C) => ({
            pinoHttp: {
              ...pinoOptions(options.service, options.level(config)),
              genReqId: requestIdOf,
              autoLogging: { ignore: (request) => /^\/(health|metrics)/.test(request.url ?? '') },
              serializers: {
                req: (request: { id: unknown; method: string; url: string }) => ({
                  id: request.id,
                  method: request.method,
                  url: request.url,
                }),
                res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
              },
            },
          }),
        }),
      ],
      providers: [{ provide: APP_INTERCEPTOR, useClass: GrpcLoggingInterceptor }],
    };
  }
}
