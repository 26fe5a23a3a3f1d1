import { type Span, trace } from '@opentelemetry/api';

/**
 * The domain attributes Ordermesh puts on spans, all under `ordermesh.`. This type is the
 * registry (docs/telemetry-registry.md lists the same names with their meaning): adding one means
 * adding it in both places. Values are ids (UUIDs), enum-like words and counts — never personal
 * data (names, emails, addresses), tokens, passwords or payment instrument details.
 */
export interface OrdermeshSpanAttributes {
  /** Order UUID. */
  'ordermesh.order.id'?: string;
  /** Order status after the operation: PENDING, CONFIRMED, CANCELLED, SHIPPED. */
  'ordermesh.order.status'?: string;
  /** Number of order lines. */
  'ordermesh.order.line_count'?: number;
  /** Saga step in snake_case, as in the order's step log: reserve_stock, authorize_payment, … */
  'ordermesh.saga.step'?: string;
  /** Result of the operation or step: succeeded, failed, compensated, declined, duplicate, … */
  'ordermesh.outcome'?: string;
  /** Machine-readable reason of a failure or cancellation: out_of_stock, payment_declined, … */
  'ordermesh.reason'?: string;
  /** Product UUID (single-product operations). */
  'ordermesh.product.id'?: string;
  /** Payment UUID. */
  'ordermesh.payment.id'?: string;
  /** Payment operation: authorize, capture, void, refund. */
  'ordermesh.payment.operation'?: string;
  /** Shipment UUID. */
  'ordermesh.shipment.id'?: string;
  /** Stock reservation UUID. */
  'ordermesh.reservation.id'?: string;
  /** Event envelope id (UUID) being produced or handled. */
  'ordermesh.event.id'?: string;
  /** Event type, e.g. order.confirmed.v1. */
  'ordermesh.event.type'?: string;
  /** True when an idempotent operation returned an earlier result instead of acting again. */
  'ordermesh.idempotent_replay'?: boolean;
  /** The request id of the HTTP request at the edge (x-request-id), set by the logging module. */
  'ordermesh.request.id'?: string;
}

export type OrdermeshSpanAttributeName = keyof OrdermeshSpanAttributes;

/** Every registered attribute name (for the registry test and documentation). */
export const ORDERMESH_SPAN_ATTRIBUTES: readonly OrdermeshSpanAttributeName[] = [
  'ordermesh.order.id',
  'ordermesh.order.status',
  'ordermesh.order.line_count',
  'ordermesh.saga.step',
  'ordermesh.outcome',
  'ordermesh.reason',
  'ordermesh.product.id',
  'ordermesh.payment.id',
  'ordermesh.payment.operation',
  'ordermesh.shipment.id',
  'ordermesh.reservation.id',
  'ordermesh.event.id',
  'ordermesh.event.type',
  'ordermesh.idempotent_replay',
  'ordermesh.request.id',
];

const REGISTERED = new Set<string>(ORDERMESH_SPAN_ATTRIBUTES);
/** Attribute strings are ids and short words; anything longer is cut (it is not free text). */
export const MAX_ATTRIBUTE_LENGTH = 128;

/**
 * Sets registered `ordermesh.*` attributes on the active span (or on `span`). Unknown names and
 * empty values are ignored, long strings are truncated; a no-op when no span is recording, so it
 * is safe to call anywhere (also with OTEL_SDK_DISABLED).
 *
 * `setSpanAttributes({ 'ordermesh.order.id': order.id, 'ordermesh.saga.step': 'reserve_stock' })`
 */
export function setSpanAttributes(
  attributes: OrdermeshSpanAttributes,
  span: Span | undefined = trace.getActiveSpan(),
): void {
  if (!span?.isRecording()) return;
  for (const [name, value] of Object.entries(attributes) as [string, unknown][]) {
    if (!REGISTERED.has(name) || value === undefined || value === null || value === '') continue;
    if (typeof value === 'string') span.setAttribute(name, value.slice(0, MAX_ATTRIBUTE_LENGTH));
    else if (typeof value === 'number' || typeof value === 'boolean')
      span.setAttribute(name, value);
  }
}
