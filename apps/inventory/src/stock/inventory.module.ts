import { Module } from '@nestjs/common';
import { InventoryController } from './inventory.controller';
import { InventoryService } from './inventory.service';
import { ReservationSweeper } from './reservation-sweeper';

@Module({
  controllers: [InventoryController],
  providers: [InventoryService, ReservationSweeper],
})
export class InventoryModule {}
