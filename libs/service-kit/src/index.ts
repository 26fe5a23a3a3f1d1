export * from './bootstrap';
export * from './config/config.module';
export * from './config/env';
export * from './grpc/channel';
export * from './grpc/client';
export * from './grpc/deadline.interceptor';
export * from './grpc/errors';
export * from './grpc/server';
export * from './health/health.module';
export {
  Readiness,
  type CheckOptions,
  type ReadinessCheck,
  type ReadinessReport,
} from '@ordermesh/observability';
export * from './service.module';
export * from './grpc/health-probe';
export * from './http/deadline.middleware';
export * from './http/trusted-proxies';
export * from './grpc/error.interceptor';
export * from './grpc/input.interceptor';
export * from './health/management';
