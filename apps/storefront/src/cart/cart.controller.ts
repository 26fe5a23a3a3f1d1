import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { InjectConfig } from '@ordermesh/service-kit';
import type { Request, Response } from 'express';
import { asCaller, field, requireSession } from '../common/http';
import type { StorefrontEnv } from '../config/env.schema';
import { GatewayClient, GatewayError } from '../gateway/gateway.client';
import type { ApiOrder, ApiProduct, Money } from '../gateway/gateway.types';
import { Views } from '../views/views';
import { CartError, addToCart, readCart, setQuantity, writeCart, type CartLine } from './cart';

export const PAYMENT_METHODS = [
  { value: 'card', label: 'Credit card' },
  { value: 'paypal', label: 'PayPal' },
  { value: 'invoice', label: 'Invoice' },
];

@Controller()
export class CartController {
  constructor(
    private readonly gateway: GatewayClient,
    private readonly views: Views,
    @InjectConfig() private readonly config: StorefrontEnv,
  ) {}

  @Get('cart')
  async cart(@Req() request: Request, @Res() response: Response) {
    const session = requireSession(request);
    const lines = await this.priced(readCart(request, session.user.id));
    response.send(
      this.views.page(request, 'cart.njk', {
        title: 'Your cart',
        ...lines,
        error: request.query['error'],
      }),
    );
  }

  @Post('cart/items')
  add(@Req() request: Request, @Res() response: Response, @Body() body: unknown) {
    const session = requireSession(request);
    const productId = field(body, 'productId');
    try {
      const lines = addToCart(
        readCart(request, session.user.id),
        productId,
        Number(field(body, 'quantity') || '1'),
      );
      writeCart(response, session.user.id, lines, this.config.COOKIE_SECURE);
    } catch (error) {
      if (error instanceof CartError) {
        return response.redirect(
          303,
          `/products/${encodeURIComponent(productId)}?error=${encodeURIComponent(error.message)}`,
        );
      }
      throw error;
    }
    response.redirect(303, `/products/${encodeURIComponent(productId)}?added=1`);
  }

  @Post('cart/items/:productId')
  update(
    @Req() request: Request,
    @Res() response: Response,
    @Param('productId') productId: string,
    @Body() body: unknown,
  ) {
    const session = requireSession(request);
    const quantity = field(body, 'action') === 'remove' ? 0 : Number(field(body, 'quantity'));
    try {
      writeCart(
        response,
        session.user.id,
        setQuantity(readCart(request, session.user.id), productId, quantity),
        this.config.COOKIE_SECURE,
      );
    } catch (error) {
      if (error instanceof CartError) {
        return response.redirect(303, `/cart?error=${encodeURIComponent(error.message)}`);
      }
      throw error;
    }
    response.redirect(303, '/cart');
  }

  @Get('checkout')
  async checkout(@Req() request: Request, @Res() response: Response) {
    const session = requireSession(request);
    const cart = await this.priced(readCart(request, session.user.id));
    if (cart.lines.length === 0) return response.redirect(303, '/cart');
    response.send(
      this.checkoutPage(request, cart, {
        recipientName: session.user.name,
        countryCode: 'DE',
        paymentMethod: 'card',
      }),
    );
  }

  @Post('checkout')
  async placeOrder(@Req() request: Request, @Res() response: Response, @Body() body: unknown) {
    const session = requireSession(request);
    const cartLines = readCart(request, session.user.id);
    if (cartLines.length === 0) return response.redirect(303, '/cart');
    const form = {
      recipientName: field(body, 'recipientName'),
      line1: field(body, 'line1'),
      line2: field(body, 'line2'),
      city: field(body, 'city'),
      region: field(body, 'region'),
      postalCode: field(body, 'postalCode'),
      countryCode: field(body, 'countryCode').toUpperCase(),
      paymentMethod: field(body, 'paymentMethod'),
      idempotencyKey: field(body, 'idempotencyKey'),
    };
    const decline = this.config.STOREFRONT_TEST_CONTROLS && field(body, 'declinePayment') === 'yes';
    let order: ApiOrder;
    try {
      order = await this.gateway.call<ApiOrder>('POST', '/orders', {
        ...asCaller(request, session),
        // The form's key: a double submit or a retried POST places one order, charged once.
        headers: {
          'idempotency-key': /^[A-Za-z0-9_-]{8,128}$/.test(form.idempotencyKey)
            ? form.idempotencyKey
            : randomUUID(),
        },
        body: {
          items: cartLines,
          paymentMethod: decline ? this.config.STOREFRONT_DECLINE_METHOD : form.paymentMethod,
          shippingAddress: {
            recipientName: form.recipientName,
            line1: form.line1,
            line2: form.line2,
            city: form.city,
            region: form.region,
            postalCode: form.postalCode,
            countryCode: form.countryCode,
          },
        },
      });
    } catch (error) {
      if (
        error instanceof GatewayError &&
        error.status >= 400 &&
        error.status < 500 &&
        error.status !== 401
      ) {
        const cart = await this.priced(cartLines);
        response.status(error.status);
        return response.send(this.checkoutPage(request, cart, form, error));
      }
      throw error;
    }
    writeCart(response, session.user.id, [], this.config.COOKIE_SECURE);
    response.redirect(303, `/orders/${order.id}`);
  }

  private checkoutPage(
    request: Request,
    cart: Awaited<ReturnType<CartController['priced']>>,
    form: Record<string, string>,
    error?: GatewayError,
  ) {
    return this.views.page(request, 'checkout.njk', {
      title: 'Checkout',
      ...cart,
      form,
      paymentMethods: PAYMENT_METHODS,
      idempotencyKey: randomUUID(),
      error: error?.message,
      problems: Array.isArray((error?.details as { problems?: unknown })?.problems)
        ? (error?.details as { problems: string[] }).problems
        : [],
    });
  }

  /** The cart's lines with their current product data, and the total at today's prices. */
  private async priced(lines: CartLine[]) {
    const products = await Promise.all(
      lines.map((line) =>
        this.gateway.product(line.productId).catch((error: unknown) => {
          if (error instanceof GatewayError && (error.status === 404 || error.status === 400))
            return undefined;
          throw error;
        }),
      ),
    );
    const rows = lines.flatMap((line, i) => {
      const product = products[i] as ApiProduct | undefined;
      if (!product) return [];
      const unit = product.price.unitPrice ?? product.basePrice;
      return [
        {
          ...line,
          product,
          unit,
          total: { amountMinor: unit.amountMinor * line.quantity, currency: unit.currency },
        },
      ];
    });
    const currency = rows[0]?.unit.currency ?? 'EUR';
    const total: Money = {
      amountMinor: rows
        .filter((row) => row.unit.currency === currency)
        .reduce((sum, row) => sum + row.total.amountMinor, 0),
      currency,
    };
    return { lines: rows, total, degraded: rows.some((row) => row.product.degraded) };
  }
}
