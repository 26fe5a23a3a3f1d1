import { Module } from '@nestjs/common';
import { KafkaModule } from '@ordermesh/messaging';
import { RedisModule } from '@ordermesh/persistence';
import { ServiceModule } from '@ordermesh/service-kit';
import { envSchema } from './config/env.schema';
import { NotificationsModule } from './notifications/notifications.module';

@Module({
  imports: [
    ServiceModule.forRoot({ name: 'notification', envSchema, grpc: true }),
    RedisModule.forRoot(),
    KafkaModule.forRoot({ clientId: 'notification' }),
    NotificationsModule,
  ],
})
export class AppModule {}
