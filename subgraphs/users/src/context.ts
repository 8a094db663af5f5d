import type { BaseContext } from '@ficus/kit';
import type { TokenIssuer } from './domain/auth-payload';
import type { UserLoaders } from './graphql/loaders';

export interface UsersContext extends BaseContext {
  loaders: UserLoaders;
  tokens: TokenIssuer;
}
