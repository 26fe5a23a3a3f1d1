// The raw drivers the baselines use, loaded from the workspace's node_modules (the services' own
// copies: pg, kafkajs, @grpc/grpc-js, and the mongodb driver under mongoose).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const pg = (): typeof import('pg') => require('pg') as typeof import('pg');
export const kafkajs = (): typeof import('kafkajs') =>
  require('kafkajs') as typeof import('kafkajs');
export const grpc = (): typeof import('@grpc/grpc-js') =>
  require('@grpc/grpc-js') as typeof import('@grpc/grpc-js');

/** The mongodb driver, typed only as far as the baseline uses it. */
export interface MongoCollection {
  findOne(filter: Record<string, unknown>): Promise<Record<string, unknown> | null>;
}
export interface MongoClientLike {
  connect(): Promise<unknown>;
  db(name?: string): { collection(name: string): MongoCollection };
  close(): Promise<void>;
}
export const mongodb = (): {
  MongoClient: new (url: string, options?: object) => MongoClientLike;
} => {
  const fromMongoose = createRequire(require.resolve('mongoose'));
  return fromMongoose('mongodb') as {
    MongoClient: new (url: string, options?: object) => MongoClientLike;
  };
};
