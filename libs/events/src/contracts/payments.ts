import { z } from 'zod';
import { defineEvent } from '../contract';
import { money } from './money';

export const paymentSucceeded = defineEvent({
  type: 'payments.payment.succeeded',
  version: 1,
  schema: z.object({ orderId: z.string(), paymentId: z.string(), amount: money }),
});

export const paymentDeclined = defineEvent({
  type: 'payments.payment.declined',
  version: 1,
  schema: z.object({ orderId: z.string(), paymentId: z.string(), reason: z.string() }),
});

/** Money that was charged for a cancelled order went back to the customer. */
export const paymentRefunded = defineEvent({
  type: 'payments.payment.refunded',
  version: 1,
  schema: z.object({ orderId: z.string(), paymentId: z.string(), amount: money }),
});
