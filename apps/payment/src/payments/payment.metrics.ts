import { Injectable } from '@nestjs/common';
import { Metrics } from '@ordermesh/observability';

export type PaymentOperationLabel = 'authorize' | 'capture' | 'void' | 'refund';
/**
 * ok: the operation happened; declined: a normal decline; duplicate: an idempotent repeat;
 * rejected: INVALID_ARGUMENT / FAILED_PRECONDITION / NOT_FOUND; unavailable: the (simulated)
 * provider failed.
 */
export type PaymentResultLabel = 'ok' | 'declined' | 'duplicate' | 'rejected' | 'unavailable';

@Injectable()
export class PaymentMetrics {
  private readonly operations;
  private readonly captured;
  private readonly refunded;

  constructor(metrics: Metrics) {
    this.operations = metrics.counter(
      'ordermesh_payments_total',
      'Payment operations by operation (authorize, capture, void, refund) and result',
      ['operation', 'result'],
    );
    this.captured = metrics.counter(
      'ordermesh_payment_captured_minor_total',
      'Captured amounts (revenue) in minor units of the currency',
      ['currency'],
    );
    this.refunded = metrics.counter(
      'ordermesh_payment_refunded_minor_total',
      'Refunded captured amounts in minor units of the currency',
      ['currency'],
    );
  }

  operation(operation: PaymentOperationLabel, result: PaymentResultLabel): void {
    this.operations.inc({ operation, result });
  }

  capturedAmount(currency: string, amountMinor: number): void {
    this.captured.inc({ currency }, amountMinor);
  }

  refundedAmount(currency: string, amountMinor: number): void {
    this.refunded.inc({ currency }, amountMinor);
  }
}
