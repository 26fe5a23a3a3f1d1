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
import { CreateShipments1764300000000 } from './shipments/migrations/1764300000000-create-shipments';
import { ShipmentEntity } from './shipments/shipment.entity';
import { ShipmentsModule } from './shipments/shipments.module';

@Module({
  imports: [
    ServiceModule.forRoot({ name: 'shipping', envSchema, grpc: true }),
    PostgresModule.forRoot({
      entities: [ShipmentEntity, ...MESSAGING_ENTITIES],
      migrations: [...MESSAGING_MIGRATIONS, CreateShipments1764300000000],
    }),
    KafkaModule.forRoot({ clientId: 'shipping' }),
    OutboxModule.forRoot(),
    ShipmentsModule,
  ],
})
export class AppModule {}
