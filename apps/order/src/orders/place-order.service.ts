import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ReservationStatus,
  UserStatus,
  type InventoryServiceClient,
  type Order,
  type PlaceOrderRequest,
  type Price,
  type PricingServiceClient,
  type Product,
  type ProductServiceClient,
  type UserServiceClient,
} from '@ordermesh/contracts';
import { Outbox, captureTraceContext } from '@ordermesh/messaging';
import { setSpanAttributes } from '@ordermesh/observability';
import { PostgresRetention, pgErrorCode } from '@ordermesh/persistence';
import {
  GrpcClient,
  GrpcStatus,
  InjectConfig,
  InjectGrpcClient,
  failedPrecondition,
  invalidArgument,
  isGrpcCallError,
  notFound,
  rpcError,
  unavailable,
} from '@ordermesh/service-kit';
import { RpcException } from '@nestjs/microservices';
import { DataSource, type EntityManager } from 'typeorm';
import type { OrderEnv } from '../config/env.schema';
import { detached } from './detached';
import { describeError, grpcCode, isTransient } from './downstream';
import { OrderMetrics, type RejectReason } from './order.metrics';
import {
  type NewLine,
  appendSteps,
  claimIdempotencyKey,
  findIdempotencyKey,
  findOrder,
  insertOrder,
  setLockTimeout,
  toOrderMessage,
} from './orders.repository';
import { SagaWorker } from './saga/saga.worker';
import { type ValidPlaceOrder, requestHash, validatePlaceOrder } from './validation';

/** Budget of each downstream call made while placing an order. */
const PLACE_CALL_TIMEOUT_MS = 2_000;
/** How long a repeat waits for a concurrent request with the same idempotency key. */
const KEY_WAIT = '10s';

/**
 * PlaceOrder, the synchronous part of the saga: validate, price, reserve stock and store the order
 * (PENDING) with its order.placed.v1 event — all or nothing, in one transaction that begins with
 * the idempotency key, so a concurrent repeat waits for it and then returns the same order.
 * Payment is not called here: the saga worker starts it right after the commit.
 */
@Injectable()
export class PlaceOrderService implements OnModuleInit {
  private readonly logger = new Logger('PlaceOrder');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectGrpcClient('user') private readonly users: GrpcClient<UserServiceClient>,
    @InjectGrpcClient('product') private readonly products: GrpcClient<ProductServiceClient>,
    @InjectGrpcClient('pricing') private readonly pricing: GrpcClient<PricingServiceClient>,
    @InjectGrpcClient('inventory') private readonly inventory: GrpcClient<InventoryServiceClient>,
    private readonly outbox: Outbox,
    private readonly worker: SagaWorker,
    private readonly metrics: OrderMetrics,
    @InjectConfig() private readonly config: OrderEnv,
    private readonly retention: PostgresRetention,
  ) {}

  /** Keys are kept IDEMPOTENCY_KEY_RETENTION_HOURS; a repeat after that places a new order. */
  onModuleInit(): void {
    this.retention.register({
      table: 'idempotency_keys',
      timeColumn: 'created_at',
      retentionMs: this.config.IDEMPOTENCY_KEY_RETENTION_HOURS * 3_600_000,
    });
  }

  async place(request: PlaceOrderRequest): Promise<Order> {
    const validation = validatePlaceOrder(request);
    if (!validation.ok) {
      throw invalidArgument(validation.problems.join('; '), { problems: validation.problems });
    }
    const input = validation.value;
    const hash = requestHash(input);
    const orderId = randomUUID();
    setSpanAttributes({ 'ordermesh.order.line_count': input.items.length });
    // A repeat of a committed key is answered from its order, without asking anyone.
    // (A database error here becomes UNAVAILABLE in the GrpcErrorInterceptor.)
    if (await this.keyUsed(input)) return this.repeat(input, hash);
    // Customer, catalogue and prices before a database connection is taken: the pool is shared
    // with the saga worker, and a request must not hold a connection while three services answer.
    const lines = await this.priceLines(input);
    let reservationMayExist = false;
    let committed = false;
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.startTransaction();
      const manager = runner.manager;
      await setLockTimeout(manager, KEY_WAIT);
      // Waits (unique index) while a concurrent request holds the same key uncommitted.
      const claimed = await claimIdempotencyKey(manager, {
        customerId: input.customerId,
        key: input.idempotencyKey,
        orderId,
        requestHash: hash,
      });
      if (!claimed) {
        await runner.rollbackTransaction();
        return await this.repeat(input, hash);
      }

      reservationMayExist = true;
      const reservation = await this.reserve(orderId, lines);
      await this.store(manager, orderId, input, lines, reservation);
      await runner.commitTransaction();
      committed = true;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      if (reservationMayExist && !committed) this.releaseBestEffort(orderId);
      throw this.translate(error);
    } finally {
      await runner.release();
    }
    this.worker.nudge();
    setSpanAttributes({ 'ordermesh.order.id': orderId, 'ordermesh.order.status': 'PENDING' });
    // One line per placed order, in its trace: what the log store finds an order by (order_id).
    this.logger.log({ order_id: orderId, msg: 'order placed' });
    const row = await findOrder(this.dataSource.manager, orderId);
    if (!row) throw new Error(`order ${orderId} vanished after its commit`);
    return toOrderMessage(this.dataSource.manager, row);
  }

  private reject(reason: RejectReason): void {
    this.metrics.rejected(reason);
    setSpanAttributes({ 'ordermesh.outcome': 'rejected', 'ordermesh.reason': reason });
  }

  private async keyUsed(input: ValidPlaceOrder): Promise<boolean> {
    return (
      (await findIdempotencyKey(
        this.dataSource.manager,
        input.customerId,
        input.idempotencyKey,
      )) !== undefined
    );
  }

  /** The key was used before: the same request gets the same order, another one is refused. */
  private async repeat(input: ValidPlaceOrder, hash: string): Promise<Order> {
    const existing = await findIdempotencyKey(
      this.dataSource.manager,
      input.customerId,
      input.idempotencyKey,
    );
    if (!existing) throw unavailable('the idempotency key is being processed; retry');
    if (existing.request_hash !== hash) {
      throw failedPrecondition('idempotency key reused with a different request');
    }
    const row = await findOrder(this.dataSource.manager, existing.order_id);
    if (!row) throw unavailable('the idempotency key is being processed; retry');
    setSpanAttributes({
      'ordermesh.order.id': row.id,
      'ordermesh.order.status': row.status,
      'ordermesh.idempotent_replay': true,
    });
    return toOrderMessage(this.dataSource.manager, row);
  }

  /** Customer, catalogue and prices, asked in parallel and checked in this order. */
  private async priceLines(input: ValidPlaceOrder): Promise<NewLine[]> {
    const productIds = input.items.map((item) => item.productId);
    const options = { timeoutMs: PLACE_CALL_TIMEOUT_MS };
    const [user, catalogue, prices] = await Promise.allSettled([
      this.users.call('getUser', { userId: input.customerId }, options),
      this.products.call('resolveProducts', { productIds }, options),
      this.pricing.call('getPrices', { productIds }, options),
    ]);

    if (user.status === 'rejected') {
      if (grpcCode(user.reason) !== GrpcStatus.NOT_FOUND) throw downstream('user', user.reason);
      this.reject('customer_inactive');
      throw invalidArgument('customer is not active');
    }
    if (user.value.user?.status !== UserStatus.ACTIVE) {
      this.reject('customer_inactive');
      throw invalidArgument('customer is not active');
    }

    if (catalogue.status === 'rejected') throw downstream('product', catalogue.reason);
    const missing = catalogue.value.missingProductIds;
    if (missing.length > 0) {
      this.reject('unknown_product');
      throw rpcError(GrpcStatus.NOT_FOUND, `unknown products: ${missing.join(', ')}`, {
        missingProductIds: missing,
      });
    }
    const productsById = new Map<string, Product>(
      catalogue.value.products.map((product) => [product.productId, product]),
    );

    if (prices.status === 'rejected') throw downstream('pricing', prices.reason);
    const priceById = new Map<string, Price>(prices.value.prices.map((p) => [p.productId, p]));
    const unpriced = productIds.filter((id) => !priceById.get(id)?.unitPrice);
    if (unpriced.length > 0) {
      this.reject('not_for_sale');
      throw failedPrecondition(`not for sale: ${unpriced.join(', ')}`, {
        notForSaleProductIds: unpriced,
      });
    }

    const lines = input.items.map((item): NewLine => {
      const product = productsById.get(item.productId);
      const unitPrice = priceById.get(item.productId)?.unitPrice;
      if (!product || !unitPrice) throw notFound(`unknown products: ${item.productId}`);
      const lineTotalMinor = unitPrice.amountMinor * item.quantity;
      if (!Number.isSafeInteger(lineTotalMinor)) {
        throw invalidArgument(`the total of product ${item.productId} is too large`);
      }
      return {
        productId: item.productId,
        name: product.name,
        quantity: item.quantity,
        unitPriceMinor: unitPrice.amountMinor,
        lineTotalMinor,
        currency: unitPrice.currency,
      };
    });
    const currencies = [...new Set(lines.map((line) => line.currency))];
    if (currencies.length > 1) {
      this.reject('mixed_currency');
      throw failedPrecondition(
        `the products are priced in different currencies (${currencies.join(', ')}); order them separately`,
      );
    }
    return lines;
  }

  /** All lines or none; REJECTED (not enough stock) is a 409 listing the shortages. */
  private async reserve(
    orderId: string,
    lines: NewLine[],
  ): Promise<{ reservationId: string; expiresAt: string }> {
    const ttlSeconds = Math.ceil(
      (this.config.PAYMENT_DEADLINE_MS + this.config.RESERVATION_TTL_MARGIN_MS) / 1000,
    );
    let response;
    try {
      response = await this.inventory.call(
        'reserveStock',
        {
          orderId,
          lines: lines.map((line) => ({ productId: line.productId, quantity: line.quantity })),
          ttlSeconds,
        },
        { timeoutMs: PLACE_CALL_TIMEOUT_MS },
      );
    } catch (error) {
      throw downstream('inventory', error);
    }
    const reservation = response.reservation;
    if (reservation?.status === ReservationStatus.REJECTED) {
      this.reject('out_of_stock');
      const shortages = reservation.shortages.map((s) => ({
        productId: s.productId,
        requested: s.requested,
        available: s.available,
      }));
      throw failedPrecondition(
        `out of stock: ${shortages.map((s) => `${s.productId} (requested ${s.requested}, available ${s.available})`).join(', ')}`,
        { shortages },
      );
    }
    if (reservation?.status !== ReservationStatus.RESERVED) {
      throw rpcError(
        GrpcStatus.INTERNAL,
        `unexpected reservation status ${reservation ? ReservationStatus[reservation.status] : 'none'}`,
      );
    }
    return { reservationId: reservation.reservationId, expiresAt: reservation.expiresAt };
  }

  private async store(
    manager: EntityManager,
    orderId: string,
    input: ValidPlaceOrder,
    lines: NewLine[],
    reservation: { reservationId: string; expiresAt: string },
  ): Promise<void> {
    const totalMinor = lines.reduce((sum, line) => sum + line.lineTotalMinor, 0);
    if (!Number.isSafeInteger(totalMinor)) throw invalidArgument('the order total is too large');
    const currency = lines[0]?.currency ?? '';
    await insertOrder(
      manager,
      {
        id: orderId,
        customerId: input.customerId,
        paymentMethod: input.paymentMethod,
        totalMinor,
        currency,
        shippingAddress: input.shippingAddress,
        paymentDeadlineMs: this.config.PAYMENT_DEADLINE_MS,
        traceContext: captureTraceContext(),
      },
      lines,
    );
    await appendSteps(manager, orderId, [
      {
        step: 'reserve_stock',
        status: 'SUCCEEDED',
        detail: `reservation ${reservation.reservationId} until ${reservation.expiresAt}`,
      },
    ]);
    await this.outbox.add(manager, 'order.placed.v1', {
      orderId,
      customerId: input.customerId,
      lines: lines.map((line) => ({
        productId: line.productId,
        name: line.name,
        quantity: line.quantity,
        unitPrice: { amountMinor: line.unitPriceMinor, currency: line.currency },
        lineTotal: { amountMinor: line.lineTotalMinor, currency: line.currency },
      })),
      total: { amountMinor: totalMinor, currency },
      paymentMethod: input.paymentMethod,
      ...(input.shippingAddress ? { shippingAddress: input.shippingAddress } : {}),
      placedAt: new Date().toISOString(),
    });
  }

  /**
   * The order was not stored but stock may be reserved for it (the failure came after, or during,
   * ReserveStock): give it back now; the reservation's TTL is the backstop if this fails too.
   */
  private releaseBestEffort(orderId: string): void {
    detached(() => {
      this.inventory
        .call(
          'releaseReservation',
          { orderId, reason: 'order was not placed' },
          { timeoutMs: PLACE_CALL_TIMEOUT_MS },
        )
        .catch((error: unknown) => {
          if (grpcCode(error) === GrpcStatus.NOT_FOUND) return;
          this.logger.warn(
            `could not release the reservation of unplaced order ${orderId} (its TTL will): ${describeError(error)}`,
          );
        });
    });
  }

  /**
   * A lock wait on the idempotency key becomes a retryable ABORTED; the rest passes through (an
   * unreachable database becomes UNAVAILABLE in the GrpcErrorInterceptor, which classifies with
   * @ordermesh/resilience like every service).
   */
  private translate(error: unknown): unknown {
    if (!(error instanceof RpcException) && pgErrorCode(error) === '55P03') {
      return rpcError(
        GrpcStatus.ABORTED,
        'a request with this idempotency key is still being processed; retry later',
      );
    }
    return error;
  }
}

/** A failed downstream call while placing: 503 when it may work on a retry, 500 otherwise. */
function downstream(service: string, error: unknown): RpcException {
  if (isTransient(error)) return unavailable(`${service} is unavailable; nothing was ordered`);
  if (!isGrpcCallError(error))
    return rpcError(GrpcStatus.INTERNAL, `${service}: ${describeError(error)}`);
  return rpcError(GrpcStatus.INTERNAL, `unexpected error from ${service}: ${describeError(error)}`);
}
