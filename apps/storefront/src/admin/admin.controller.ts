import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { asCaller, field, requireSession } from '../common/http';
import { GatewayClient, GatewayError } from '../gateway/gateway.client';
import type { ApiProduct } from '../gateway/gateway.types';
import type { Session } from '../session/session';
import { Views } from '../views/views';

/** Decimal text ("12.5", "12,50") to integer minor units of a 2-digit currency; NaN when malformed. */
export function parseAmount(text: string): number {
  const match = /^(\d{1,9})(?:[.,](\d{1,2}))?$/.exec(text.trim());
  if (!match) return Number.NaN;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** Admin pages: products, stock and prices, through the gateway's admin API (role admin). */
@Controller('admin')
export class AdminController {
  constructor(
    private readonly gateway: GatewayClient,
    private readonly views: Views,
  ) {}

  @Get()
  async products(
    @Req() request: Request,
    @Res() response: Response,
    @Query('page') pageToken = '',
    @Query('q') q = '',
  ) {
    this.admin(request);
    const search = String(q).slice(0, 100);
    const page = await this.gateway.products({
      q: search,
      pageToken: String(pageToken),
      pageSize: 50,
    });
    const more = new URLSearchParams({ q: search, page: page.nextPageToken ?? '' });
    response.send(
      this.views.page(request, 'admin.njk', {
        title: 'Admin: products, stock and prices',
        products: page.items,
        categories: page.categories,
        q: search,
        next: page.nextPageToken ? `/admin?${more}` : null,
        notice: request.query['notice'],
        error: request.query['error'],
      }),
    );
  }

  @Post('products')
  async create(@Req() request: Request, @Res() response: Response, @Body() body: unknown) {
    const session = this.admin(request);
    await this.act(response, async () => {
      const product = await this.gateway.call<ApiProduct>('POST', '/products', {
        ...asCaller(request, session),
        body: {
          name: field(body, 'name'),
          description: field(body, 'description'),
          category: field(body, 'category'),
          basePrice: {
            amountMinor: this.amount(field(body, 'price')),
            currency: field(body, 'currency') || 'EUR',
          },
        },
      });
      const stock = Number(field(body, 'stock') || '0');
      await this.gateway.call('PUT', `/inventory/${product.id}`, {
        ...asCaller(request, session),
        body: { quantity: stock },
      });
      return `created ${product.name}`;
    });
  }

  @Post('products/:id/stock')
  async stock(
    @Req() request: Request,
    @Res() response: Response,
    @Param('id') id: string,
    @Body() body: unknown,
  ) {
    const session = this.admin(request);
    await this.act(response, async () => {
      const quantity = Number(field(body, 'quantity'));
      await this.gateway.call('PUT', `/inventory/${encodeURIComponent(id)}`, {
        ...asCaller(request, session),
        body: { quantity: Number.isFinite(quantity) ? quantity : -1 },
      });
      return `stock set to ${quantity}`;
    });
  }

  @Post('products/:id/price')
  async price(
    @Req() request: Request,
    @Res() response: Response,
    @Param('id') id: string,
    @Body() body: unknown,
  ) {
    const session = this.admin(request);
    await this.act(response, async () => {
      const discountPercent = Number(field(body, 'discountPercent') || '0');
      await this.gateway.call('PUT', `/prices/${encodeURIComponent(id)}`, {
        ...asCaller(request, session),
        body: {
          listPrice: {
            amountMinor: this.amount(field(body, 'listPrice')),
            currency: field(body, 'currency') || 'EUR',
          },
          discountBps: Math.round(discountPercent * 100),
        },
      });
      return 'price set';
    });
  }

  private amount(text: string): number {
    // NaN is sent as -1: the gateway refuses it with a reason, like any other bad amount.
    const minor = parseAmount(text);
    return Number.isNaN(minor) ? -1 : minor;
  }

  private admin(request: Request): Session {
    const session = requireSession(request);
    if (session.user.role !== 'admin')
      throw new ForbiddenException('the admin pages need an admin account');
    return session;
  }

  /** Runs an admin action; its outcome (or the API's reason for refusing it) shows on the page. */
  private async act(response: Response, action: () => Promise<string>): Promise<void> {
    try {
      const notice = await action();
      response.redirect(303, `/admin?notice=${encodeURIComponent(notice)}`);
    } catch (error) {
      if (
        error instanceof GatewayError &&
        error.status >= 400 &&
        error.status < 500 &&
        error.status !== 401
      ) {
        response.redirect(303, `/admin?error=${encodeURIComponent(error.message)}`);
        return;
      }
      throw error;
    }
  }
}
