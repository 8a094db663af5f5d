import type { EntityManager } from '@mikro-orm/core';
import type { EventOrigin } from '@ficus/events';
import { announceStockChange } from './announce-stock-change';
import { moveStock } from './move-stock';
import { OrderHold } from './order-hold';
import { Reservation } from './reservation';

export type Settlement = 'SOLD' | 'RELEASED';

/**
 * Ends an order's RESERVED hold, in the caller's transaction: SOLD takes the units out of
 * reserved (they are gone), RELEASED puts them back into available. Returns false, changing
 * nothing, when the order has no RESERVED hold. The hold moves with a conditional UPDATE,
 * so of two deliveries racing to settle one order only one moves any stock.
 */
export async function settleReservation(em: EntityManager, orderId: string, settlement: Settlement, origin: EventOrigin): Promise<boolean> {
  const updatedAt = new Date();
  const moved = await em.nativeUpdate(OrderHold, { orderId, status: 'RESERVED' }, { status: settlement, updatedAt });
  if (moved === 0) return false;

  const lines = await em.find(Reservation, { orderId, status: 'RESERVED' }, { orderBy: { productId: 'asc' } });
  const reason = settlement === 'SOLD' ? 'SALE' : 'RELEASE';
  for (const { productId, quantity } of lines) {
    const back = settlement === 'RELEASED' ? quantity : 0;
    const level = await moveStock(em, { productId, available: back, reserved: -quantity, guard: 'reserved', atLeast: quantity, updatedAt });
    // The units were moved into reserved when the order was reserved; failing here (and retrying) beats a silent drift.
    if (!level) throw new Error(`product ${productId} holds fewer reserved units than order ${orderId} reserved`);
    announceStockChange(em, level, reason, origin);
  }
  await em.nativeUpdate(Reservation, { orderId, status: 'RESERVED' }, { status: settlement, updatedAt });
  return true;
}
