import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@ordermesh/service-kit';
import type { PaymentEnv } from '../config/env.schema';
import { PaymentMetrics } from './payment.metrics';
import { PaymentsController } from './payments.controller';
import { PaymentsService, SIMULATED_PROVIDER } from './payments.service';
import { SimulatedProvider } from './simulated-provider';

@Module({
  controllers: [PaymentsController],
  providers: [
    PaymentsService,
    PaymentMetrics,
    {
      provide: SIMULATED_PROVIDER,
      inject: [SERVICE_CONFIG],
      useFactory: (config: PaymentEnv) =>
        new SimulatedProvider(config.PAYMENT_TEST_CONTROLS, {
          declineMethods: config.PAYMENT_DECLINE_METHODS,
          latencyMs: config.PAYMENT_LATENCY_MS,
          errorRateBps: config.PAYMENT_ERROR_RATE_BPS,
        }),
    },
  ],
})
export class PaymentsModule {}
