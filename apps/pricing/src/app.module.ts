import { Module } from '@nestjs/common';
import {
  KafkaModule,
  MESSAGING_ENTITIES,
  MESSAGING_MIGRATIONS,
  OutboxModule,
} from '@ordermesh/messaging';
import { PostgresModule } from '@ordermesh/persistence';
import { ServiceModule } from '@ordermesh/service-kit';
import { envSchema } from './config/env.schema';
import { CreatePrices1764200000000 } from './prices/migrations/1764200000000-create-prices';
import { PriceEntity } from './prices/price.entity';
import { PricesModule } from './prices/prices.module';

@Module({
  imports: [
    ServiceModule.forRoot({ name: 'pricing', envSchema, grpc: true }),
    PostgresModule.forRoot({
      entities: [PriceEntity, ...MESSAGING_ENTITIES],
      migrations: [...MESSAGING_MIGRATIONS, CreatePrices1764200000000],
    }),
    KafkaModule.forRoot({ clientId: 'pricing' }),
    OutboxModule.forRoot(),
    PricesModule,
  ],
})
export class AppModule {}
