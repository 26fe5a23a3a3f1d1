import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  InvalidPageTokenError,
  TEXT_RULES,
  cursorFields,
  decodePageToken,
  encodePageToken,
  normalizePageSize,
  textProblem,
  type Order,
  type ShippingServiceClient,
} from '@ordermesh/contracts';
import { captureTraceContext } from '@ordermesh/messaging';
import { pgErrorCode } from '@ordermesh/persistence';
import { remainingMs } from '@ordermesh/resilience';
import {
  GrpcClient,
  GrpcStatus,
  InjectGrpcClient,
  failedPrecondition,
  invalidArgument,
  isUuid,
  notFound,
  rpcError,
  unavailable,
} from '@ordermesh/service-kit';
import { DataSource } from 'typeorm';
import { describeError, grpcCode, isTransient } from './downstream';
import { z } from 'zod';
import {
  type OrderRow,
  appendSteps,
  findOrder,
  toMessages,
  toOrderMessage,
} from './orders.repository';
import { CANCEL_REASONS, type CancelCode, type StepRecord, isForward } from './saga/state-machine';
import { SagaWorker } from './saga/saga.worker';

const cursorSchema = z.object({ t: cursorFields.time, id: cursorFields.id });
/** How long CancelOrder waits for the compensation to finish before returning the order as is. */
const CANCEL_WAIT_MS = 1_500;

@Injectable()
export class OrdersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly worker: SagaWorker,
    @InjectGrpcClient('shipping') private readonly shipping: GrpcClient<ShippingServiceClient>,
  ) {}

  /** `customerId` empty = admin; another customer's order is NOT_FOUND, never revealed. */
  async get(orderId: string, customerId: string): Promise<Order> {
    checkIds(orderId, customerId);
    const row = await findOrder(this.dataSource.manager, orderId);
    if (!row || (customerId && row.customer_id !== customerId.toLowerCase())) {
      throw notFound(`order ${orderId} not found`);
    }
    return toOrderMessage(this.dataSource.manager, row);
  }

  /** Newest first, keyset pagination on (created_at, id); `customerId` empty = every customer. */
  async list(
    customerId: string,
    pageSize: number,
    pageToken: string,
  ): Promise<{ orders: Order[]; nextPageToken: string }> {
    if (customerId && !isUuid(customerId)) throw invalidArgument('customer_id must be a UUID');
    const query = customerId.toLowerCase();
    const size = normalizePageSize(pageSize);
    let cursor: z.infer<typeof cursorSchema> | undefined;
    try {
      cursor = decodePageToken(pageToken, cursorSchema, query);
    } catch (error) {
      if (error instanceof InvalidPageTokenError) throw invalidArgument(error.message);
      throw error;
    }
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (query) {
      params.push(query);
      conditions.push(`customer_id = $${params.length}`);
    }
    if (cursor) {
      params.push(cursor.t, cursor.id);
      conditions.push(
        `(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(size + 1);
    const rows = await this.dataSource.query<(OrderRow & { created_key: string })[]>(
      `SELECT *, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key
       FROM orders
       ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC
       LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, size);
    const last = page[page.length - 1];
    return {
      orders: await toMessages(this.dataSource.manager, page),
      // created_key keeps the microseconds that a JS Date would drop.
      nextPageToken:
        rows.length > size && last
          ? encodePageToken({ t: last.created_key, id: last.id }, query)
          : '',
    };
  }

  /**
   * Requests the cancellation; the saga worker compensates (void/refund the payment, release or
   * restock the stock) and then marks the order CANCELLED. Waits briefly for that, and returns the
   * order as it is then. CANCELLED orders are returned unchanged; SHIPPED is FAILED_PRECONDITION.
   * A CONFIRMED order is cancelled only once shipping has cancelled its shipment (CancelShipment):
   * shipping is the authority on whether the parcel left, so nothing is refunded and shipped.
   */
  async cancel(orderId: string, customerId: string, reason: string): Promise<Order> {
    checkIds(orderId, customerId);
    const reasonProblem = textProblem('reason', reason ?? '', TEXT_RULES.cancelReason);
    if (reasonProblem) throw invalidArgument(reasonProblem);
    // A PENDING order read here may be CONFIRMED under the lock: then ask shipping and go again.
    for (let attempt = 1; ; attempt++) {
      const shipmentCancelled = await this.cancelShipmentIfConfirmed(orderId, customerId);
      const outcome = await this.requestCancel(orderId, customerId, reason, shipmentCancelled);
      if (outcome === 'confirmed-meanwhile' && attempt < 3) continue;
      if (outcome === 'confirmed-meanwhile') {
        throw rpcError(GrpcStatus.ABORTED, 'the order is being updated; retry');
      }
      if (outcome === 'requested') {
        this.worker.nudge();
        await this.waitUntilSettled(orderId);
      }
      return this.get(orderId, customerId);
    }
  }

  /** Whether the order is CONFIRMED (and the caller's) and shipping agreed to cancel its shipment. */
  private async cancelShipmentIfConfirmed(orderId: string, customerId: string): Promise<boolean> {
    const row = await findOrder(this.dataSource.manager, orderId);
    const visible = row && (!customerId || row.customer_id === customerId.toLowerCase());
    if (!visible || row.status !== 'CONFIRMED' || row.saga_state !== 'DONE') return false;
    try {
      await this.shipping.call('cancelShipment', {
        orderId: row.id,
        customerId: row.customer_id,
      });
      return true;
    } catch (error) {
      if (grpcCode(error) === GrpcStatus.FAILED_PRECONDITION) throw shipped();
      if (isTransient(error)) {
        throw unavailable('shipping is unavailable; the order was not cancelled, retry');
      }
      throw rpcError(
        GrpcStatus.INTERNAL,
        `unexpected error from shipping: ${describeError(error)}`,
      );
    }
  }

  private async requestCancel(
    orderId: string,
    customerId: string,
    reason: string,
    shipmentCancelled: boolean,
  ): Promise<'requested' | 'unchanged' | 'confirmed-meanwhile'> {
    const byCustomer = customerId !== '';
    const code: CancelCode = byCustomer ? 'customer' : 'admin';
    const detail = (reason || CANCEL_REASONS[code]).trim().slice(0, 500);
    try {
      return await this.dataSource.transaction(async (manager) => {
        // The worker holds the row for at most one call; wait that long, not forever.
        await manager.query(`SET LOCAL lock_timeout = '5s'`);
        const row = await findOrder(manager, orderId, 'update');
        if (!row || (byCustomer && row.customer_id !== customerId.toLowerCase())) {
          throw notFound(`order ${orderId} not found`);
        }
        if (row.status === 'SHIPPED') throw shipped();
        const confirmed = row.status === 'CONFIRMED' && row.saga_state === 'DONE';
        if (confirmed && !shipmentCancelled) return 'confirmed-meanwhile';
        const cancellable =
          (row.status === 'PENDING' && isForward(row.saga_state) && !row.cancel_requested) ||
          confirmed;
        // CANCELLED, or already being cancelled (by the customer, a decline, an expiry): as is.
        if (!cancellable) return 'unchanged';
        await manager.query(
          `UPDATE orders SET
             cancel_requested = true, cancel_reason = $2, cancel_code = $3,
             saga_state = CASE WHEN status = 'CONFIRMED' THEN 'REFUNDING' ELSE saga_state END,
             attempts = CASE WHEN status = 'CONFIRMED' THEN 0 ELSE attempts END,
             next_attempt_at = now(), trace_context = $4, version = version + 1, updated_at = now()
           WHERE id = $1`,
          [orderId, CANCEL_REASONS[code], code, JSON.stringify(captureTraceContext())],
        );
        const steps: StepRecord[] = [{ step: 'cancel_order', status: 'STARTED', detail }];
        if (confirmed) steps.push({ step: 'cancel_shipment', status: 'SUCCEEDED', detail: '' });
        await appendSteps(manager, orderId, steps);
        return 'requested';
      });
    } catch (error) {
      if (pgErrorCode(error) === '55P03') {
        throw rpcError(GrpcStatus.ABORTED, 'the order is being updated; retry');
      }
      throw error;
    }
  }

  private async waitUntilSettled(orderId: string): Promise<void> {
    const budget = Math.min(CANCEL_WAIT_MS, (remainingMs() ?? CANCEL_WAIT_MS) - 300);
    const until = Date.now() + budget;
    while (Date.now() < until) {
      await sleep(50);
      const [row] = await this.dataSource.query<{ saga_state: string }[]>(
        'SELECT saga_state FROM orders WHERE id = $1',
        [orderId],
      );
      if (row?.saga_state === 'DONE') return;
    }
  }
}

const shipped = () =>
  failedPrecondition('the order has been shipped and can no longer be cancelled');

function checkIds(orderId: string, customerId: string): void {
  if (!isUuid(orderId)) throw invalidArgument('order_id must be a UUID');
  if (customerId && !isUuid(customerId)) throw invalidArgument('customer_id must be a UUID');
}
