import { Module } from '@nestjs/common';
import { MongoModule } from '@ordermesh/persistence';
import { ServiceModule } from '@ordermesh/service-kit';
import { envSchema } from './config/env.schema';
import { ProductsModule } from './products/products.module';

@Module({
  imports: [
    ServiceModule.forRoot({ name: 'product', envSchema, grpc: true }),
    MongoModule.forRoot(),
    ProductsModule,
  ],
})
export class AppModule {}
