export { build } from './build';
export type { OrdersOptions } from './build';
export { readOrdersConfig, type OrdersConfig } from './config';
