import { Controller } from '@nestjs/common';
import {
  OrderServiceControllerMethods,
  type CancelOrderRequest,
  type CancelOrderResponse,
  type GetOrderRequest,
  type GetOrderResponse,
  type ListOrdersRequest,
  type ListOrdersResponse,
  type OrderServiceController,
  type PlaceOrderRequest,
  type PlaceOrderResponse,
} from '@ordermesh/contracts';
import { OrdersService } from './orders.service';
import { PlaceOrderService } from './place-order.service';

@Controller()
@OrderServiceControllerMethods()
export class OrdersController implements OrderServiceController {
  constructor(
    private readonly placing: PlaceOrderService,
    private readonly orders: OrdersService,
  ) {}

  async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
    return { order: await this.placing.place(request) };
  }

  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    return { order: await this.orders.get(request.orderId, request.customerId) };
  }

  listOrders(request: ListOrdersRequest): Promise<ListOrdersResponse> {
    return this.orders.list(request.customerId, request.pageSize, request.pageToken);
  }

  async cancelOrder(request: CancelOrderRequest): Promise<CancelOrderResponse> {
    return {
      order: await this.orders.cancel(request.orderId, request.customerId, request.reason),
    };
  }
}
