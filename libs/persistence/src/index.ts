export * from './typeorm.module';
export * from './pg-errors';
