import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { GatewayClient, GatewayError } from '../gateway/gateway.client';
import type { ProductPage } from '../gateway/gateway.types';
import { readSession } from '../session/session';
import { Views } from '../views/views';

export const PAGE_SIZE = 12;

@Controller()
export class CatalogueController {
  constructor(
    private readonly gateway: GatewayClient,
    private readonly views: Views,
  ) {}

  @Get()
  async catalogue(
    @Req() request: Request,
    @Res() response: Response,
    @Query('category') category = '',
    @Query('q') q = '',
    @Query('page') pageToken = '',
    @Query('from') from = '',
  ) {
    const filter = { category: String(category).slice(0, 100), q: String(q).slice(0, 100) };
    let page: ProductPage;
    try {
      page = await this.gateway.products({
        ...filter,
        pageToken: String(pageToken),
        pageSize: PAGE_SIZE,
      });
    } catch (error) {
      // A stale or foreign page token (the filter changed) restarts from the first page.
      if (error instanceof GatewayError && error.status === 400 && pageToken) {
        return response.redirect(303, `/?${new URLSearchParams(filter)}`);
      }
      throw error;
    }
    const query = (extra: Record<string, string>) =>
      `/?${new URLSearchParams({ ...filter, ...extra })}`;
    // "Previous" goes back through the tokens seen so far (kept in the link, not on the server).
    const trail = String(from).split(',').filter(Boolean).slice(-20);
    const previous =
      pageToken === ''
        ? null
        : query({
            page: trail.at(-1) === '-' ? '' : (trail.at(-1) ?? ''),
            from: trail.slice(0, -1).join(','),
          });
    const next = page.nextPageToken
      ? query({ page: page.nextPageToken, from: [...trail, pageToken || '-'].join(',') })
      : null;
    response.send(
      this.views.page(request, 'catalogue.njk', {
        title: filter.category ? `Catalogue: ${filter.category}` : 'Catalogue',
        products: page.items,
        categories: page.categories,
        filter,
        previous,
        next,
        pageNumber: trail.length + 1,
        degraded: page.items.some((item) => item.degraded),
      }),
    );
  }

  @Get('products/:id')
  async product(@Req() request: Request, @Res() response: Response, @Param('id') id: string) {
    const product = await this.gateway.product(id);
    response.send(
      this.views.page(request, 'product.njk', {
        title: product.name,
        product,
        signedIn: Boolean(readSession(request)),
        added: request.query['added'] === '1',
      }),
    );
  }
}
