import type { EntityManager } from '@mikro-orm/core';
import type { EventOrigin } from '@ficus/events';
import { badInput, Identity, notFound, requireRole, validateInput } from '@ficus/kit';
import { z } from 'zod';
import { addAvailable } from './add-available';
import { announceStockChange } from './announce-stock-change';
import { MAX_UNITS, StockLevelRow } from './stock-level';

const restockInput = z.object({
  productId: z.string().min(1, 'must not be empty'),
  quantity: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1_000_000, 'must be at most 1000000'),
});

export type RestockInput = z.input<typeof restockInput>;

/** Adds units to a product's available stock and announces it (reason RESTOCK), in one transaction. Admins only. */
export async function restock(
  em: EntityManager,
  actor: Identity | null,
  input: RestockInput,
  origin: EventOrigin,
): Promise<StockLevelRow> {
  requireRole(actor, 'admin');
  const { productId, quantity } = validateInput(restockInput, input);
  return em.transactional(async (tx) => {
    const addition = await addAvailable(tx, productId, quantity);
    if (addition.kind === 'unknown-product') {
      throw notFound(`inventory has not heard of product ${productId}`);
    }
    if (addition.kind === 'over-capacity') {
      throw badInput(`restocking would take product ${productId} past ${MAX_UNITS} units`, {
        fields: [{ field: 'quantity', message: `at most ${MAX_UNITS - addition.level.available} more fit` }],
      });
    }
    announceStockChange(tx, addition.level, 'RESTOCK', origin);
    return addition.level;
  });
}
