import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@ordermesh/service-kit';
import type { PaymentEnv } from '../config/env.schema';
import { PaymentMetrics } from './payment.metrics';
import { PaymentsController } from './payments.controller';
import { PAYMENT_PROVIDER, PaymentsService } from './payments.service';
import { ApprovingProvider, type PaymentProvider } from './provider';

/**
 * The approving provider in production; the controllable one only with PAYMENT_TEST_CONTROLS
 * (the test profile), required here and nowhere else so no production path loads it.
 */
export function paymentProvider(config: PaymentEnv): PaymentProvider {
  if (!config.PAYMENT_TEST_CONTROLS) return new ApprovingProvider();
  const { ControlledProvider } =
    require('./test-controls/controlled-provider') as typeof import('./test-controls/controlled-provider');
  return new ControlledProvider({
    declineMethods: config.PAYMENT_DECLINE_METHODS,
    latencyMs: config.PAYMENT_LATENCY_MS,
    errorRateBps: config.PAYMENT_ERROR_RATE_BPS,
  });
}

@Module({
  controllers: [PaymentsController],
  providers: [
    PaymentsService,
    PaymentMetrics,
    { provide: PAYMENT_PROVIDER, inject: [SERVICE_CONFIG], useFactory: paymentProvider },
  ],
})
export class PaymentsModule {}
