import { EntitySchema } from '@mikro-orm/core';

/** The shop's row for an order: what its back office listed, kept in step from orders' events. */
export interface ShopOrderRow {
  id: string;
  customerId: string;
  totalAmount: number;
  totalCurrency: string;
  itemCount: number;
  placedAt: Date;
}

export const ShopOrder = new EntitySchema<ShopOrderRow>({
  name: 'ShopOrder',
  tableName: 'shop_orders',
  properties: {
    id: { type: 'string', primary: true },
    customerId: { type: 'string' },
    totalAmount: { type: 'integer' },
    totalCurrency: { type: 'string' },
    itemCount: { type: 'integer' },
    placedAt: { type: 'datetime' },
  },
});
