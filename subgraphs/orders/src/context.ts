import type { BaseContext } from '@ficus/kit';
import type { OrderLoaders } from './graphql/loaders';

export interface OrdersContext extends BaseContext {
  loaders: OrderLoaders;
}
