import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import {
  InvalidPageTokenError,
  TEXT_RULES,
  attributesProblems,
  cursorFields,
  textProblem,
  decodePageToken,
  encodePageToken,
  normalizePageSize,
  type InventoryServiceClient,
  type Money,
  type PricingServiceClient,
  type Product as ProductMessage,
  type ProductView,
  type TextRule,
} from '@ordermesh/contracts';
import {
  GrpcClient,
  InjectConfig,
  InjectGrpcClient,
  invalidArgument,
  isUuid,
  notFound,
} from '@ordermesh/service-kit';
import type { Model } from 'mongoose';
import { z } from 'zod';
import type { ProductEnv } from '../config/env.schema';
import { composeViews } from './product-view';
import { Product } from './product.schema';

export interface ProductInput {
  name?: string | undefined;
  description?: string | undefined;
  category?: string | undefined;
  attributes?: Record<string, string> | undefined;
  basePrice?: Money | undefined;
}

const cursorSchema = z.object({ id: cursorFields.id });
const CURRENCY = /^[A-Z]{3}$/;

@Injectable()
export class ProductsService {
  constructor(
    @InjectModel(Product.name) private readonly products: Model<Product>,
    @InjectGrpcClient('inventory') private readonly inventory: GrpcClient<InventoryServiceClient>,
    @InjectGrpcClient('pricing') private readonly pricing: GrpcClient<PricingServiceClient>,
    @InjectConfig() private readonly config: ProductEnv,
  ) {}

  async create(input: ProductInput): Promise<ProductMessage> {
    validate(input, true);
    const created = await this.products.create({
      _id: randomUUID(),
      name: input.name!.trim(),
      description: input.description?.trim() ?? '',
      category: input.category!.trim().toLowerCase(),
      attributes: input.attributes ?? {},
      basePrice: input.basePrice!,
    });
    return toMessage(created.toObject({ flattenMaps: true }));
  }

  async update(id: string, input: ProductInput): Promise<ProductMessage> {
    requireId(id);
    validate(input, false);
    const set: Record<string, unknown> = {};
    if (input.name !== undefined) set['name'] = input.name.trim();
    if (input.description !== undefined) set['description'] = input.description.trim();
    if (input.category !== undefined) set['category'] = input.category.trim().toLowerCase();
    if (input.attributes !== undefined) set['attributes'] = input.attributes;
    if (input.basePrice !== undefined) set['basePrice'] = input.basePrice;
    const updated = await this.products
      .findByIdAndUpdate(id, { $set: set }, { new: true })
      .lean<ProductRecord>();
    if (!updated) throw notFound(`product ${id} not found`);
    return toMessage(updated);
  }

  async get(id: string): Promise<ProductMessage> {
    requireId(id);
    const product = await this.products.findById(id).lean<ProductRecord>();
    if (!product) throw notFound(`product ${id} not found`);
    return toMessage(product);
  }

  async resolve(
    ids: string[],
  ): Promise<{ products: ProductMessage[]; missingProductIds: string[] }> {
    ids.forEach(requireId);
    const found = await this.products
      .find({ _id: { $in: [...new Set(ids)] } })
      .lean<ProductRecord[]>();
    const byId = new Map(found.map((p) => [p._id, p]));
    return {
      products: found.map(toMessage),
      missingProductIds: ids.filter((id) => !byId.has(id)),
    };
  }

  async view(id: string): Promise<ProductView> {
    const [view] = await this.compose([await this.get(id)]);
    return view!;
  }

  async list(
    category: string,
    pageSize: number,
    pageToken: string,
    search = '',
  ): Promise<{ views: ProductView[]; nextPageToken: string; categories: string[] }> {
    const size = normalizePageSize(pageSize);
    const filter = catalogueFilter(category, search);
    // The token is bound to the filter it was issued for: reusing it with another is refused.
    const scope = JSON.stringify(filter);
    let cursor: { id: string } | undefined;
    try {
      cursor = decodePageToken(pageToken, cursorSchema, scope);
    } catch (error) {
      if (error instanceof InvalidPageTokenError) throw invalidArgument(error.message);
      throw error;
    }
    const [page, categories] = await Promise.all([
      this.products
        .find(cursor ? { ...filter, _id: { $gt: cursor.id } } : filter)
        .sort({ _id: 1 })
        .limit(size + 1)
        .lean<ProductRecord[]>(),
      this.products.distinct('category'),
    ]);
    const hasMore = page.length > size;
    const products = page.slice(0, size).map(toMessage);
    const last = products[products.length - 1];
    return {
      views: await this.compose(products),
      nextPageToken: hasMore && last ? encodePageToken({ id: last.productId }, scope) : '',
      categories: categories.map(String).sort(),
    };
  }

  /**
   * Adds stock and the current price to catalogue entries. Either look-up failing (down, slow,
   * breaker open) degrades the view instead of failing it: base price, stock unavailable.
   */
  private async compose(products: ProductMessage[]): Promise<ProductView[]> {
    if (!products.length) return [];
    const productIds = products.map((p) => p.productId);
    const timeoutMs = this.config.VIEW_DEPENDENCY_TIMEOUT_MS;
    const [stock, prices] = await Promise.allSettled([
      this.inventory.call('getStockLevels', { productIds }, { timeoutMs }),
      this.pricing.call('getPrices', { productIds }, { timeoutMs }),
    ]);
    return composeViews(products, stock, prices);
  }
}

export const MAX_SEARCH_LENGTH = 100;

/** The MongoDB filter of a catalogue page: an exact category, a case-insensitive name search. */
export function catalogueFilter(category: string, search: string): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  const wanted = category.trim().toLowerCase();
  if (wanted) filter['category'] = wanted;
  const text = search.trim();
  if (text.length > MAX_SEARCH_LENGTH) {
    throw invalidArgument(`query must be at most ${MAX_SEARCH_LENGTH} characters`);
  }
  // Escaped: the customer's text is matched literally, never run as a pattern.
  if (text) filter['name'] = { $regex: text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), $options: 'i' };
  return filter;
}

function requireId(id: string): void {
  if (!isUuid(id)) throw invalidArgument('product_id must be a UUID');
}

/** Catalogue rules; every problem is reported at once as INVALID_ARGUMENT. */
export function validate(input: ProductInput, creating: boolean): void {
  const problems: string[] = [];
  const text = (value: string | undefined, field: string, rule: TextRule, required: boolean) => {
    if (value === undefined) {
      if (required) problems.push(`${field} is required`);
    } else {
      const problem = textProblem(field, value, rule);
      if (problem) problems.push(problem);
    }
  };
  // The shared field rules of the public API (the gateway checks the same ones).
  text(input.name, 'name', TEXT_RULES.productName, creating);
  text(input.category, 'category', TEXT_RULES.category, creating);
  text(input.description, 'description', TEXT_RULES.productDescription, false);
  if (input.attributes) problems.push(...attributesProblems('attributes', input.attributes));
  if (input.basePrice) {
    const { amountMinor, currency } = input.basePrice;
    if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) {
      problems.push('base_price.amount_minor must be a non-negative integer');
    }
    if (!CURRENCY.test(currency)) problems.push('base_price.currency must be an ISO 4217 code');
  } else if (creating) {
    problems.push('base_price is required');
  }
  if (problems.length) throw invalidArgument(problems.join('; '), { problems });
}

/**
 * A catalogue entry as read: a plain object (`lean()`: no document is built for a read, which was
 * a quarter of the product service's CPU per view), its attributes a plain object.
 */
type ProductRecord = Omit<Product, 'attributes'> & { attributes?: Record<string, string> };

function toMessage(doc: ProductRecord): ProductMessage {
  return {
    productId: doc._id,
    name: doc.name,
    description: doc.description ?? '',
    category: doc.category,
    attributes: { ...doc.attributes },
    basePrice: { amountMinor: doc.basePrice.amountMinor, currency: doc.basePrice.currency },
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
  };
}
