import { Module } from '@nestjs/common';
import { ServiceModule } from '@ordermesh/service-kit';
import { AccountController } from './account/account.controller';
import { AdminController } from './admin/admin.controller';
import { CartController } from './cart/cart.controller';
import { CatalogueController } from './catalogue/catalogue.controller';
import { storefrontEnvSchema } from './config/env.schema';
import { GatewayClient } from './gateway/gateway.client';
import { OrdersController } from './orders/orders.controller';
import { Views } from './views/views';

@Module({
  imports: [
    ServiceModule.forRoot({ name: 'storefront', envSchema: storefrontEnvSchema, grpc: false }),
  ],
  controllers: [
    CatalogueController,
    CartController,
    OrdersController,
    AccountController,
    AdminController,
  ],
  providers: [GatewayClient, Views],
})
export class AppModule {}
