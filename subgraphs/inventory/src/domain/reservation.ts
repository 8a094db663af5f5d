import { EntitySchema } from '@mikro-orm/core';

export type ReservationStatus = 'RESERVED' | 'SOLD' | 'RELEASED';

/** Units of one product held for one order; its status moves with the order's hold. */
export interface ReservationRow {
  orderId: string;
  productId: string;
  quantity: number;
  status: ReservationStatus;
  updatedAt: Date;
}

export const Reservation = new EntitySchema<ReservationRow>({
  name: 'Reservation',
  tableName: 'reservations',
  properties: {
    orderId: { type: 'string', primary: true },
    productId: { type: 'string', primary: true },
    quantity: { type: 'integer' },
    status: { type: 'string' },
    updatedAt: { type: 'datetime' },
  },
});

/** A product and a number of its units, as `inventory.stock.reserved` lists them. */
export interface StockLine {
  productId: string;
  quantity: number;
}
