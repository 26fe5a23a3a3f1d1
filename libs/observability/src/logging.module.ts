import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DynamicModule, InjectionToken, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

/** Paths that must never reach a log line: credentials, tokens, card data. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.cardNumber',
  '*.paymentMethod',
];

/**
 * Structured JSON logs (pino). The OTel pino instrumentation adds trace_id and span_id to every
 * line written inside a span; pino-http adds the request id (`x-request-id`, or a new UUID).
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
              level: options.level(config),
              base: { service: options.service },
              redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
              genReqId: (request: IncomingMessage) => {
                const header = request.headers['x-request-id'];
                return typeof header === 'string' && /^[\w-]{1,64}$/.test(header)
                  ? header
                  : randomUUID();
              },
              customAttributeKeys: { reqId: 'request_id' },
              autoLogging: { ignore: (request) => /^\/(health|metrics)/.test(request.url ?? '') },
              serializers: {
                req: (request: { id: unknown; method: string; url: string }) => ({
                  id: request.id,
                  method: request.method,
                  url: request.url,
                }),
              },
            },
          }),
        }),
      ],
    };
  }
}
