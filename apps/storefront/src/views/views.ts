import { hostname } from 'node:os';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { InjectConfig } from '@ordermesh/service-kit';
import { trace } from '@opentelemetry/api';
import type { Request } from 'express';
import nunjucks from 'nunjucks';
import { readCart } from '../cart/cart';
import type { StorefrontEnv } from '../config/env.schema';
import type { ApiOrder, ApiOrderStep, Money } from '../gateway/gateway.types';
import { readSession } from '../session/session';

/** Which instance served the page: the pod name in a cluster, the host locally, and the pid. */
export const INSTANCE = `${hostname()} · pid ${process.pid}`;

const STEP_LABELS: Record<string, string> = {
  reserve_stock: 'Reserve stock',
  authorize_payment: 'Authorize payment',
  commit_stock: 'Commit stock',
  capture_payment: 'Capture payment',
  release_stock: 'Release stock',
  void_payment: 'Void payment',
  refund_payment: 'Refund payment',
  restock_stock: 'Restock',
  cancel_order: 'Cancellation requested',
  cancel_shipment: 'Cancel shipment',
  create_shipment: 'Shipment created',
  ship_order: 'Shipped',
};

/** Steps that undo an earlier one: the saga's compensations. */
export const COMPENSATIONS = new Set([
  'release_stock',
  'void_payment',
  'refund_payment',
  'restock_stock',
]);

export function formatMoney(money: Money | null | undefined): string {
  if (!money) return '–';
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency: money.currency }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  return new Intl.NumberFormat('en', { style: 'currency', currency: money.currency }).format(
    money.amountMinor / 10 ** digits,
  );
}

export function stepLabel(step: ApiOrderStep): string {
  return STEP_LABELS[step.step] ?? step.step.replace(/_/g, ' ');
}

/** A customer may ask to cancel until the order ships or is cancelled (the order service decides). */
export function cancellable(order: ApiOrder): boolean {
  return (
    (order.status === 'pending' || order.status === 'confirmed') &&
    !order.steps.some((step) => step.step === 'cancel_order')
  );
}

/**
 * Nothing more happens to the order unless someone acts: cancelled, shipped, or confirmed with
 * no cancellation under way (the live view then looks less often).
 */
export function isResting(order: ApiOrder): boolean {
  if (order.status === 'cancelled' || order.status === 'shipped') return true;
  return order.status === 'confirmed' && !order.steps.some((step) => step.step === 'cancel_order');
}

/** Server-side pages: Nunjucks templates (autoescaped) in ./views. */
@Injectable()
export class Views {
  private readonly env: nunjucks.Environment;

  constructor(@InjectConfig() private readonly config: StorefrontEnv) {
    this.env = new nunjucks.Environment(new nunjucks.FileSystemLoader(join(__dirname)), {
      autoescape: true,
      throwOnUndefined: false,
    });
    this.env.addFilter('money', formatMoney);
    this.env.addFilter('stepLabel', stepLabel);
    this.env.addFilter('datetime', (iso: string) =>
      iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '',
    );
    this.env.addFilter('percent', (bps: number) => `${(bps / 100).toFixed(bps % 100 ? 2 : 0)} %`);
    this.env.addGlobal('isCompensation', (step: ApiOrderStep) => COMPENSATIONS.has(step.step));
    this.env.addGlobal('cancellable', cancellable);
    this.env.addGlobal('traceUrl', (traceId: string | null) =>
      traceId && this.config.TRACE_URL_TEMPLATE
        ? this.config.TRACE_URL_TEMPLATE.replace('{traceId}', traceId)
        : '',
    );
  }

  /** Renders a page with what every page shows: who is signed in, the cart, the instance. */
  page(request: Request, template: string, context: Record<string, unknown> = {}): string {
    const session = readSession(request);
    const cartCount = session
      ? readCart(request, session.user.id).reduce((sum, line) => sum + line.quantity, 0)
      : 0;
    return this.render(template, {
      user: session?.user,
      cartCount,
      instance: INSTANCE,
      requestTraceId: trace.getActiveSpan()?.spanContext().traceId ?? '',
      testControls: this.config.STOREFRONT_TEST_CONTROLS,
      path: request.path,
      ...context,
    });
  }

  render(template: string, context: Record<string, unknown>): string {
    return this.env.render(template, context);
  }
}
