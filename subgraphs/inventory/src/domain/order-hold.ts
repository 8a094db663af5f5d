import { EntitySchema } from '@mikro-orm/core';

/**
 * What inventory has decided about an order, one row per order.
 *
 * RESERVED, SOLD and RELEASED follow the order's reservation lines. REJECTED (nothing was
 * held) and a RELEASED row with no lines (the cancellation came before the placement) have
 * no reservation to hang a status on, yet a later `orders.order.placed` must see them and
 * reserve nothing: this row is that record. Its primary key also makes two deliveries of one
 * order's events collide instead of both reserving.
 */
export type HoldStatus = 'RESERVED' | 'REJECTED' | 'SOLD' | 'RELEASED';

export interface OrderHoldRow {
  orderId: string;
  status: HoldStatus;
  updatedAt: Date;
}

export const OrderHold = new EntitySchema<OrderHoldRow>({
  name: 'OrderHold',
  tableName: 'order_holds',
  properties: {
    orderId: { type: 'string', primary: true },
    status: { type: 'string' },
    updatedAt: { type: 'datetime' },
  },
});
