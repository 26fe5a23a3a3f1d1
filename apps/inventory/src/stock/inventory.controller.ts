import { Controller } from '@nestjs/common';
import {
  InventoryServiceControllerMethods,
  ReservationStatus,
  type CommitReservationRequest,
  type CommitReservationResponse,
  type GetStockLevelsRequest,
  type GetStockLevelsResponse,
  type InventoryServiceController,
  type ReleaseReservationRequest,
  type ReleaseReservationResponse,
  type Reservation,
  type ReserveStockRequest,
  type ReserveStockResponse,
  type RestockOrderRequest,
  type RestockOrderResponse,
  type SetStockRequest,
  type SetStockResponse,
  type StockLevel,
} from '@ordermesh/contracts';
import {
  InventoryService,
  type Level,
  type ReserveResult,
  type StoredReservation,
} from './inventory.service';
import type { ReservationState } from './stock.entities';

export const STATUS: Record<ReservationState, ReservationStatus> = {
  reserved: ReservationStatus.RESERVED,
  committed: ReservationStatus.COMMITTED,
  released: ReservationStatus.RELEASED,
  expired: ReservationStatus.EXPIRED,
  restocked: ReservationStatus.RESTOCKED,
};

@Controller()
@InventoryServiceControllerMethods()
export class InventoryController implements InventoryServiceController {
  constructor(private readonly inventory: InventoryService) {}

  async setStock(request: SetStockRequest): Promise<SetStockResponse> {
    return { level: toLevel(await this.inventory.setStock(request.productId, request.quantity)) };
  }

  async getStockLevels(request: GetStockLevelsRequest): Promise<GetStockLevelsResponse> {
    const { levels, missing } = await this.inventory.getStockLevels(request.productIds);
    return { levels: levels.map(toLevel), missingProductIds: missing };
  }

  async reserveStock(request: ReserveStockRequest): Promise<ReserveStockResponse> {
    return { reservation: toReserveResult(await this.inventory.reserve(request)) };
  }

  async commitReservation(request: CommitReservationRequest): Promise<CommitReservationResponse> {
    return { reservation: toReservation(await this.inventory.commit(request.orderId)) };
  }

  async releaseReservation(
    request: ReleaseReservationRequest,
  ): Promise<ReleaseReservationResponse> {
    return {
      reservation: toReservation(await this.inventory.release(request.orderId, request.reason)),
    };
  }

  async restockOrder(request: RestockOrderRequest): Promise<RestockOrderResponse> {
    return {
      reservation: toReservation(await this.inventory.restock(request.orderId, request.reason)),
    };
  }
}

function toLevel(level: Level): StockLevel {
  return { ...level, updatedAt: level.updatedAt.toISOString() };
}

function toReservation(reservation: StoredReservation): Reservation {
  return {
    reservationId: reservation.id,
    orderId: reservation.orderId,
    status: STATUS[reservation.status],
    lines: reservation.lines,
    expiresAt: reservation.expiresAt.toISOString(),
    shortages: [],
    releaseReason: reservation.releaseReason,
    createdAt: reservation.createdAt.toISOString(),
    updatedAt: reservation.updatedAt.toISOString(),
  };
}

function toReserveResult(result: ReserveResult): Reservation {
  if (result.kind !== 'rejected') return toReservation(result.reservation);
  const at = result.at.toISOString();
  return {
    reservationId: '',
    orderId: result.orderId,
    status: ReservationStatus.REJECTED,
    lines: result.lines,
    expiresAt: '',
    shortages: result.shortages,
    releaseReason: '',
    createdAt: at,
    updatedAt: at,
  };
}
