import { z } from 'zod';
import { idSchema, timestampSchema } from './fields';

/**
 * The order is CANCELLED (by the saga or by a customer/admin); published once its compensation
 * (void/refund the payment, release/restock the stock) is done.
 */
export const ORDER_CANCELLED_V1 = 'order.cancelled.v1';

export const orderCancelledV1Schema = z.object({
  orderId: idSchema,
  customerId: idSchema,
  /**
   * Same text as Order.cancel_reason, e.g. "payment declined: insufficient funds", "payment
   * unavailable", "reservation expired", "cancelled by customer".
   */
  reason: z.string().min(1),
  /** Status before the cancellation (PENDING: the saga failed; CONFIRMED: cancelled afterwards). */
  previousStatus: z.enum(['PENDING', 'CONFIRMED']),
  cancelledAt: timestampSchema,
});

export type OrderCancelledV1 = z.infer<typeof orderCancelledV1Schema>;
