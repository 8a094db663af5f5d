import { z } from 'zod';
import { defineEvent } from '../contract';

const money = z.object({ amount: z.number().int().nonnegative(), currency: z.string().length(3) });

export const productCreated = defineEvent({
  type: 'products.product.created',
  version: 1,
  schema: z.object({
    productId: z.string(),
    sku: z.string(),
    name: z.string(),
    price: money,
    initialStock: z.number().int().nonnegative(),
  }),
});
