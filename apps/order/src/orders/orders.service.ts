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
} from '@ordermesh/contracts';
import { captureTraceContext } from '@ordermesh/messaging';
import { pgErrorCode } from '@ordermesh/persistence';
import { remainingMs } from '@ordermesh/resilience';
import {
  GrpcStatus,
  failedPrecondition,
  invalidArgument,
  isUuid,
  notFound,
  rpcError,
} from '@ordermesh/service-kit';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import {
  appendSteps,
  findOrder,
  listOrders,
  requestCancellation,
  sagaProgressOf,
  setLockTimeout,
  toMessages,
  toOrderMessage,
} from './orders.repository';
import {
  CANCEL_REASONS,
  CONFIRMED_CANCEL_START,
  type CancelCode,
  isForward,
} from './saga/state-machine';
import { SagaWorker } from './saga/saga.worker';

const cursorSchema = z.object({ t: cursorFields.time, id: cursorFields.id });
/** How long CancelOrder waits for the compensation to finish before returning the order as is. */
const CANCEL_WAIT_MS = 3_000;

@Injectable()
export class OrdersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly worker: SagaWorker,
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
    const rows = await listOrders(this.dataSource.manager, {
      ...(query ? { customerId: query } : {}),
      ...(cursor ? { before: cursor } : {}),
      limit: size + 1,
    });
    const page = rows.slice(0, size);
    const last = page[page.length - 1];
    return {
      orders: await toMessages(this.dataSource.manager, page),
      nextPageToken:
        rows.length > size && last
          ? encodePageToken({ t: last.created_key, id: last.id }, query)
          : '',
    };
  }

  /**
   * Requests the cancellation: records the intent on the order row (one transaction, under the
   * row lock) and leaves the steps to the saga worker, which retries each until it is done:
   * for a PENDING order void/release, for a CONFIRMED one CancelShipment first (shipping is the
   * authority on whether the parcel left), then refund and restock. Waits briefly for the saga
   * and returns the order as it is then. CANCELLED orders are returned unchanged; SHIPPED — or
   * shipping refusing because the parcel left — is FAILED_PRECONDITION.
   */
  async cancel(orderId: string, customerId: string, reason: string): Promise<Order> {
    checkIds(orderId, customerId);
    const reasonProblem = textProblem('reason', reason ?? '', TEXT_RULES.cancelReason);
    if (reasonProblem) throw invalidArgument(reasonProblem);
    const outcome = await this.requestCancel(orderId, customerId, reason);
    if (outcome === 'requested') {
      this.worker.nudge();
      const settled = await this.waitUntilSettled(orderId);
      if (settled && settled.status !== 'CANCELLED' && !settled.cancel_requested) {
        // Shipping refused (the parcel had left): the saga withdrew the cancellation.
        throw shipped();
      }
    }
    return this.get(orderId, customerId);
  }

  private async requestCancel(
    orderId: string,
    customerId: string,
    reason: string,
  ): Promise<'requested' | 'unchanged'> {
    const byCustomer = customerId !== '';
    const code: CancelCode = byCustomer ? 'customer' : 'admin';
    const detail = (reason || CANCEL_REASONS[code]).trim().slice(0, 500);
    try {
      return await this.dataSource.transaction(async (manager) => {
        // The worker holds the row for at most one call; wait that long, not forever.
        await setLockTimeout(manager, '5s');
        const row = await findOrder(manager, orderId, 'update');
        if (!row || (byCustomer && row.customer_id !== customerId.toLowerCase())) {
          throw notFound(`order ${orderId} not found`);
        }
        if (row.status === 'SHIPPED') throw shipped();
        const confirmed = row.status === 'CONFIRMED' && row.saga_state === 'DONE';
        const cancellable =
          (row.status === 'PENDING' && isForward(row.saga_state) && !row.cancel_requested) ||
          confirmed;
        // CANCELLED, or already being cancelled (by the customer, a decline, an expiry): as is.
        if (!cancellable) return 'unchanged';
        await requestCancellation(manager, orderId, {
          reason: CANCEL_REASONS[code],
          code,
          confirmedStart: CONFIRMED_CANCEL_START,
          traceContext: captureTraceContext(),
        });
        await appendSteps(manager, orderId, [{ step: 'cancel_order', status: 'STARTED', detail }]);
        return 'requested';
      });
    } catch (error) {
      if (pgErrorCode(error) === '55P03') {
        throw rpcError(GrpcStatus.ABORTED, 'the order is being updated; retry');
      }
      throw error;
    }
  }

  /** The order once its saga is DONE, or undefined when it is still running after the wait. */
  private async waitUntilSettled(
    orderId: string,
  ): Promise<{ status: string; cancel_requested: boolean } | undefined> {
    const budget = Math.min(CANCEL_WAIT_MS, (remainingMs() ?? CANCEL_WAIT_MS) - 300);
    const until = Date.now() + budget;
    while (Date.now() < until) {
      await sleep(50);
      const row = await sagaProgressOf(this.dataSource.manager, orderId);
      if (row?.saga_state === 'DONE') return row;
    }
    return undefined;
  }
}

const shipped = () =>
  failedPrecondition('the order has been shipped and can no longer be cancelled');

function checkIds(orderId: string, customerId: string): void {
  if (!isUuid(orderId)) throw invalidArgument('order_id must be a UUID');
  if (customerId && !isUuid(customerId)) throw invalidArgument('customer_id must be a UUID');
}
