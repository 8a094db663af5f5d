import type { EntityManager } from '@mikro-orm/core';
import type { EventOrigin } from '@ficus/events';
import { HoldStatus, OrderHold } from './order-hold';
import { settleReservation } from './settle-reservation';

export type SaleOutcome = { kind: 'sold' } | { kind: 'not-reserved'; status: HoldStatus | null };

/** A confirmed order's reservation becomes a sale (stock.changed SALE); anything else is left as it is. */
export async function sellOrder(em: EntityManager, orderId: string, origin: EventOrigin): Promise<SaleOutcome> {
  if (await settleReservation(em, orderId, 'SOLD', origin)) return { kind: 'sold' };
  const hold = await em.findOne(OrderHold, { orderId });
  return { kind: 'not-reserved', status: hold?.status ?? null };
}
