export * from './typeorm.module';
export * from './pg-errors';
export * from './redis.module';
export * from './mongo.module';
export * from './retention';
export * from './prepared-statements';
