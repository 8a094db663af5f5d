import type { EntityManager } from '@mikro-orm/core';
import type { EventOrigin } from '@ficus/events';
import { announceStockChange } from './announce-stock-change';
import { moveStock } from './move-stock';
import { OrderHold } from './order-hold';

export type Settlement = 'SOLD' | 'RELEASED';

/**
 * Ends an order's RESERVED hold, in the caller's transaction: SOLD takes the units out of
 * reserved (they are gone), RELEASED puts them back into available. Returns false, changing
 * nothing, when the order has no RESERVED hold. The hold moves with a conditional UPDATE,
 * so of two deliveries racing to settle one order only one moves any stock.
 */
export async function settleReservation(em: EntityManager, orderId: string, settlement: Settlement, origin: EventOrigin): Promise<boolean> {
  const updatedAt = new Date();
  const settled = await em.nativeUpdate(OrderHold, { orderId, status: 'RESERVED' }, { status: settlement, updatedAt });
  if (settled === 0) return false;

  // One statement moves the lines and says which they were; sorted by product id, as
  // reservations lock stock rows, so that concurrent settlements cannot deadlock.
  const moved: { product_id: string; quantity: number | string }[] = await em
    .getConnection()
    .execute(
      "update reservations set status = ?, updated_at = ? where order_id = ? and status = 'RESERVED' returning product_id, quantity",
      [settlement, updatedAt, orderId],
      'all',
      em.getTransactionContext(),
    );
  const lines = moved
    .map((row) => ({ productId: row.product_id, quantity: Number(row.quantity) }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
  const reason = settlement === 'SOLD' ? 'SALE' : 'RELEASE';
  for (const { productId, quantity } of lines) {
    const back = settlement === 'RELEASED' ? quantity : 0;
    const level = await moveStock(em, { productId, available: back, reserved: -quantity, guard: 'reserved', atLeast: quantity, updatedAt });
    // The units were moved into reserved when the order was reserved; failing here (and retrying) beats a silent drift.
    if (!level) throw new Error(`product ${productId} holds fewer reserved units than order ${orderId} reserved`);
    announceStockChange(em, level, reason, origin);
  }
  return true;
}
