import type { UserRow } from './user';

/** Issues the bearer token a signed-in user presents to the gateway. */
export interface TokenIssuer {
  issue(user: UserRow): Promise<string>;
}

export interface AuthPayload {
  token: string;
  user: UserRow;
}
