import { z } from 'zod';
import { idSchema, timestampSchema } from './fields';

/** The order was cancelled (by the saga or by a user); compensation has been requested. */
export const ORDER_CANCELLED_V1 = 'order.cancelled.v1';

export const orderCancelledV1Schema = z.object({
  orderId: idSchema,
  customerId: idSchema,
  /** Same text as Order.cancel_reason, e.g. "out_of_stock", "payment_declined: insufficient funds". */
  reason: z.string().min(1),
  /** Status before the cancellation (PENDING: the saga failed; CONFIRMED: cancelled afterwards). */
  previousStatus: z.enum(['PENDING', 'CONFIRMED']),
  cancelledAt: timestampSchema,
});

export type OrderCancelledV1 = z.infer<typeof orderCancelledV1Schema>;
