import type { EntityManager } from '@mikro-orm/core';
import { unauthenticated } from '@ficus/kit';
import type { AuthPayload, TokenIssuer } from './auth-payload';
import { spendVerificationTime, verifyPassword } from './password';
import { maxPasswordLength } from './register-user';
import { User } from './user';

/** A wrong email and a wrong password fail alike, in message and in time. */
export async function signIn(
  deps: { em: EntityManager; tokens: TokenIssuer },
  credentials: { email: string; password: string },
): Promise<AuthPayload> {
  // No account can have a longer password, so hashing one would only cost us.
  if (credentials.password.length > maxPasswordLength) throw invalidCredentials();
  const user = await deps.em.findOne(User, { email: credentials.email.trim().toLowerCase() });
  if (!user) {
    await spendVerificationTime(credentials.password);
    throw invalidCredentials();
  }
  if (!(await verifyPassword(credentials.password, user.passwordHash))) throw invalidCredentials();
  return { token: await deps.tokens.issue(user), user };
}

const invalidCredentials = () => unauthenticated('invalid email or password');
