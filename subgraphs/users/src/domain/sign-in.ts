import type { EntityManager } from '@mikro-orm/core';
import { unauthenticated } from '@ficus/kit';
import type { AuthPayload, TokenIssuer } from './auth-payload';
import { spendVerificationTime, verifyPassword } from './password';
import { maxPasswordLength } from './register-user';
import type { SignInThrottle } from './sign-in-throttle';
import { User } from './user';

/**
 * A wrong email and a wrong password fail alike, in message and in time. Past the failure
 * limits (sign-in-throttle.ts) an attempt is refused before any password is checked, even the
 * right one, alike whether the account exists or not.
 */
export async function signIn(
  deps: { em: EntityManager; tokens: TokenIssuer; throttle: SignInThrottle },
  credentials: { email: string; password: string },
  clientAddress: string | null,
): Promise<AuthPayload> {
  const email = credentials.email.trim().toLowerCase();
  const attempt = await deps.throttle.admit(deps.em, { email, clientAddress });
  // No account can have a longer password, so hashing one would only cost us.
  if (credentials.password.length > maxPasswordLength) throw invalidCredentials();
  const user = await deps.em.findOne(User, { email });
  if (!user) {
    await spendVerificationTime(credentials.password);
    throw invalidCredentials();
  }
  if (!(await verifyPassword(credentials.password, user.passwordHash))) throw invalidCredentials();
  await attempt.succeeded();
  return { token: await deps.tokens.issue(user), user };
}

const invalidCredentials = () => unauthenticated('invalid email or password');
