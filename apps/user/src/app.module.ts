import { Module } from '@nestjs/common';
import { PostgresModule } from '@ordermesh/persistence';
import { ServiceModule } from '@ordermesh/service-kit';
import { envSchema } from './config/env.schema';
import { CreateUsers1764000000000 } from './users/migrations/1764000000000-create-users';
import { UserEntity } from './users/user.entity';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    ServiceModule.forRoot({ name: 'user', envSchema, grpc: true }),
    PostgresModule.forRoot({ entities: [UserEntity], migrations: [CreateUsers1764000000000] }),
    UsersModule,
  ],
})
export class AppModule {}
