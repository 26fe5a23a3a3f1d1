import { Controller } from '@nestjs/common';
import {
  PricingServiceControllerMethods,
  type GetPricesRequest,
  type GetPricesResponse,
  type Price,
  type PricingServiceController,
  type SetPriceRequest,
  type SetPriceResponse,
} from '@ordermesh/contracts';
import type { PriceEntity } from './price.entity';
import { PricesService } from './prices.service';

@Controller()
@PricingServiceControllerMethods()
export class PricesController implements PricingServiceController {
  constructor(private readonly prices: PricesService) {}

  async setPrice(request: SetPriceRequest): Promise<SetPriceResponse> {
    return { price: toMessage(await this.prices.setPrice(request)) };
  }

  async getPrices(request: GetPricesRequest): Promise<GetPricesResponse> {
    const { prices, missing } = await this.prices.getPrices(request.productIds);
    return { prices: prices.map(toMessage), missingProductIds: missing };
  }
}

function toMessage(price: PriceEntity): Price {
  return {
    productId: price.productId,
    listPrice: { amountMinor: price.listAmountMinor, currency: price.currency },
    discountBps: price.discountBps,
    unitPrice: { amountMinor: price.unitAmountMinor, currency: price.currency },
    updatedAt: price.updatedAt.toISOString(),
  };
}
