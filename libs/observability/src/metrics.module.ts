import {
  CallHandler,
  Controller,
  DynamicModule,
  ExecutionContext,
  Get,
  Global,
  Header,
  Injectable,
  MiddlewareConsumer,
  Module,
  NestInterceptor,
  NestMiddleware,
  SetMetadata,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { Observable, tap } from 'rxjs';
import { Metrics } from './metrics';

/**
 * Marks operational endpoints (health, metrics): no authentication, no rate limit. Guards of the
 * public edge check it.
 */
export const OPERATIONAL_ROUTE = 'ordermesh:operational';
export const Operational = () => SetMetadata(OPERATIONAL_ROUTE, true);

@Operational()
@Controller()
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

/** Records every HTTP request by method, matched route (never the raw path) and status code. */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: Metrics) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const end = this.metrics.httpServerDuration.startTimer({ method: request.method });
    response.on('finish', () => {
      const route = (request.route as { path?: string } | undefined)?.path;
      end({
        route: route ? `${request.baseUrl}${route}` : 'unmatched',
        status_code: String(response.statusCode),
      });
    });
    next();
  }
}

const GRPC_OK = 0;
const GRPC_UNKNOWN = 2;

/** Records every inbound gRPC call by service, method and status code. */
@Injectable()
export class GrpcMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: Metrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const end = this.metrics.grpcServerDuration.startTimer({
      grpc_service: context.getClass().name.replace(/Controller$/, ''),
      grpc_method: context.getHandler().name,
    });
    return next.handle().pipe(
      tap({
        complete: () => end({ grpc_code: String(GRPC_OK) }),
        error: (error: { code?: unknown; error?: { code?: unknown } }) => {
          const code = error?.code ?? error?.error?.code;
          end({ grpc_code: String(typeof code === 'number' ? code : GRPC_UNKNOWN) });
        },
      }),
    );
  }
}

@Global()
@Module({})
export class MetricsModule {
  static forRoot(service: string): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [
        { provide: Metrics, useValue: new Metrics(service) },
        HttpMetricsMiddleware,
        { provide: APP_INTERCEPTOR, useClass: GrpcMetricsInterceptor },
      ],
      exports: [Metrics],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // Probes and scrapes are not traffic: they would dominate every service's request rate.
    consumer
      .apply(HttpMetricsMiddleware)
      .exclude('metrics', 'health', 'health/{*path}')
      .forRoutes('{*path}');
  }
}
