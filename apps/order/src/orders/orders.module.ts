import { Module } from '@nestjs/common';
import { GrpcClientsModule } from '@ordermesh/service-kit';
import { grpcCalls } from '../config/grpc-calls';
import { OrderEventsConsumer } from './events/order-events.consumer';
import { OrderMetrics } from './order.metrics';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';
import { PlaceOrderService } from './place-order.service';
import { SagaExecutor } from './saga/saga.executor';
import { SagaWorker } from './saga/saga.worker';

@Module({
  imports: [GrpcClientsModule.register(grpcCalls)],
  controllers: [OrdersController],
  providers: [
    OrderMetrics,
    PlaceOrderService,
    OrdersService,
    SagaExecutor,
    SagaWorker,
    OrderEventsConsumer,
  ],
})
export class OrdersModule {}
