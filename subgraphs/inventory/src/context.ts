import type { BaseContext } from '@ficus/kit';
import type { InventoryLoaders } from './graphql/loaders';

export interface InventoryContext extends BaseContext {
  loaders: InventoryLoaders;
}
