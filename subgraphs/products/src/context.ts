import type { BaseContext } from '@ficus/kit';
import type { ProductLoaders } from './graphql/loaders';

export interface ProductsContext extends BaseContext {
  loaders: ProductLoaders;
}
