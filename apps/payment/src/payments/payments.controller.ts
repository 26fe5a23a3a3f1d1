import { Controller } from '@nestjs/common';
import {
  PaymentServiceControllerMethods,
  PaymentStatus,
  type AuthorizePaymentRequest,
  type AuthorizePaymentResponse,
  type CapturePaymentRequest,
  type CapturePaymentResponse,
  type ConfigureTestControlsRequest,
  type ConfigureTestControlsResponse,
  type GetPaymentRequest,
  type GetPaymentResponse,
  type Payment,
  type PaymentServiceController,
  type RefundPaymentRequest,
  type RefundPaymentResponse,
} from '@ordermesh/contracts';
import type { PaymentEntity } from './payment.entity';
import { PaymentsService } from './payments.service';

@Controller()
@PaymentServiceControllerMethods()
export class PaymentsController implements PaymentServiceController {
  constructor(private readonly payments: PaymentsService) {}

  async authorizePayment(request: AuthorizePaymentRequest): Promise<AuthorizePaymentResponse> {
    return { payment: toMessage(await this.payments.authorize(request)) };
  }

  async capturePayment(request: CapturePaymentRequest): Promise<CapturePaymentResponse> {
    return { payment: toMessage(await this.payments.capture(request.orderId)) };
  }

  async refundPayment(request: RefundPaymentRequest): Promise<RefundPaymentResponse> {
    return { payment: toMessage(await this.payments.refund(request.orderId, request.reason)) };
  }

  async getPayment(request: GetPaymentRequest): Promise<GetPaymentResponse> {
    return { payment: toMessage(await this.payments.get(request.orderId)) };
  }

  configureTestControls(request: ConfigureTestControlsRequest): ConfigureTestControlsResponse {
    return {
      controls: this.payments.configureTestControls({
        declineMethods: request.declineMethods,
        latencyMs: request.latencyMs,
        errorRateBps: request.errorRateBps,
      }),
    };
  }
}

export function toMessage(payment: PaymentEntity): Payment {
  const money = (amountMinor: number) => ({ amountMinor, currency: payment.currency });
  return {
    paymentId: payment.id,
    orderId: payment.orderId,
    customerId: payment.customerId,
    status: PaymentStatus[payment.status],
    amount: money(payment.amountMinor),
    paymentMethod: payment.paymentMethod,
    declineReason: payment.declineReason ?? '',
    capturedAmount: money(payment.capturedMinor),
    refundedAmount: money(payment.refundedMinor),
    refundReason: payment.refundReason ?? '',
    createdAt: payment.createdAt.toISOString(),
    updatedAt: payment.updatedAt.toISOString(),
  };
}
