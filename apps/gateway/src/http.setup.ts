import type { INestApplication } from '@nestjs/common';
import { RequestMethod, ValidationPipe } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import {
  SERVICE_CONFIG,
  remainingDeadlineMiddleware,
  trustProxySetting,
} from '@ordermesh/service-kit';
import helmet from 'helmet';
import { bodyParsing } from './common/body-parsing';
import { ErrorFilter } from './common/error.filter';
import { RateLimits } from './common/rate-limit';
import type { GatewayEnv } from './config/env.schema';

export const API_PREFIX = 'api/v1';

/** The public edge: client-address rate limit, security headers, CORS, body limit, strict validation, one error shape, docs. */
export function configureHttp(app: INestApplication): void {
  const config = app.get<GatewayEnv>(SERVICE_CONFIG);
  const express = app.getHttpAdapter().getInstance() as { set(key: string, value: unknown): void };
  // X-Forwarded-For only from the configured proxies: otherwise a client picks its own limit key.
  express.set('trust proxy', trustProxySetting(config));

  // First, before the body is read or the caller authenticated: refusals (401, 403, 413) count.
  app.use(app.get(RateLimits).clientAddressLimit());
  app.use(helmet());
  app.enableCors({
    origin: config.CORS_ORIGINS.length ? config.CORS_ORIGINS : false,
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
    exposedHeaders: ['Retry-After', 'X-Request-Id'],
  });
  // JSON only, then depth, entry count, string length and NUL bounded before routing/validation;
  // parser and bounds errors (413, 415, 400) answered in the one error shape.
  for (const handler of bodyParsing(config.BODY_LIMIT)) app.use(handler);
  app.use(remainingDeadlineMiddleware(config.REQUEST_TIMEOUT_MS));

  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
    }),
  );
  app.useGlobalFilters(new ErrorFilter());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Ordermesh API')
      .setDescription('The public REST API of the Ordermesh order platform')
      .setVersion('1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
