import { Controller } from '@nestjs/common';
import {
  ShipmentStatus,
  ShippingServiceControllerMethods,
  enumName,
  type CancelShipmentRequest,
  type CancelShipmentResponse,
  type GetShipmentRequest,
  type GetShipmentResponse,
  type Shipment,
  type ShippingServiceController,
  type UpdateShipmentStatusRequest,
  type UpdateShipmentStatusResponse,
} from '@ordermesh/contracts';
import { invalidArgument } from '@ordermesh/service-kit';
import type { ShipmentEntity } from './shipment.entity';
import type { ShipmentStatusName } from './shipment-state';
import { ShipmentsService } from './shipments.service';

@Controller()
@ShippingServiceControllerMethods()
export class ShipmentsController implements ShippingServiceController {
  constructor(private readonly shipments: ShipmentsService) {}

  async getShipment(request: GetShipmentRequest): Promise<GetShipmentResponse> {
    return { shipment: toMessage(await this.shipments.get(request.orderId)) };
  }

  async updateShipmentStatus(
    request: UpdateShipmentStatusRequest,
  ): Promise<UpdateShipmentStatusResponse> {
    if (
      request.status === ShipmentStatus.UNSPECIFIED ||
      ShipmentStatus[request.status] === undefined
    ) {
      throw invalidArgument('status must be CREATED, SHIPPED, DELIVERED or CANCELLED');
    }
    const status = enumName(ShipmentStatus, request.status) as ShipmentStatusName;
    return { shipment: toMessage(await this.shipments.updateStatus(request.orderId, status)) };
  }

  async cancelShipment(request: CancelShipmentRequest): Promise<CancelShipmentResponse> {
    return {
      shipment: toMessage(await this.shipments.cancel(request.orderId, request.customerId)),
    };
  }
}

export function toMessage(shipment: ShipmentEntity): Shipment {
  return {
    shipmentId: shipment.id,
    orderId: shipment.orderId,
    customerId: shipment.customerId,
    status: ShipmentStatus[shipment.status],
    trackingNumber: shipment.trackingNumber ?? '',
    address: shipment.address,
    createdAt: shipment.createdAt.toISOString(),
    updatedAt: shipment.updatedAt.toISOString(),
  };
}
