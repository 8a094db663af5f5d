export { build } from './build';
export type { PaymentsOptions } from './build';
export { readPaymentsConfig } from './config';
export type { PaymentsConfig } from './config';
export type { PaymentProvider } from './domain/payment-provider';
export { TestPaymentProvider } from './providers/test-provider';
export { countTestProviderCharges, findTestProviderCharge } from './providers/test-provider-charge';
