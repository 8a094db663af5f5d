import { EventContract } from '../contract';
import { stockChanged } from './inventory';
import { productCreated } from './products';
import { userRegistered } from './users';

export { userRegistered, productCreated, stockChanged };

/** Every event contract in the system, for catalogs and contract checks. */
export const allContracts: readonly EventContract[] = [userRegistered, productCreated, stockChanged];
