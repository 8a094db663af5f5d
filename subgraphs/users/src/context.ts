import type { BaseContext } from '@ficus/kit';
import type { TokenIssuer } from './domain/auth-payload';
import type { SignInThrottle } from './domain/sign-in-throttle';
import type { UserLoaders } from './graphql/loaders';

export interface UsersContext extends BaseContext {
  loaders: UserLoaders;
  tokens: TokenIssuer;
  /** One per process: the failure counts themselves are in the database, shared by every users process. */
  signInThrottle: SignInThrottle;
}
