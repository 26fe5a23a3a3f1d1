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
import { InventoryModule } from './stock/inventory.module';
import { CreateInventory1764200000000 } from './stock/migrations/1764200000000-create-inventory';
import { INVENTORY_ENTITIES } from './stock/stock.entities';

@Module({
  imports: [
    ServiceModule.forRoot({ name: 'inventory', envSchema, grpc: true }),
    PostgresModule.forRoot({
      entities: [...INVENTORY_ENTITIES, ...MESSAGING_ENTITIES],
      migrations: [...MESSAGING_MIGRATIONS, CreateInventory1764200000000],
    }),
    KafkaModule.forRoot({ clientId: 'inventory' }),
    OutboxModule.forRoot(),
    InventoryModule,
  ],
})
export class AppModule {}
