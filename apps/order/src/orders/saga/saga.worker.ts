import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Span, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { Outbox, contextFromTraceContext } from '@ordermesh/messaging';
import { setSpanAttributes } from '@ordermesh/observability';
import { PollingLoop, type PollRoundResult } from '@ordermesh/resilience';
import { InjectConfig } from '@ordermesh/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import type { OrderEnv } from '../../config/env.schema';
import { detached } from '../detached';
import { OrderMetrics } from '../order.metrics';
import {
  type OrderRow,
  appendSteps,
  claimDueOrder,
  countInflight,
  deferOrder,
  dueOrderIds,
  findLines,
  snapshotOf,
  updateSaga,
} from '../orders.repository';
import { SagaExecutor } from './saga.executor';
import {
  type SagaAction,
  type StepOutcome,
  type Plan,
  type Transition,
  actionOf,
  afterStep,
  nextAttemptAt,
  plan,
} from './state-machine';

/** Orders driven at the same time by one replica (each holds a connection during its step). */
const MAX_CONCURRENT_ORDERS = 10;
/** Steps one order may take in a row before it goes back in the queue (fairness). */
const MAX_STEPS_IN_A_ROW = 20;
const INFLIGHT_REFRESH_MS = 5_000;
/** A finished order refreshes the in-flight gauge at once, but at most once a second (a count). */
const INFLIGHT_REFRESH_AFTER_FINISH_MS = 1_000;
const tracer = trace.getTracer('ordermesh-order-saga');

type StepResult = 'advanced' | 'retry' | 'finished' | 'skipped';
/** A downstream call a step made and what came of it. */
type Call = { action: SagaAction; outcome: StepOutcome };

/** The step's span: which order, which step, what came of it. */
function annotate(
  span: Span,
  row: OrderRow,
  name: string,
  transition: Transition,
  call: Call | undefined,
): void {
  setSpanAttributes({
    'ordermesh.order.id': row.id,
    'ordermesh.saga.step': name,
    'ordermesh.outcome': call?.outcome.kind ?? 'transition',
    'ordermesh.order.status': transition.status,
    'ordermesh.reason': transition.cancel?.code,
  });
  if (call?.outcome.kind === 'transient' || call?.outcome.kind === 'error') {
    span.setStatus({ code: SpanStatusCode.ERROR, message: call.outcome.detail });
  }
}

/**
 * Drives the order saga: polls for orders with a due step (and runs at once when nudged), claims
 * each in its own transaction with FOR UPDATE SKIP LOCKED, performs ONE step while holding the row
 * lock, persists the new state, history and event, commits, and continues with the next step.
 * All state is in PostgreSQL: a replica killed at any point leaves the last committed state, which
 * any replica continues from (the callees are idempotent by order id).
 */
@Injectable()
export class SagaWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SagaWorker');
  private running = false;
  private inflightTimer: NodeJS.Timeout | undefined;
  private lastPollFull = false;
  private inflightRefreshedAt = 0;
  private readonly drives = new Map<string, Promise<void>>();
  private readonly loop: PollingLoop;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly executor: SagaExecutor,
    private readonly outbox: Outbox,
    private readonly metrics: OrderMetrics,
    @InjectConfig() config: OrderEnv,
  ) {
    this.loop = new PollingLoop(() => this.poll(), {
      intervalMs: config.SAGA_POLL_INTERVAL_MS,
      backoffBaseMs: config.SAGA_POLL_INTERVAL_MS * 2,
      maxBackoffMs: 5_000,
      // the database is down
      onFailure: (error, failures, retryInMs) =>
        this.logger.warn(
          `saga poll failed (${failures}x, retry in ${retryInMs} ms): ${(error as Error).message}`,
        ),
      onRecovered: () => this.logger.log('saga poll recovered'),
    });
  }

  /** After every module's init, so the migrations have run. */
  onApplicationBootstrap(): void {
    this.running = true;
    this.inflightTimer = setInterval(() => void this.refreshInflight(), INFLIGHT_REFRESH_MS);
    this.inflightTimer.unref();
    void this.refreshInflight();
    this.loop.start();
  }

  /** Stops polling and lets the steps in flight commit (bounded by the call timeout). */
  async onModuleDestroy(): Promise<void> {
    this.running = false;
    clearInterval(this.inflightTimer);
    await this.loop.stop();
    await Promise.allSettled([...this.drives.values()]);
  }

  /** Polls now instead of at the next interval (after PlaceOrder, CancelOrder, events). */
  nudge(): void {
    // A nudge from PlaceOrder must not tie the saga's calls to that request's deadline or trace.
    detached(() => this.loop.nudge());
  }

  /** One round: starts driving due orders in the free slots. */
  private async poll(): Promise<PollRoundResult> {
    const free = MAX_CONCURRENT_ORDERS - this.drives.size;
    if (free <= 0) {
      this.lastPollFull = true;
      return {};
    }
    // Ask for more than the free slots: some of the due orders may be ours already.
    const ids = await dueOrderIds(
      this.dataSource.manager,
      MAX_CONCURRENT_ORDERS + this.drives.size,
    );
    let started = 0;
    for (const id of ids) {
      if (this.drives.has(id) || this.drives.size >= MAX_CONCURRENT_ORDERS) continue;
      this.start(id);
      started += 1;
    }
    this.lastPollFull = started >= free;
    return {};
  }

  private start(id: string): void {
    const drive = this.drive(id).finally(() => {
      this.drives.delete(id);
      if (this.lastPollFull) this.nudge();
    });
    this.drives.set(id, drive);
  }

  /** Runs the order's steps one after another until it waits (retry), finishes or yields. */
  private async drive(id: string): Promise<void> {
    for (let i = 0; i < MAX_STEPS_IN_A_ROW && this.running; i++) {
      let result: StepResult;
      try {
        result = await this.step(id);
      } catch (error) {
        this.logger.error(
          `saga step of order ${id} failed: ${(error as Error).message}`,
          (error as Error).stack,
        );
        await this.deferAfterCrash(id, error).catch((deferError: unknown) =>
          this.logger.warn(`could not defer order ${id}: ${(deferError as Error).message}`),
        );
        return;
      }
      if (result !== 'advanced') return;
    }
  }

  /**
   * One step of one order, in one transaction that holds the order's row lock: claim the order,
   * run its next step, apply the outcome (state, history, event); metrics once committed.
   */
  async step(id: string): Promise<StepResult> {
    let after: (() => void) | undefined;
    const result = await this.dataSource.transaction(async (manager): Promise<StepResult> => {
      const row = await claimDueOrder(manager, id);
      if (!row) return 'skipped';
      const now = new Date(row.db_now);
      const next = plan(snapshotOf(row), now);
      const name =
        next.kind === 'call' ? next.action : (next.transition.steps[0]?.step ?? 'transition');
      // The step continues the trace of the request that placed (or cancelled) the order.
      return context.with(contextFromTraceContext(row.trace_context ?? {}), () =>
        tracer.startActiveSpan(`saga ${name}`, async (span): Promise<StepResult> => {
          try {
            const { transition, call } = await this.run(row, next);
            await this.apply(manager, row, transition, now);
            after = () => this.observe(row, transition, call);
            annotate(span, row, name, transition, call);
            if (transition.retry) return 'retry';
            return transition.state === 'DONE' ? 'finished' : 'advanced';
          } catch (error) {
            span.recordException(error as Error);
            span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
            throw error;
          } finally {
            span.end();
          }
        }),
      );
    });
    after?.();
    return result;
  }

  /** The planned step: a downstream call and the transition its outcome leads to, or a plain transition. */
  private async run(row: OrderRow, next: Plan): Promise<{ transition: Transition; call?: Call }> {
    if (next.kind !== 'call') return { transition: next.transition };
    const outcome = await this.executor.run(next.action, row);
    return {
      transition: afterStep(snapshotOf(row), next.action, outcome),
      call: { action: next.action, outcome },
    };
  }

  private async apply(
    manager: EntityManager,
    row: OrderRow,
    transition: Transition,
    now: Date,
  ): Promise<void> {
    const snapshot = snapshotOf(row);
    const attempts = transition.retry ? snapshot.attempts + 1 : 0;
    await updateSaga(
      manager,
      row,
      {
        state: transition.state,
        status: transition.status,
        attempts,
        nextAttemptAt: transition.retry ? nextAttemptAt(snapshot, attempts, now) : now,
        cancel: transition.cancel,
        withdrawCancel: transition.withdrawCancel,
      },
      transition.steps,
    );
    if (transition.event === 'order.confirmed.v1') {
      const lines = await findLines(manager, [row.id]);
      await this.outbox.add(manager, 'order.confirmed.v1', {
        orderId: row.id,
        customerId: row.customer_id,
        lines: lines.map((line) => ({ productId: line.product_id, quantity: line.quantity })),
        total: { amountMinor: Number(row.total_minor), currency: row.currency },
        ...(row.shipping_address ? { shippingAddress: row.shipping_address } : {}),
        confirmedAt: now.toISOString(),
      });
    } else if (
      transition.event === 'order.cancelled.v1' &&
      transition.final?.status === 'CANCELLED'
    ) {
      await this.outbox.add(manager, 'order.cancelled.v1', {
        orderId: row.id,
        customerId: row.customer_id,
        reason: transition.cancel?.reason ?? row.cancel_reason ?? 'cancelled',
        previousStatus: transition.final.previousStatus,
        cancelledAt: now.toISOString(),
      });
    }
  }

  /** Metrics of a committed step. */
  private observe(row: OrderRow, transition: Transition, call: Call | undefined): void {
    if (call) this.metrics.steps.inc({ step: call.action, outcome: call.outcome.kind });
    if (call?.outcome.kind === 'error') {
      this.logger.warn(`order ${row.id}: ${call.action} failed: ${call.outcome.detail}`);
    }
    const final = transition.final;
    if (!final) return;
    this.logger.log({ order_id: row.id, status: final.status, msg: 'order finished' });
    const reason = final.status === 'CANCELLED' ? final.code : 'none';
    this.metrics.orders.inc({ status: final.status.toLowerCase(), reason });
    // The placement saga: PENDING until confirmed or cancelled (not a later cancellation).
    if (final.status === 'CONFIRMED' || final.previousStatus === 'PENDING') {
      const seconds = (Date.now() - row.created_at.getTime()) / 1000;
      this.metrics.sagaDuration.observe({ outcome: final.status.toLowerCase() }, seconds);
    }
    if (Date.now() - this.inflightRefreshedAt >= INFLIGHT_REFRESH_AFTER_FINISH_MS) {
      void this.refreshInflight();
    }
  }

  /**
   * A step failed outside the saga's own error handling (database error, bug): push the order back
   * with a backoff and a FAILED entry, so one broken order cannot monopolise the worker.
   */
  private async deferAfterCrash(id: string, error: unknown): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const row = await deferOrder(manager, id);
      if (row && (row.attempts - 1) % 10 === 0) {
        await appendSteps(manager, id, [
          {
            step: actionOf(row.saga_state) ?? 'authorize_payment',
            status: 'FAILED',
            detail: `internal error: ${(error as Error).message} (will retry)`,
          },
        ]);
      }
    });
  }

  private async refreshInflight(): Promise<void> {
    this.inflightRefreshedAt = Date.now();
    try {
      this.metrics.inflight.set(await countInflight(this.dataSource.manager));
    } catch {
      // the next refresh will tell
    }
  }
}
