import type { BaseContext } from '@ficus/kit';
import type { ShopLoaders } from './graphql/loaders';

export interface LegacyShopContext extends BaseContext {
  loaders: ShopLoaders;
}
