import { Body, Controller, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import {
  StockStatus,
  type InventoryServiceClient,
  type PricingServiceClient,
  type ProductServiceClient,
  type ProductView,
} from '@ordermesh/contracts';
import { GrpcClient, InjectGrpcClient } from '@ordermesh/service-kit';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Public, Roles } from '../auth/auth.guard';
import { MoneyDto, PageQueryDto } from '../common/dto';
import { IsAttributes, IsText } from '../common/field-rules';
import { present } from '../common/present';
import { UuidParam } from '../common/uuid.pipe';

class ProductListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'books' })
  @IsOptional()
  @IsString()
  @Matches(/^[\w -]{0,100}$/, { message: 'category is malformed' })
  category: string = '';

  @ApiPropertyOptional({ example: 'lamp', description: 'case-insensitive text in the name' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q: string = '';
}

class CreateProductDto {
  @ApiProperty({ example: 'The Art of Computer Programming' })
  @IsText('productName')
  name!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsText('productDescription')
  description: string = '';

  @ApiProperty({ example: 'books' })
  @IsText('category')
  category!: string;

  @ApiPropertyOptional({ example: { author: 'Knuth' } })
  @IsOptional()
  @IsAttributes()
  attributes: Record<string, string> = {};

  @ApiProperty({ type: MoneyDto })
  @ValidateNested()
  @Type(() => MoneyDto)
  basePrice!: MoneyDto;
}

class UpdateProductDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsText('productName')
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsText('productDescription')
  description?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsText('category')
  category?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsAttributes()
  attributes?: Record<string, string>;

  @ApiPropertyOptional({ type: MoneyDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => MoneyDto)
  basePrice?: MoneyDto;
}

class SetStockDto {
  @ApiProperty({ example: 25 })
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  quantity!: number;
}

class SetPriceDto {
  @ApiProperty({ type: MoneyDto })
  @ValidateNested()
  @Type(() => MoneyDto)
  listPrice!: MoneyDto;

  @ApiPropertyOptional({ example: 1000, description: 'discount in basis points (1000 = 10%)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  discountBps: number = 0;
}

export function presentView(view: ProductView) {
  const { product, stock, price } = view;
  return {
    id: product!.productId,
    name: product!.name,
    description: product!.description,
    category: product!.category,
    attributes: product!.attributes,
    basePrice: product!.basePrice,
    price: {
      unitPrice: price!.unitPrice,
      listPrice: price!.listPrice,
      discountBps: price!.discountBps,
      available: price!.available,
    },
    stock: { available: stock!.available, status: present(StockStatus, stock!.status) },
    degraded: view.degraded,
    createdAt: product!.createdAt,
    updatedAt: product!.updatedAt,
  };
}

@ApiTags('catalogue')
@Controller()
export class ProductsController {
  constructor(
    @InjectGrpcClient('product') private readonly products: GrpcClient<ProductServiceClient>,
    @InjectGrpcClient('inventory') private readonly inventory: GrpcClient<InventoryServiceClient>,
    @InjectGrpcClient('pricing') private readonly pricing: GrpcClient<PricingServiceClient>,
  ) {}

  @Public()
  @Get('products')
  async list(@Query() query: ProductListQueryDto) {
    const page = await this.products.call('listProductViews', {
      category: query.category,
      pageSize: query.pageSize,
      pageToken: query.pageToken,
      query: query.q,
    });
    return {
      items: page.views.map(presentView),
      nextPageToken: page.nextPageToken || null,
      categories: page.categories,
    };
  }

  @Public()
  @Get('products/:id')
  async get(@Param('id', UuidParam) id: string) {
    const { view } = await this.products.call('getProductView', { productId: id });
    return presentView(view!);
  }

  @ApiBearerAuth()
  @Roles('admin')
  @Post('products')
  async create(@Body() body: CreateProductDto) {
    const { product } = await this.products.call('createProduct', body);
    const { view } = await this.products.call('getProductView', { productId: product!.productId });
    return presentView(view!);
  }

  @ApiBearerAuth()
  @Roles('admin')
  @Patch('products/:id')
  async update(@Param('id', UuidParam) id: string, @Body() body: UpdateProductDto) {
    await this.products.call('updateProduct', {
      productId: id,
      name: body.name,
      description: body.description,
      category: body.category,
      attributes: body.attributes ? { values: body.attributes } : null,
      basePrice: body.basePrice ?? null,
    });
    const { view } = await this.products.call('getProductView', { productId: id });
    return presentView(view!);
  }

  @ApiBearerAuth()
  @Roles('admin')
  @Put('inventory/:productId')
  async setStock(@Param('productId', UuidParam) productId: string, @Body() body: SetStockDto) {
    await this.products.call('getProduct', { productId });
    const { level } = await this.inventory.call('setStock', { productId, quantity: body.quantity });
    return level;
  }

  @ApiBearerAuth()
  @Roles('admin')
  @Put('prices/:productId')
  async setPrice(@Param('productId', UuidParam) productId: string, @Body() body: SetPriceDto) {
    await this.products.call('getProduct', { productId });
    const { price } = await this.pricing.call('setPrice', {
      productId,
      listPrice: body.listPrice,
      discountBps: body.discountBps,
    });
    return price;
  }
}
