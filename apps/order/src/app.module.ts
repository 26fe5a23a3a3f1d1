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
import { CreateOrders1764200000000 } from './orders/migrations/1764200000000-create-orders';
import { OrderTraceContext1764200000001 } from './orders/migrations/1764200000001-order-trace-context';
import { IdempotencyKeysByAge1795600000001 } from './orders/migrations/1795600000001-idempotency-keys-by-age';
import { CancellingShipmentState1796000000001 } from './orders/migrations/1796000000001-cancelling-shipment-state';
import { OrdersModule } from './orders/orders.module';

@Module({
  imports: [
    ServiceModule.forRoot({ name: 'order', envSchema, grpc: true }),
    PostgresModule.forRoot({
      entities: [...MESSAGING_ENTITIES],
      migrations: [
        ...MESSAGING_MIGRATIONS,
        CreateOrders1764200000000,
        OrderTraceContext1764200000001,
        IdempotencyKeysByAge1795600000001,
        CancellingShipmentState1796000000001,
      ],
      // PlaceOrder holds a connection across its downstream calls, the saga worker one per order
      // in flight (at most 10): room for both under a burst of orders.
      poolSize: 30,
    }),
    KafkaModule.forRoot({ clientId: 'order' }),
    OutboxModule.forRoot(),
    OrdersModule,
  ],
})
export class AppModule {}
