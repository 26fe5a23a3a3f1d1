import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { InjectConfig } from '@ordermesh/service-kit';
import type { InventoryEnv } from '../config/env.schema';
import { InventoryService } from './inventory.service';

/** Batches per tick at most, so one tick never monopolises the pool after a long outage. */
const MAX_BATCHES_PER_TICK = 20;

/**
 * Expires RESERVED reservations past their expires_at every RESERVATION_SWEEP_INTERVAL_MS.
 * Safe with any number of replicas (see InventoryService.expireDue).
 */
@Injectable()
export class ReservationSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReservationSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private tick: Promise<void> | undefined;
  private running = false;
  private failures = 0;

  constructor(
    private readonly inventory: InventoryService,
    @InjectConfig() private readonly config: InventoryEnv,
  ) {}

  /** After every module's init, so the migrations have run. */
  onApplicationBootstrap(): void {
    this.running = true;
    this.schedule();
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.tick;
  }

  /** One sweep: batches until one is not full. Returns how many reservations expired. */
  async sweep(): Promise<number> {
    const batchSize = this.config.RESERVATION_SWEEP_BATCH_SIZE;
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_TICK && this.running; batch += 1) {
      const expired = await this.inventory.expireDue(batchSize);
      total += expired;
      if (expired < batchSize) break;
    }
    return total;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.tick = this.sweep()
        .then((expired) => {
          if (this.failures > 0) this.logger.log('reservation sweeper recovered');
          this.failures = 0;
          if (expired) this.logger.log(`expired ${expired} reservation(s)`);
        })
        .catch((error: unknown) => {
          this.failures += 1;
          if (this.failures <= 3 || this.failures % 30 === 0) {
            this.logger.warn(`reservation sweep failed: ${(error as Error).message}`);
          }
        })
        .finally(() => {
          this.tick = undefined;
          this.schedule();
        });
    }, this.config.RESERVATION_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }
}
