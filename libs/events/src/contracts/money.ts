import { z } from 'zod';

/** An amount in minor units (cents) of an ISO 4217 currency. */
export const money = z.object({ amount: z.number().int().nonnegative(), currency: z.string().length(3) });

/** A line of an order as the saga's events carry it. */
export const orderLine = z.object({
  productId: z.string(),
  quantity: z.number().int().positive(),
  unitPrice: money,
});
