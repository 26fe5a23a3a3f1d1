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
import { CreatePayments1764300000000 } from './payments/migrations/1764300000000-create-payments';
import { PaymentEntity, PaymentOperationEntity } from './payments/payment.entity';
import { PaymentsModule } from './payments/payments.module';

@Module({
  imports: [
    ServiceModule.forRoot({ name: 'payment', envSchema, grpc: true }),
    PostgresModule.forRoot({
      entities: [PaymentEntity, PaymentOperationEntity, ...MESSAGING_ENTITIES],
      migrations: [...MESSAGING_MIGRATIONS, CreatePayments1764300000000],
    }),
    KafkaModule.forRoot({ clientId: 'payment' }),
    OutboxModule.forRoot(),
    PaymentsModule,
  ],
})
export class AppModule {}
