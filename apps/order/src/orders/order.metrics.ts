import { Injectable } from '@nestjs/common';
import { Metrics } from '@ordermesh/observability';
import type { Counter, Gauge, Histogram } from 'prom-client';

/** Placement refusals (nothing stored), the `reason` of ordermesh_orders_total{status="rejected"}. */
export type RejectReason =
  'customer_inactive' | 'unknown_product' | 'not_for_sale' | 'mixed_currency' | 'out_of_stock';

/** Saga durations run from seconds to the payment deadline (minutes). */
const SAGA_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/**
 * The order service's own metrics. Labels are bounded: statuses, step names, outcome kinds and
 * cancel codes — never ids or free text.
 */
@Injectable()
export class OrderMetrics {
  /** {status: confirmed|cancelled|shipped|rejected, reason: none|<cancel code>|<reject reason>} */
  readonly orders: Counter<'status' | 'reason'>;
  readonly sagaDuration: Histogram<'outcome'>;
  readonly steps: Counter<'step' | 'outcome'>;
  readonly inflight: Gauge<never>;

  constructor(metrics: Metrics) {
    this.orders = metrics.counter(
      'ordermesh_orders_total',
      'Orders that reached a final state (or were rejected at placement), by status and reason',
      ['status', 'reason'],
    );
    this.sagaDuration = metrics.histogram(
      'ordermesh_saga_duration_seconds',
      'Time from placement until the saga confirmed or cancelled the order',
      ['outcome'],
      SAGA_BUCKETS,
    );
    this.steps = metrics.counter(
      'ordermesh_saga_step_total',
      'Saga steps executed, by step and outcome (ok, declined, rejected, nothing, transient, error)',
      ['step', 'outcome'],
    );
    this.inflight = metrics.gauge(
      'ordermesh_saga_inflight_orders',
      'Orders whose saga (placement or cancellation) has work left',
      [],
    );
  }

  rejected(reason: RejectReason): void {
    this.orders.inc({ status: 'rejected', reason });
  }
}
