import { Module } from '@nestjs/common';
import { ShipmentMetrics } from './shipment.metrics';
import { ShipmentsConsumer } from './shipments.consumer';
import { ShipmentsController } from './shipments.controller';
import { ShipmentsService } from './shipments.service';

@Module({
  controllers: [ShipmentsController],
  providers: [ShipmentsService, ShipmentsConsumer, ShipmentMetrics],
})
export class ShipmentsModule {}
