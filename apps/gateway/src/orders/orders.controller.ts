import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiHeader,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import {
  COUNTRY_CODE,
  IDEMPOTENCY_KEY,
  MAX_LINE_QUANTITY,
  MAX_ORDER_LINES,
  OrderStatus,
  PAYMENT_METHOD,
  OrderStepStatus,
  ShipmentStatus,
  type Order,
  type OrderServiceClient,
  type ShippingServiceClient,
} from '@ordermesh/contracts';
import { GrpcClient, InjectGrpcClient } from '@ordermesh/service-kit';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { BadRequestException } from '@nestjs/common';
import { CurrentPrincipal } from '../auth/principal.decorator';
import type { Principal } from '../auth/token.service';
import { PageQueryDto } from '../common/dto';
import { IsText } from '../common/field-rules';
import { present } from '../common/present';
import { UuidParam } from '../common/uuid.pipe';

class OrderItemDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  productId!: string;

  @ApiProperty({ minimum: 1, maximum: MAX_LINE_QUANTITY })
  @IsInt()
  @Min(1)
  @Max(MAX_LINE_QUANTITY)
  quantity!: number;
}

class AddressDto {
  @ApiProperty({ maxLength: 200 }) @IsText('recipientName') recipientName!: string;
  @ApiProperty({ maxLength: 200 }) @IsText('addressLine1') line1!: string;
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @IsText('addressLine2') line2: string = '';
  @ApiProperty({ maxLength: 100 }) @IsText('city') city!: string;
  @ApiPropertyOptional({ maxLength: 100 }) @IsOptional() @IsText('region') region: string = '';
  @ApiProperty({ maxLength: 20 }) @IsText('postalCode') postalCode!: string;
  @ApiProperty({ example: 'DE' })
  @IsString()
  @Matches(COUNTRY_CODE, { message: 'countryCode must be an ISO 3166-1 alpha-2 code' })
  countryCode!: string;
}

class PlaceOrderDto {
  @ApiProperty({ type: [OrderItemDto], maxItems: MAX_ORDER_LINES })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ORDER_LINES)
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  items!: OrderItemDto[];

  @ApiProperty({ example: 'card' })
  @IsString()
  @Matches(PAYMENT_METHOD, { message: 'paymentMethod must be 1-64 of a-z 0-9 _ -' })
  paymentMethod!: string;

  @ApiPropertyOptional({ type: AddressDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => AddressDto)
  shippingAddress?: AddressDto;
}

class CancelOrderDto {
  @ApiPropertyOptional({ example: 'changed my mind', maxLength: 500 })
  @IsOptional()
  @IsText('cancelReason')
  reason: string = 'cancelled by customer';
}

export function presentOrder(order: Order) {
  return {
    id: order.orderId,
    customerId: order.customerId,
    status: present(OrderStatus, order.status),
    cancelReason: order.cancelReason || null,
    lines: order.lines,
    total: order.total,
    paymentMethod: order.paymentMethod,
    shippingAddress: order.shippingAddress,
    steps: order.steps.map((step) => ({
      step: step.step,
      status: present(OrderStepStatus, step.status),
      detail: step.detail,
      at: step.at,
    })),
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
    /** The trace of the placing (or cancelling) request, to look up in the trace viewer. */
    traceId: order.traceId || null,
  };
}

@ApiTags('orders')
@ApiBearerAuth()
@Controller('orders')
export class OrdersController {
  constructor(
    @InjectGrpcClient('order') private readonly orders: GrpcClient<OrderServiceClient>,
    @InjectGrpcClient('shipping') private readonly shipping: GrpcClient<ShippingServiceClient>,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description:
      '8-128 of A-Z a-z 0-9 _ -. A repeat with the same key and body returns the first order ' +
      '(keys are kept 7 days by default); the same key with another body is 409.',
  })
  async place(
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: PlaceOrderDto,
  ) {
    if (!idempotencyKey || !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new BadRequestException(
        'an Idempotency-Key header of 8-128 characters [A-Za-z0-9_-] is required',
      );
    }
    const { order } = await this.orders.call(
      'placeOrder',
      {
        customerId: principal.userId,
        idempotencyKey,
        items: body.items,
        paymentMethod: body.paymentMethod,
        shippingAddress: body.shippingAddress ?? null,
      },
      { timeoutMs: 8_000 },
    );
    return presentOrder(order!);
  }

  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: PageQueryDto) {
    const page = await this.orders.call('listOrders', {
      customerId: principal.userId,
      pageSize: query.pageSize,
      pageToken: query.pageToken,
    });
    return { items: page.orders.map(presentOrder), nextPageToken: page.nextPageToken || null };
  }

  @Get(':id')
  async get(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string) {
    const { order } = await this.orders.call('getOrder', {
      orderId: id,
      customerId: ownerFilter(principal),
    });
    return presentOrder(order!);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('id', UuidParam) id: string,
    @Body() body: CancelOrderDto,
  ) {
    const { order } = await this.orders.call('cancelOrder', {
      orderId: id,
      customerId: ownerFilter(principal),
      reason: body.reason,
    });
    return presentOrder(order!);
  }

  @Get(':id/shipment')
  async shipment(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string) {
    // Reading the order first enforces ownership: another customer's order is a 404.
    await this.orders.call('getOrder', { orderId: id, customerId: ownerFilter(principal) });
    const { shipment } = await this.shipping.call('getShipment', { orderId: id });
    return { ...shipment!, status: present(ShipmentStatus, shipment!.status) };
  }
}

/** Customers see their own orders only (the order service answers NOT_FOUND otherwise). */
function ownerFilter(principal: Principal): string {
  return principal.role === 'admin' ? '' : principal.userId;
}
