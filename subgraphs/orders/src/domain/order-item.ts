import { EntitySchema } from '@mikro-orm/core';

/** One product of an order, at the price it had when the order was placed. */
export interface OrderItemRow {
  orderId: string;
  productId: string;
  /** The item's place in the order as the customer listed it. */
  position: number;
  quantity: number;
  unitPriceAmount: number;
  unitPriceCurrency: string;
}

export const OrderItem = new EntitySchema<OrderItemRow>({
  name: 'OrderItem',
  tableName: 'order_items',
  properties: {
    orderId: { type: 'string', primary: true },
    productId: { type: 'string', primary: true },
    position: { type: 'integer' },
    quantity: { type: 'integer' },
    unitPriceAmount: { type: 'integer' },
    unitPriceCurrency: { type: 'string' },
  },
});

export function unitPriceOf(item: OrderItemRow) {
  return { amount: item.unitPriceAmount, currency: item.unitPriceCurrency };
}
