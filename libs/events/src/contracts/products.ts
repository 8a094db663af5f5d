import { z } from 'zod';
import { defineEvent } from '../contract';
import { money } from './money';

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
