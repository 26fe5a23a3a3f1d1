import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { GrpcClientsModule } from '@ordermesh/service-kit';
import { grpcCalls } from '../config/grpc-calls';
import { Product, ProductSchema } from './product.schema';
import { ProductsController } from './products.controller';
import { ProductsService } from './products.service';

@Module({
  imports: [
    MongooseModule.forFeature([{ name: Product.name, schema: ProductSchema }]),
    GrpcClientsModule.register(grpcCalls),
  ],
  controllers: [ProductsController],
  providers: [ProductsService],
})
export class ProductsModule {}
