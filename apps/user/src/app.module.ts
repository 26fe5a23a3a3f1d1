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
import { CreateRefreshTokens1796000000000 } from './sessions/migrations/1796000000000-create-refresh-tokens';
import { AddSessionEnd1797000000000 } from './sessions/migrations/1797000000000-add-session-end';
import { RefreshTokenEntity } from './sessions/refresh-token.entity';
import { CreateUsers1764000000000 } from './users/migrations/1764000000000-create-users';
import { UserEntity } from './users/user.entity';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    ServiceModule.forRoot({ name: 'user', envSchema, grpc: true }),
    PostgresModule.forRoot({
      entities: [UserEntity, RefreshTokenEntity, ...MESSAGING_ENTITIES],
      migrations: [
        CreateUsers1764000000000,
        CreateRefreshTokens1796000000000,
        AddSessionEnd1797000000000,
        ...MESSAGING_MIGRATIONS,
      ],
    }),
    KafkaModule.forRoot({ clientId: 'user' }),
    OutboxModule.forRoot(),
    UsersModule,
  ],
})
export class AppModule {}
