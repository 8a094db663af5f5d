import { z } from 'zod';
import { defineEvent } from '../contract';

export const stockChanged = defineEvent({
  type: 'inventory.stock.changed',
  version: 1,
  schema: z.object({
    productId: z.string(),
    available: z.number().int().nonnegative(),
    reserved: z.number().int().nonnegative(),
    reason: z.enum(['INITIAL', 'RESTOCK']),
  }),
});
