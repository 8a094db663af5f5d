import type { MikroORM } from '@mikro-orm/core';
import type { PaymentProviderName } from '../config';
import type { PaymentProvider } from '../domain/payment-provider';
import { TestPaymentProvider } from './test-provider';

/** The provider `PAYMENT_PROVIDER` names. */
export function createPaymentProvider(name: PaymentProviderName, orm: MikroORM): PaymentProvider {
  switch (name) {
    case 'test':
      return new TestPaymentProvider(orm);
  }
}
