import { z } from 'zod';
import { defineEvent } from '../contract';

export const stockChanged = defineEvent({
  type: 'inventory.stock.changed',
  version: 1,
  schema: z.object({
    productId: z.string(),
    available: z.number().int().nonnegative(),
    reserved: z.number().int().nonnegative(),
    reason: z.enum(['INITIAL', 'RESTOCK', 'RESERVATION', 'RELEASE', 'SALE']),
    /** The level's version after the change: higher is newer. Optional: events before it lack it. */
    version: z.number().int().positive().optional(),
  }),
});

/** Every item of the order is held for it. */
export const stockReserved = defineEvent({
  type: 'inventory.stock.reserved',
  version: 1,
  schema: z.object({
    orderId: z.string(),
    items: z.array(z.object({ productId: z.string(), quantity: z.number().int().positive() })).min(1),
  }),
});

/** Not every item could be held, so none is. */
export const stockRejected = defineEvent({
  type: 'inventory.stock.rejected',
  version: 1,
  schema: z.object({
    orderId: z.string(),
    reason: z.literal('OUT_OF_STOCK'),
    /** The products that were short. */
    productIds: z.array(z.string()),
  }),
});
