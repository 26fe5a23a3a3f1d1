import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { RedisModule } from '@ordermesh/persistence';
import { GrpcClientsModule, SERVICE_CONFIG, ServiceModule } from '@ordermesh/service-kit';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { LoginThrottle } from './auth/login-throttle';
import { SessionRevocations } from './auth/session-revocations';
import { TOKEN_ALGORITHM, TokenService } from './auth/token.service';
import { RateLimitGuard, RateLimits } from './common/rate-limit';
import { type GatewayEnv, gatewayEnvSchema } from './config/env.schema';
import { grpcCalls } from './config/grpc-calls';
import { NotificationsController } from './notifications/notifications.controller';
import { OrdersController } from './orders/orders.controller';
import { ProductsController } from './products/products.controller';
import { UsersController } from './users/users.controller';

@Module({
  imports: [
    ServiceModule.forRoot({ name: 'gateway', envSchema: gatewayEnvSchema, grpc: false }),
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
    SessionRevocations,
    RateLimits,
    LoginThrottle,
    // Order matters: authenticate first, so the per-user rate limit knows the caller (the
    // per-address limit is a middleware that ran before either, see http.setup.ts).
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
})
export class AppModule {}
