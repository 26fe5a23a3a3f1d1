import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import helmet from 'helmet';
import { SERVICE_CONFIG, trustProxySetting } from '@ordermesh/service-kit';
import { PageErrorFilter } from './common/page-error.filter';
import type { StorefrontEnv } from './config/env.schema';
import { Views } from './views/views';

const PICO_CSS = require.resolve('@picocss/pico/css/pico.min.css');

/** Security headers (a strict CSP: scripts and styles from this origin only), cookies, assets. */
export function configureHttp(app: INestApplication): void {
  const server = app.getHttpAdapter().getInstance() as express.Express;
  // The visitor's address, passed on to the gateway's rate limits: X-Forwarded-For only from the
  // configured proxies (the chart's ingress), otherwise a visitor picks its own limit key.
  server.set('trust proxy', trustProxySetting(app.get<StorefrontEnv>(SERVICE_CONFIG)));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
    }),
  );
  app.use(cookieParser());
  // Cookies are SameSite=Lax; a browser that says a form came from another site is refused too.
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method === 'POST' && request.headers['sec-fetch-site'] === 'cross-site') {
      response.status(403).type('text').send('cross-site form posts are refused');
      return;
    }
    next();
  });
  server.get('/assets/pico.min.css', (_request: Request, response: Response) =>
    response.sendFile(PICO_CSS, { maxAge: '1d' }),
  );
  app.use('/assets', express.static(join(__dirname, 'public'), { maxAge: '1h', index: false }));
  app.useGlobalFilters(new PageErrorFilter(app.get(Views)));
}
