import { Injectable } from '@nestjs/common';
import {
  PaymentStatus,
  ReservationStatus,
  ShipmentStatus,
  type InventoryServiceClient,
  type PaymentServiceClient,
  type ShippingServiceClient,
} from '@ordermesh/contracts';
import { runWithDeadline } from '@ordermesh/resilience';
import { GrpcClient, GrpcStatus, InjectGrpcClient } from '@ordermesh/service-kit';
import { describeError, grpcCode, isTransient } from '../downstream';
import type { OrderRow } from '../orders.repository';
import type { SagaAction, StepOutcome } from './state-machine';

/** Budget of one attempt of a saga call. */
export const SAGA_CALL_TIMEOUT_MS = 2_000;
/**
 * Budget of a whole step, the gRPC client's own retries of idempotent calls included: the worker
 * holds the order's row lock meanwhile (CancelOrder waits up to 5 s for it).
 */
export const SAGA_STEP_BUDGET_MS = 4_000;

/**
 * Performs one saga action against its callee and reports the outcome in the saga's terms. Every
 * callee is idempotent by order id, so repeating an action after a crash or a lost reply is safe.
 */
@Injectable()
export class SagaExecutor {
  constructor(
    @InjectGrpcClient('payment') private readonly payment: GrpcClient<PaymentServiceClient>,
    @InjectGrpcClient('inventory') private readonly inventory: GrpcClient<InventoryServiceClient>,
    @InjectGrpcClient('shipping') private readonly shipping: GrpcClient<ShippingServiceClient>,
  ) {}

  async run(action: SagaAction, order: OrderRow): Promise<StepOutcome> {
    try {
      return await runWithDeadline(Date.now() + SAGA_STEP_BUDGET_MS, () =>
        this.perform(action, order),
      );
    } catch (error) {
      return classify(action, error);
    }
  }

  private async perform(action: SagaAction, order: OrderRow): Promise<StepOutcome> {
    const orderId = order.id;
    const options = { timeoutMs: SAGA_CALL_TIMEOUT_MS };
    const reason = order.cancel_reason ?? 'order cancelled';
    switch (action) {
      case 'authorize_payment': {
        const { payment } = await this.payment.call(
          'authorizePayment',
          {
            orderId,
            amount: { amountMinor: Number(order.total_minor), currency: order.currency },
            paymentMethod: order.payment_method,
            customerId: order.customer_id,
          },
          options,
        );
        switch (payment?.status) {
          case PaymentStatus.AUTHORIZED:
          case PaymentStatus.CAPTURED:
            return { kind: 'ok', detail: `payment ${payment.paymentId} authorized` };
          case PaymentStatus.DECLINED:
            return { kind: 'declined', detail: payment.declineReason || 'declined' };
          default:
            return {
              kind: 'rejected',
              detail: `payment is ${payment ? PaymentStatus[payment.status] : 'missing'}`,
            };
        }
      }
      case 'capture_payment': {
        const { payment } = await this.payment.call('capturePayment', { orderId }, options);
        return {
          kind: 'ok',
          detail: `captured ${payment?.capturedAmount?.amountMinor ?? ''}`.trim(),
        };
      }
      case 'void_payment':
      case 'refund_payment': {
        const { payment } = await this.payment.call('refundPayment', { orderId, reason }, options);
        return { kind: 'ok', detail: `payment ${payment ? PaymentStatus[payment.status] : ''}` };
      }
      case 'commit_stock': {
        const { reservation } = await this.inventory.call(
          'commitReservation',
          { orderId },
          options,
        );
        return { kind: 'ok', detail: `reservation ${reservation?.reservationId ?? ''} committed` };
      }
      case 'release_stock': {
        const { reservation } = await this.inventory.call(
          'releaseReservation',
          { orderId, reason },
          options,
        );
        const status = reservation ? ReservationStatus[reservation.status] : '';
        return { kind: 'ok', detail: `reservation ${status}` };
      }
      case 'restock_stock': {
        const { reservation } = await this.inventory.call(
          'restockOrder',
          { orderId, reason },
          options,
        );
        const status = reservation ? ReservationStatus[reservation.status] : '';
        return { kind: 'ok', detail: `reservation ${status}` };
      }
      case 'cancel_shipment': {
        // Shipping is the authority on whether the parcel left (FAILED_PRECONDITION once shipped).
        const { shipment } = await this.shipping.call(
          'cancelShipment',
          { orderId, customerId: order.customer_id },
          options,
        );
        const status = shipment ? ShipmentStatus[shipment.status] : '';
        return { kind: 'ok', detail: `shipment ${status}`.trim() };
      }
    }
  }
}

/**
 * Maps a failed call to an outcome. Compensations treat NOT_FOUND as "nothing to undo"; the
 * callees' FAILED_PRECONDITION (and NOT_FOUND for forward steps) are final refusals.
 */
export function classify(action: SagaAction, error: unknown): StepOutcome {
  const detail = describeError(error);
  if (isTransient(error)) return { kind: 'transient', detail };
  const code = grpcCode(error);
  switch (action) {
    case 'void_payment':
    case 'refund_payment':
      if (code === GrpcStatus.NOT_FOUND) return { kind: 'nothing', detail: 'no payment' };
      break;
    case 'release_stock':
    case 'restock_stock':
      if (code === GrpcStatus.NOT_FOUND) return { kind: 'nothing', detail: 'no reservation' };
      if (code === GrpcStatus.FAILED_PRECONDITION) return { kind: 'rejected', detail };
      break;
    case 'cancel_shipment':
      if (code === GrpcStatus.FAILED_PRECONDITION) return { kind: 'rejected', detail };
      break;
    case 'commit_stock':
    case 'capture_payment':
      if (code === GrpcStatus.NOT_FOUND || code === GrpcStatus.FAILED_PRECONDITION) {
        return { kind: 'rejected', detail };
      }
      break;
    case 'authorize_payment':
      break;
  }
  return { kind: 'error', detail };
}
