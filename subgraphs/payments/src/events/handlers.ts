import type { MikroORM } from '@mikro-orm/core';
import type { EventHandler } from '@ficus/events';
import type { PaymentProvider } from '../domain/payment-provider';
import { onOrderCancelled } from './order-cancelled';
import { onPaymentRequested } from './payment-requested';

/** What payments consumes, all from the ORDERS stream (steps 4 and 9 of the saga). */
export function paymentEventHandlers(orm: MikroORM, provider: PaymentProvider): EventHandler[] {
  return [onPaymentRequested(orm, provider), onOrderCancelled(orm, provider)];
}
