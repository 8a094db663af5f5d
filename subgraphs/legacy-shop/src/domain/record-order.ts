import type { EntityManager } from '@mikro-orm/core';
import { ShopOrder } from './shop-order';

export interface OrderFacts {
  orderId: string;
  customerId: string;
  items: readonly { quantity: number }[];
  total: { amount: number; currency: string };
}

/** Adds the shop's row for a placed order once; a redelivered placement changes nothing. */
export async function recordOrder(em: EntityManager, facts: OrderFacts, at: Date): Promise<void> {
  if (await em.count(ShopOrder, { id: facts.orderId })) return;
  em.create(ShopOrder, {
    id: facts.orderId,
    customerId: facts.customerId,
    totalAmount: facts.total.amount,
    totalCurrency: facts.total.currency,
    itemCount: facts.items.reduce((sum, item) => sum + item.quantity, 0),
    placedAt: at,
  });
}
