import {
  Body,
  Controller,
  Get,
  MessageEvent,
  Param,
  Post,
  Query,
  Req,
  Res,
  Sse,
} from '@nestjs/common';
import { InjectConfig } from '@ordermesh/service-kit';
import type { Request, Response } from 'express';
import {
  type Observable,
  catchError,
  defer,
  exhaustMap,
  filter,
  from,
  interval,
  of,
  startWith,
  switchMap,
  takeUntil,
  takeWhile,
  timer,
} from 'rxjs';
import { asCaller, field, requireSession } from '../common/http';
import type { StorefrontEnv } from '../config/env.schema';
import { GatewayClient, GatewayError, type CallOptions } from '../gateway/gateway.client';
import type { ApiOrder } from '../gateway/gateway.types';
import { Views, isResting } from '../views/views';
import { fingerprint, notificationsOf, type OrderSnapshot } from './order-stream';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Controller('orders')
export class OrdersController {
  constructor(
    private readonly gateway: GatewayClient,
    private readonly views: Views,
    @InjectConfig() private readonly config: StorefrontEnv,
  ) {}

  @Get()
  async list(@Req() request: Request, @Res() response: Response, @Query('page') pageToken = '') {
    const session = requireSession(request);
    const page = await this.gateway.orders(asCaller(request, session), String(pageToken));
    response.send(
      this.views.page(request, 'orders.njk', {
        title: 'My orders',
        orders: page.items,
        next: page.nextPageToken ? `/orders?page=${encodeURIComponent(page.nextPageToken)}` : null,
      }),
    );
  }

  @Get(':id')
  async show(@Req() request: Request, @Res() response: Response, @Param('id') id: string) {
    const session = requireSession(request);
    const snapshot = await this.snapshot(id, asCaller(request, session));
    response.send(
      this.views.page(request, 'order.njk', {
        title: `Order ${snapshot.order.id.slice(0, 8)}`,
        ...snapshot,
        // Cancelled and shipped orders change no more; a confirmed one may still be cancelled.
        live: snapshot.order.status === 'pending' || snapshot.order.status === 'confirmed',
        notice: request.query['notice'],
      }),
    );
  }

  /**
   * The order page's live view, pushed as server-sent events: the storefront asks the gateway
   * (the platform's public API) and sends the rendered saga panel whenever anything on it
   * changed. Quickly while the saga runs, slowly once it rests; closed after
   * ORDER_STREAM_MAX_MS (the browser's EventSource reconnects).
   */
  @Sse(':id/events')
  events(@Req() request: Request, @Param('id') id: string): Observable<MessageEvent> {
    const session = requireSession(request);
    if (!UUID.test(id)) throw new GatewayError(404, 'no such order');
    const caller = asCaller(request, session);
    const fast = this.config.ORDER_STREAM_INTERVAL_MS;
    let last = '';
    let quietTicks = 0;
    let final = false;
    return interval(fast).pipe(
      startWith(0),
      // Once the order rests, one look in five: a cancellation or the shipment still shows.
      filter(() => !final || ++quietTicks % 5 === 0),
      exhaustMap(() =>
        defer(() => this.snapshot(id, caller)).pipe(
          catchError((error: unknown) =>
            of(error instanceof GatewayError ? error : new GatewayError(503, String(error))),
          ),
        ),
      ),
      switchMap((result) => {
        if (result instanceof GatewayError) {
          return of({
            type: 'problem',
            data: { status: result.status, message: result.message },
          } as MessageEvent);
        }
        final = isResting(result.order);
        const print = fingerprint(result);
        if (print === last) return from([] as MessageEvent[]);
        last = print;
        return of({
          type: 'order',
          data: {
            status: result.order.status,
            steps: result.order.steps.map((step) => `${step.step}:${step.status}`),
            html: this.views.render('partials/saga.njk', { ...result }),
          },
        } as MessageEvent);
      }),
      // A refusal (signed out, not this customer's order) ends the stream after saying so.
      takeWhile(
        (event) => event.type !== 'problem' || (event.data as { status: number }).status >= 500,
        true,
      ),
      takeUntil(timer(this.config.ORDER_STREAM_MAX_MS)),
    );
  }

  @Post(':id/cancel')
  async cancel(
    @Req() request: Request,
    @Res() response: Response,
    @Param('id') id: string,
    @Body() body: unknown,
  ) {
    const session = requireSession(request);
    const reason = field(body, 'reason') || 'cancelled by customer';
    try {
      await this.gateway.call<ApiOrder>('POST', `/orders/${encodeURIComponent(id)}/cancel`, {
        ...asCaller(request, session),
        body: { reason: reason.slice(0, 500) },
      });
    } catch (error) {
      if (error instanceof GatewayError && (error.status === 409 || error.status === 400)) {
        return response.redirect(
          303,
          `/orders/${encodeURIComponent(id)}?notice=${encodeURIComponent(error.message)}`,
        );
      }
      throw error;
    }
    response.redirect(303, `/orders/${encodeURIComponent(id)}`);
  }

  private async snapshot(id: string, caller: CallOptions): Promise<OrderSnapshot> {
    const order = await this.gateway.order(id, caller);
    const [shipment, notifications] = await Promise.all([
      order.status === 'pending'
        ? Promise.resolve(null)
        : this.gateway.shipment(id, caller).catch((error: unknown) => {
            if (error instanceof GatewayError && error.status === 404) return null;
            throw error;
          }),
      this.gateway
        .notifications(caller)
        .then((page) => notificationsOf(id, page.items))
        .catch(() => []),
    ]);
    return { order, shipment, notifications };
  }
}
