import { EntityManager, raw } from '@mikro-orm/core';
import type { EventOrigin } from '@ficus/events';
import { announceStockChanges } from './announce-stock-change';
import { OrderHold } from './order-hold';
import { Reservation } from './reservation';
import { nextVersion, StockLevel } from './stock-level';

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
  for (const { productId, quantity } of lines) {
    const back = settlement === 'RELEASED' ? { available: raw('available + ?', [quantity]) } : {};
    const updated = await em.nativeUpdate(
      StockLevel,
      { productId, reserved: { $gte: quantity } },
      { ...back, reserved: raw('reserved - ?', [quantity]), version: nextVersion(), updatedAt },
    );
    // The units were moved into reserved when the order was reserved; failing here (and retrying) beats a silent drift.
    if (updated === 0) throw new Error(`product ${productId} holds fewer reserved units than order ${orderId} reserved`);
  }
  await em.nativeUpdate(Reservation, { orderId, status: 'RESERVED' }, { status: settlement, updatedAt });
  await announceStockChanges(em, lines.map((line) => line.productId), settlement === 'SOLD' ? 'SALE' : 'RELEASE', origin);
  return true;
}
