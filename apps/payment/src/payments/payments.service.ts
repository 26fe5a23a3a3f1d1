import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Outbox } from '@ordermesh/messaging';
import { remainingMs } from '@ordermesh/resilience';
import {
  GrpcStatus,
  failedPrecondition,
  invalidArgument,
  isUuid,
  notFound,
  rpcError,
  unavailable,
} from '@ordermesh/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { PaymentMetrics, type PaymentOperationLabel } from './payment.metrics';
import { PaymentEntity } from './payment.entity';
import {
  type AuthorizeInput,
  MAX_REFUND_REASON,
  type OperationKind,
  type OperationOutcome,
  authorizeProblems,
  authorizeReplay,
  captureTransition,
  isRejection,
  refundTransition,
} from './payment-state';
import {
  InvalidTestControlsError,
  type PaymentProvider,
  ProviderUnavailableError,
  type TestControls,
} from './provider';

export const PAYMENT_PROVIDER = Symbol('PAYMENT_PROVIDER');

@Injectable()
export class PaymentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    private readonly metrics: PaymentMetrics,
  ) {}

  /**
   * Idempotent per order: the first call asks the provider and stores the payment (AUTHORIZED or
   * DECLINED) with its ledger row and event in one transaction; any later or concurrent call gets
   * that payment back. Concurrent first calls race on the unique order_id: the loser's insert
   * waits for the winner's commit, inserts nothing and returns the winner's payment.
   */
  async authorize(request: {
    orderId: string;
    customerId: string;
    amount: { amountMinor: number; currency: string } | null;
    paymentMethod: string;
  }): Promise<PaymentEntity> {
    const { amount } = request;
    const problems = authorizeProblems(request);
    if (problems.length || !amount) {
      this.metrics.operation('authorize', 'rejected');
      throw invalidArgument(problems.join('; '), { problems });
    }
    const input: AuthorizeInput = {
      orderId: request.orderId.toLowerCase(),
      customerId: request.customerId.toLowerCase(),
      amountMinor: amount.amountMinor,
      currency: amount.currency,
      paymentMethod: request.paymentMethod,
    };

    const existing = await this.find(input.orderId);
    if (existing) return this.replayAuthorize(existing, input);

    const decision = await this.callProvider('authorize', () =>
      this.provider.authorize(input.paymentMethod),
    );

    const now = new Date();
    const payment = Object.assign(new PaymentEntity(), {
      id: randomUUID(),
      orderId: input.orderId,
      customerId: input.customerId,
      status: decision.approved ? 'AUTHORIZED' : 'DECLINED',
      amountMinor: input.amountMinor,
      currency: input.currency,
      paymentMethod: input.paymentMethod,
      declineReason: decision.approved ? null : decision.reason,
      capturedMinor: 0,
      refundedMinor: 0,
      refundReason: null,
      createdAt: now,
      updatedAt: now,
    } satisfies PaymentEntity);

    const inserted = await this.dataSource.transaction(async (manager) => {
      const rows: unknown[] = await manager.query(
        `INSERT INTO payments (id, order_id, customer_id, status, amount_minor, currency,
           payment_method, decline_reason, captured_minor, refunded_minor, refund_reason,
           created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, NULL, $9, $9)
         ON CONFLICT (order_id) DO NOTHING
         RETURNING id`,
        [
          payment.id,
          payment.orderId,
          payment.customerId,
          payment.status,
          payment.amountMinor,
          payment.currency,
          payment.paymentMethod,
          payment.declineReason,
          now,
        ],
      );
      if (rows.length === 0) return false;
      await this.record(
        manager,
        payment,
        'authorize',
        decision.approved ? 'approved' : 'declined',
        payment.amountMinor,
        now,
      );
      const amount = { amountMinor: payment.amountMinor, currency: payment.currency };
      if (decision.approved) {
        await this.outbox.add(manager, 'payment.authorized.v1', {
          paymentId: payment.id,
          orderId: payment.orderId,
          customerId: payment.customerId,
          amount,
          paymentMethod: payment.paymentMethod,
          authorizedAt: now.toISOString(),
        });
      } else {
        await this.outbox.add(manager, 'payment.declined.v1', {
          paymentId: payment.id,
          orderId: payment.orderId,
          customerId: payment.customerId,
          amount,
          paymentMethod: payment.paymentMethod,
          reason: decision.approved ? '' : decision.reason,
          declinedAt: now.toISOString(),
        });
      }
      return true;
    });

    if (!inserted) {
      // A concurrent call for the same order committed first.
      return this.replayAuthorize(await this.require(input.orderId, 'authorize'), input);
    }
    this.metrics.operation('authorize', decision.approved ? 'ok' : 'declined');
    return payment;
  }

  /** AUTHORIZED -> CAPTURED, once; CAPTURED again returns the payment unchanged. */
  async capture(orderId: string): Promise<PaymentEntity> {
    this.requireOrderId(orderId, 'capture');
    const current = await this.require(orderId, 'capture');
    const first = captureTransition(current.status);
    if (first === 'already') {
      this.metrics.operation('capture', 'duplicate');
      return current;
    }
    if (isRejection(first)) {
      this.metrics.operation('capture', 'rejected');
      throw failedPrecondition(first.reject, { status: current.status });
    }

    await this.callProvider('capture', () => this.provider.capture());

    const result = await this.dataSource.transaction(async (manager) => {
      // Payments are never deleted, so the row read above is still there.
      const payment = await this.lock(manager, current.orderId);
      if (!payment) throw notFound(`order ${orderId} has no payment`);
      const transition = captureTransition(payment.status);
      if (transition !== 'capture') return { payment, transition };
      const now = new Date();
      payment.status = 'CAPTURED';
      payment.capturedMinor = payment.amountMinor;
      payment.updatedAt = now;
      await manager.getRepository(PaymentEntity).save(payment);
      await this.record(manager, payment, 'capture', 'approved', payment.capturedMinor, now);
      await this.outbox.add(manager, 'payment.captured.v1', {
        paymentId: payment.id,
        orderId: payment.orderId,
        customerId: payment.customerId,
        amount: { amountMinor: payment.capturedMinor, currency: payment.currency },
        capturedAt: now.toISOString(),
      });
      return { payment, transition };
    });

    if (result.transition === 'already') {
      this.metrics.operation('capture', 'duplicate');
    } else if (isRejection(result.transition)) {
      // Voided between our read and the lock (a concurrent RefundPayment).
      this.metrics.operation('capture', 'rejected');
      throw failedPrecondition(result.transition.reject, { status: result.payment.status });
    } else {
      this.metrics.operation('capture', 'ok');
      this.metrics.capturedAmount(result.payment.currency, result.payment.capturedMinor);
    }
    return result.payment;
  }

  /**
   * AUTHORIZED -> VOIDED, CAPTURED -> REFUNDED (full amount), each once; VOIDED/REFUNDED/DECLINED
   * are returned unchanged. NOT_FOUND when the order has no payment.
   */
  async refund(orderId: string, reasonInput: string): Promise<PaymentEntity> {
    this.requireOrderId(orderId, 'refund');
    const reason = reasonInput.trim();
    if (reason.length > MAX_REFUND_REASON) {
      this.metrics.operation('refund', 'rejected');
      throw invalidArgument(`reason must be at most ${MAX_REFUND_REASON} characters`);
    }
    const result = await this.dataSource.transaction(async (manager) => {
      const payment = await this.lock(manager, orderId.toLowerCase());
      if (!payment) return undefined;
      const transition = refundTransition(payment.status);
      if (transition !== 'void' && transition !== 'refund') return { payment, transition };
      const now = new Date();
      const amountMinor = transition === 'void' ? payment.amountMinor : payment.capturedMinor;
      payment.status = transition === 'void' ? 'VOIDED' : 'REFUNDED';
      if (transition === 'refund') payment.refundedMinor = payment.capturedMinor;
      payment.refundReason = reason;
      payment.updatedAt = now;
      await manager.getRepository(PaymentEntity).save(payment);
      await this.record(manager, payment, transition, 'approved', amountMinor, now);
      await this.outbox.add(manager, 'payment.refunded.v1', {
        paymentId: payment.id,
        orderId: payment.orderId,
        customerId: payment.customerId,
        kind: transition === 'void' ? 'VOID' : 'REFUND',
        amount: { amountMinor, currency: payment.currency },
        reason,
        refundedAt: now.toISOString(),
      });
      return { payment, transition };
    });

    if (!result) {
      this.metrics.operation('refund', 'rejected');
      throw notFound(`order ${orderId} has no payment`);
    }
    const { payment, transition } = result;
    if (transition === 'void' || transition === 'refund') {
      this.metrics.operation(transition, 'ok');
      if (transition === 'refund')
        this.metrics.refundedAmount(payment.currency, payment.refundedMinor);
    } else {
      this.metrics.operation(payment.status === 'VOIDED' ? 'void' : 'refund', 'duplicate');
    }
    return payment;
  }

  async get(orderId: string): Promise<PaymentEntity> {
    if (!isUuid(orderId)) throw invalidArgument('order_id must be a UUID');
    const payment = await this.find(orderId.toLowerCase());
    if (!payment) throw notFound(`order ${orderId} has no payment`);
    return payment;
  }

  configureTestControls(controls: TestControls): TestControls {
    const testControls = this.provider.testControls;
    if (!testControls) {
      throw failedPrecondition('test controls are disabled (PAYMENT_TEST_CONTROLS is not enabled)');
    }
    try {
      return testControls.configure(controls);
    } catch (error) {
      if (error instanceof InvalidTestControlsError)
        throw invalidArgument(error.message, { problems: error.problems });
      throw error;
    }
  }

  private replayAuthorize(existing: PaymentEntity, input: AuthorizeInput): PaymentEntity {
    const replay = authorizeReplay(existing, input);
    if (isRejection(replay)) {
      this.metrics.operation('authorize', 'rejected');
      throw failedPrecondition(replay.reject, {
        paymentId: existing.id,
        amount: { amountMinor: existing.amountMinor, currency: existing.currency },
      });
    }
    this.metrics.operation('authorize', 'duplicate');
    return existing;
  }

  /**
   * Calls the provider: its failures become UNAVAILABLE (retryable: nothing was written),
   * and when its latency used up the caller's deadline, nothing is written either, so a caller
   * that gave up and compensates (RefundPayment -> NOT_FOUND) is not surprised by a late payment.
   */
  private async callProvider<T>(
    operation: PaymentOperationLabel,
    call: () => Promise<T>,
  ): Promise<T> {
    let result: T;
    try {
      result = await call();
    } catch (error) {
      if (error instanceof ProviderUnavailableError) {
        this.metrics.operation(operation, 'unavailable');
        throw unavailable(error.message);
      }
      throw error;
    }
    if (remainingMs() === 0) {
      this.metrics.operation(operation, 'unavailable');
      throw rpcError(
        GrpcStatus.DEADLINE_EXCEEDED,
        `deadline exceeded during ${operation}; nothing was recorded`,
      );
    }
    return result;
  }

  private requireOrderId(orderId: string, operation: PaymentOperationLabel): void {
    if (!isUuid(orderId)) {
      this.metrics.operation(operation, 'rejected');
      throw invalidArgument('order_id must be a UUID');
    }
  }

  private find(orderId: string): Promise<PaymentEntity | null> {
    return this.dataSource.getRepository(PaymentEntity).findOneBy({ orderId });
  }

  private async require(orderId: string, operation: PaymentOperationLabel): Promise<PaymentEntity> {
    const payment = await this.find(orderId.toLowerCase());
    if (!payment) {
      this.metrics.operation(operation, 'rejected');
      throw notFound(`order ${orderId} has no payment`);
    }
    return payment;
  }

  /** The order's payment, locked until the transaction ends (serialises capture/refund). */
  private lock(manager: EntityManager, orderId: string): Promise<PaymentEntity | null> {
    return manager
      .getRepository(PaymentEntity)
      .findOne({ where: { orderId }, lock: { mode: 'pessimistic_write' } });
  }

  private async record(
    manager: EntityManager,
    payment: PaymentEntity,
    kind: OperationKind,
    outcome: OperationOutcome,
    amountMinor: number,
    at: Date,
  ): Promise<void> {
    // A unique violation here would mean a second capture/refund of one order: let it fail the
    // transaction (and the call) rather than record money moving twice.
    await manager.query(
      `INSERT INTO payment_operations (id, payment_id, order_id, kind, outcome, amount_minor, currency, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [randomUUID(), payment.id, payment.orderId, kind, outcome, amountMinor, payment.currency, at],
    );
  }
}
