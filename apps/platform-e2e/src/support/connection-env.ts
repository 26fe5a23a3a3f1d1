import { readFileSync } from 'node:fs';
import { CONNECTION_FILE } from './connection-file';

/** How to reach the platform under test, from `ordermesh connection-info`. */
export interface Connection {
  kafka: { brokers: string[] };
  postgres: {
    host: string;
    port: number;
    superuser: { user: string; password: string; url: string };
    databases: Record<string, { database: string; user: string; password: string; url: string }>;
  };
  mongodb: { url: string };
  redis: { url: string };
  jaeger: { ui: string };
  prometheus: { url: string };
  /** The log store's HTTP API (`/select/logsql/query`). */
  victorialogs: { url: string };
  /** `management`: where readiness and metrics answer (the HTTP port of the internal services). */
  services: Record<string, { http: string; management: string; grpc?: string }>;
}

export const connection: Connection = JSON.parse(readFileSync(CONNECTION_FILE, 'utf8'));
process.env['KAFKA_BROKERS'] = connection.kafka.brokers.join(',');
process.env['E2E_POSTGRES_URL'] = connection.postgres.superuser.url;
process.env['E2E_GATEWAY_URL'] = connection.services['gateway']!.http;
