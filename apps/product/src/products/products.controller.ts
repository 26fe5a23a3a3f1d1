import { Controller } from '@nestjs/common';
import {
  ProductServiceControllerMethods,
  type CreateProductRequest,
  type CreateProductResponse,
  type GetProductRequest,
  type GetProductResponse,
  type GetProductViewRequest,
  type GetProductViewResponse,
  type ListProductViewsRequest,
  type ListProductViewsResponse,
  type ProductServiceController,
  type ResolveProductsRequest,
  type ResolveProductsResponse,
  type UpdateProductRequest,
  type UpdateProductResponse,
} from '@ordermesh/contracts';
import { ProductsService } from './products.service';

@Controller()
@ProductServiceControllerMethods()
export class ProductsController implements ProductServiceController {
  constructor(private readonly products: ProductsService) {}

  async createProduct(request: CreateProductRequest): Promise<CreateProductResponse> {
    return {
      product: await this.products.create({
        ...request,
        basePrice: request.basePrice ?? undefined,
      }),
    };
  }

  async updateProduct(request: UpdateProductRequest): Promise<UpdateProductResponse> {
    return {
      product: await this.products.update(request.productId, {
        name: request.name ?? undefined,
        description: request.description ?? undefined,
        category: request.category ?? undefined,
        attributes: request.attributes?.values,
        basePrice: request.basePrice ?? undefined,
      }),
    };
  }

  async getProduct(request: GetProductRequest): Promise<GetProductResponse> {
    return { product: await this.products.get(request.productId) };
  }

  async getProductView(request: GetProductViewRequest): Promise<GetProductViewResponse> {
    return { view: await this.products.view(request.productId) };
  }

  listProductViews(request: ListProductViewsRequest): Promise<ListProductViewsResponse> {
    return this.products.list(request.category, request.pageSize, request.pageToken, request.query);
  }

  resolveProducts(request: ResolveProductsRequest): Promise<ResolveProductsResponse> {
    return this.products.resolve(request.productIds);
  }
}
