import { EventContract } from '../contract';
import * as inventory from './inventory';
import * as notifications from './notifications';
import * as orders from './orders';
import * as payments from './payments';
import * as products from './products';
import * as users from './users';

export * from './money';
export * from './inventory';
export * from './notifications';
export * from './orders';
export * from './payments';
export * from './products';
export * from './users';

const isContract = (value: unknown): value is EventContract =>
  typeof value === 'object' && value !== null && 'type' in value && 'version' in value && 'parse' in value;

/** Every event contract in the system, for catalogs and contract checks. */
export const allContracts: readonly EventContract[] = [users, products, inventory, orders, payments, notifications].flatMap((module) =>
  Object.values(module).filter(isContract),
);
