import type { EntityManager } from '@mikro-orm/core';
import { EventOrigin, newEventId, productCreated } from '@ficus/events';
import { conflict, Identity, recordEvent, requireRole, validateInput } from '@ficus/kit';
import { z } from 'zod';
import { Product, ProductRow, searchTextOf } from './product';

const createProductInput = z.object({
  sku: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" or "-", at most 64'),
  name: z.string().trim().min(1, 'must not be empty').max(200),
  description: z.string().max(5_000).nullish(),
  price: z.number().int().nonnegative('must not be negative').max(1_000_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD').default('USD'),
  initialStock: z.number().int().nonnegative('must not be negative').max(1_000_000_000).nullish(),
});

export type CreateProductInput = z.input<typeof createProductInput>;

/**
 * Adds a product and announces it (`products.product.created`) in one transaction:
 * inventory sets the initial stock when it hears of it.
 */
export async function createProduct(
  em: EntityManager,
  actor: Identity | null,
  input: CreateProductInput,
  origin: EventOrigin,
): Promise<ProductRow> {
  requireRole(actor, 'admin');
  const valid = validateInput(createProductInput, input);
  return em.transactional(async (tx) => {
    if (await tx.count(Product, { sku: valid.sku })) {
      throw conflict(`a product with SKU ${valid.sku} already exists`, { sku: valid.sku });
    }
    const product = tx.create(Product, {
      id: newEventId(),
      sku: valid.sku,
      name: valid.name,
      description: valid.description ?? null,
      priceAmount: valid.price,
      priceCurrency: valid.currency,
      initialStock: valid.initialStock ?? 0,
      searchText: searchTextOf(valid),
      createdAt: new Date(),
    });
    recordEvent(
      tx,
      productCreated.create(
        product.id,
        {
          productId: product.id,
          sku: product.sku,
          name: product.name,
          price: { amount: product.priceAmount, currency: product.priceCurrency },
          initialStock: product.initialStock,
        },
        origin,
      ),
    );
    return product;
  });
}
