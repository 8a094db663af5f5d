import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { EventOrigin, newEventId, orderPlaced } from '@ficus/events';
import { badInput, conflict, Identity, recordEvent, requireIdentity, validateInput } from '@ficus/kit';
import { z } from 'zod';
import { CatalogProduct } from './catalog-product';
import { MAX_AMOUNT, Order, OrderRow } from './order';
import { OrderItem } from './order-item';

const orderItemInput = z.object({
  productId: z.string().trim().min(1, 'must not be empty').max(64, 'at most 64 characters'),
  quantity: z.number().int('must be a whole number').min(1, 'must be at least 1').max(1_000, 'must be at most 1000'),
});

const placeOrderInput = z.object({
  items: z
    .array(orderItemInput)
    .min(1, 'must hold at least one item')
    .max(50, 'must hold at most 50 items')
    .superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.productId)) {
          ctx.addIssue({ code: 'custom', path: [index, 'productId'], message: `product ${item.productId} is listed more than once` });
        }
        seen.add(item.productId);
      });
    }),
  paymentToken: z.string().min(1, 'must not be empty').max(100, 'at most 100 characters'),
  idempotencyKey: z.string().min(1, 'must not be empty').max(200, 'at most 200 characters'),
});

export type PlaceOrderInput = z.input<typeof placeOrderInput>;
type ValidOrder = z.output<typeof placeOrderInput>;

interface Money {
  amount: number;
  currency: string;
}

interface PricedOrder {
  items: { productId: string; quantity: number; unitPrice: Money }[];
  total: Money;
}

/**
 * Writes a PENDING order, its items and `orders.order.placed` in one transaction: the saga
 * starts when the event reaches inventory. Prices come from the local catalog. The same
 * idempotency key from the same customer returns the order it placed and starts nothing;
 * reused for other items or another payment token, it is a CONFLICT, as payment APIs answer.
 */
export async function placeOrder(
  em: EntityManager,
  actor: Identity | null,
  input: PlaceOrderInput,
  origin: EventOrigin,
): Promise<OrderRow> {
  const customerId = requireIdentity(actor).userId;
  const valid = validateInput(placeOrderInput, input);
  const existing = await em.findOne(Order, { customerId, idempotencyKey: valid.idempotencyKey });
  if (existing) return sameOrderOrConflict(em, existing, valid);
  const priced = await priceOrder(em, valid);
  try {
    return await em.transactional(async (tx) => createOrder(tx, customerId, valid, priced, origin));
  } catch (err) {
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
    // A concurrent request with the same key committed first: its order is the answer.
    const reader = em.fork();
    const winner = await reader.findOneOrFail(Order, { customerId, idempotencyKey: valid.idempotencyKey });
    return sameOrderOrConflict(reader, winner, valid);
  }
}

async function sameOrderOrConflict(em: EntityManager, order: OrderRow, valid: ValidOrder): Promise<OrderRow> {
  const placed = await em.find(OrderItem, { orderId: order.id });
  const key = (items: { productId: string; quantity: number }[]) =>
    items
      .map((item) => `${item.productId}\n${item.quantity}`)
      .sort()
      .join('\n\n');
  if (key(placed) !== key(valid.items) || order.paymentToken !== valid.paymentToken) {
    throw conflict(`idempotencyKey ${valid.idempotencyKey} was already used for a different order`, {
      field: 'idempotencyKey',
      orderId: order.id,
    });
  }
  return order;
}

async function priceOrder(em: EntityManager, valid: ValidOrder): Promise<PricedOrder> {
  const productIds = valid.items.map((item) => item.productId);
  const products = new Map(
    (await em.find(CatalogProduct, { productId: { $in: productIds } })).map((product) => [product.productId, product]),
  );
  const unknown = valid.items.flatMap((item, index) => (products.has(item.productId) ? [] : [{ item, index }]));
  if (unknown.length > 0) {
    throw badInput(`unknown product${unknown.length > 1 ? 's' : ''}: ${unknown.map(({ item }) => item.productId).join(', ')}`, {
      fields: unknown.map(({ item, index }) => ({ field: `items.${index}.productId`, message: `no product ${item.productId}` })),
    });
  }
  const items = valid.items.map(({ productId, quantity }) => {
    const product = products.get(productId)!;
    return { productId, quantity, unitPrice: { amount: product.priceAmount, currency: product.priceCurrency } };
  });
  const currencies = [...new Set(items.map((item) => item.unitPrice.currency))];
  if (currencies.length > 1) {
    throw badInput(`all items of an order must be priced in one currency, not ${currencies.join(' and ')}`, { field: 'items' });
  }
  const amount = items.reduce((sum, item) => sum + item.unitPrice.amount * item.quantity, 0);
  if (amount > MAX_AMOUNT) throw badInput(`the order total must not exceed ${MAX_AMOUNT} minor units`, { field: 'items' });
  return { items, total: { amount, currency: currencies[0]! } };
}

function createOrder(
  em: EntityManager,
  customerId: string,
  valid: ValidOrder,
  { items, total }: PricedOrder,
  origin: EventOrigin,
): OrderRow {
  const now = new Date();
  const id = newEventId();
  const order = em.create(Order, {
    id,
    customerId,
    status: 'PENDING',
    cancellationReason: null,
    totalAmount: total.amount,
    totalCurrency: total.currency,
    paymentToken: valid.paymentToken,
    idempotencyKey: valid.idempotencyKey,
    sagaStep: 'AWAITING_STOCK',
    paymentDeadline: null,
    correlationId: origin.correlationId ?? id,
    createdAt: now,
    updatedAt: now,
  });
  items.forEach((item, position) =>
    em.create(OrderItem, {
      orderId: id,
      productId: item.productId,
      position,
      quantity: item.quantity,
      unitPriceAmount: item.unitPrice.amount,
      unitPriceCurrency: item.unitPrice.currency,
    }),
  );
  recordEvent(em, orderPlaced.create(id, { orderId: id, customerId, items, total }, origin));
  return order;
}
