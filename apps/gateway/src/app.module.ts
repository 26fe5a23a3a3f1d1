import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { RedisModule } from '@ordermesh/persistence';
import { GrpcClientsModule, SERVICE_CONFIG, ServiceModule } from '@ordermesh/service-kit';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { TOKEN_ALGORITHM, TokenService } from './auth/token.service';
import { RateLimitGuard } from './common/rate-limit.guard';
import { type GatewayEnv, envSchema } from './config/env.schema';
import { grpcCalls } from './config/grpc-calls';
import { NotificationsController } from './notifications/notifications.controller';
import { OrdersController } from './orders/orders.controller';
import { ProductsController } from './products/products.controller';
import { UsersController } from './users/users.controller';

@Module({
  imports: [
    ServiceModule.forRoot({ name: 'gateway', envSchema, grpc: false }),
    RedisModule.forRoot(),
    JwtModule.registerAsync({
      inject: [SERVICE_CONFIG],
      useFactory: (config: GatewayEnv) => ({
        secret: config.JWT_SECRET,
        signOptions: { algorithm: TOKEN_ALGORITHM },
        verifyOptions: { algorithms: [TOKEN_ALGORITHM] },
      }),
    }),
    GrpcClientsModule.register(grpcCalls),
  ],
  controllers: [
    AuthController,
    UsersController,
    ProductsController,
    OrdersController,
    NotificationsController,
  ],
  providers: [
    TokenService,
    // Order matters: authenticate first, so the per-user rate limit knows the caller.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
})
export class AppModule {}
