import { connection } from './connection-env';

/** `host:port` of a service's gRPC server on the platform under test. */
export function grpcAddress(service: string): string {
  const address = connection.services[service]?.grpc;
  if (!address) throw new Error(`the connection info has no gRPC address for ${service}`);
  return address;
}

/** The URL of a relational service's own database (its own role). */
export function databaseUrl(service: string): string {
  const url = connection.postgres.databases[service]?.url;
  if (!url) throw new Error(`the connection info has no database for ${service}`);
  return url;
}
