import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

@Schema({ _id: false, versionKey: false })
export class MoneyValue {
  @Prop({ required: true, min: 0 })
  amountMinor!: number;

  @Prop({ required: true })
  currency!: string;
}

@Schema({ collection: 'products', versionKey: false, timestamps: true })
export class Product {
  /** UUID, so ids look the same in every service. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  name!: string;

  @Prop({ default: '' })
  description!: string;

  @Prop({ required: true, index: true })
  category!: string;

  @Prop({ type: Map, of: String, default: {} })
  attributes!: Map<string, string>;

  @Prop({ type: SchemaFactory.createForClass(MoneyValue), required: true })
  basePrice!: MoneyValue;

  createdAt!: Date;
  updatedAt!: Date;
}

export const ProductSchema = SchemaFactory.createForClass(Product);
ProductSchema.index({ category: 1, _id: 1 });
