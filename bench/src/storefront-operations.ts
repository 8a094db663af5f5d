import { contractOperations } from '@ficus/e2e';
import type { Caller } from '@ficus/gateway';

/** A storefront operation as a client sends it, with the caller the gateway sees. */
export interface StorefrontOperation {
  name: 'Catalog' | 'MyOrders';
  query: string;
  variables: Record<string, unknown>;
  caller: Caller;
  /** Whether it is sent with the shopper's bearer token. */
  signedIn: boolean;
  /** A response's `data` of a typical size, for measuring what reading its actual cost takes. */
  sampleData: Record<string, unknown>;
}

/** The storefront's typical reads from contract/operations: a catalog page, and a signed-in shopper's orders. */
export function storefrontOperations(): StorefrontOperation[] {
  const operations = contractOperations();
  const text = (name: string) => {
    const query = operations.get(name);
    if (!query) throw new Error(`contract/operations has no operation named ${name}`);
    return query;
  };
  return [
    {
      name: 'Catalog',
      query: text('Catalog'),
      variables: { first: 20 },
      caller: { identity: null, clientAddress: '127.0.0.1' },
      signedIn: false,
      sampleData: catalogPage(20),
    },
    {
      name: 'MyOrders',
      query: text('MyOrders'),
      variables: {},
      caller: { identity: { userId: 'bench-shopper', email: 'shopper@example.com', roles: ['customer'] }, clientAddress: '127.0.0.1' },
      signedIn: true,
      sampleData: shopperOrders(3, 2, 5),
    },
  ];
}

function catalogPage(products: number): Record<string, unknown> {
  const edges = Array.from({ length: products }, (_, i) => ({
    cursor: `c${i}`,
    node: { id: `p${i}`, sku: `SKU-${i}`, name: `Product ${i}`, price: { amount: 1200, currency: 'EUR' }, inStock: true, stock: { available: 40, reserved: 2 } },
  }));
  return { products: { totalCount: products, pageInfo: { hasNextPage: true, endCursor: `c${products - 1}` }, edges } };
}

function shopperOrders(orders: number, itemsPerOrder: number, notifications: number): Record<string, unknown> {
  const edges = Array.from({ length: orders }, (_, i) => ({
    node: {
      id: `o${i}`,
      status: 'CONFIRMED',
      cancellationReason: null,
      total: { amount: 2400 },
      payment: { status: 'SUCCEEDED', amount: { amount: 2400 } },
      items: Array.from({ length: itemsPerOrder }, (_, j) => ({ product: { name: `Product ${j}`, inStock: true } })),
    },
  }));
  return {
    me: {
      id: 'bench-shopper',
      orders: { totalCount: orders, edges },
      notifications: Array.from({ length: notifications }, (_, i) => ({ kind: 'ORDER_CONFIRMED', message: 'Your order is confirmed', order: { id: `o${i % orders}`, status: 'CONFIRMED' } })),
    },
  };
}
