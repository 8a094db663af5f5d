import type { EntityManager } from '@mikro-orm/core';
import type { EventOrigin } from '@ficus/events';
import { validateInput } from '@ficus/kit';
import { z } from 'zod';
import type { AuthPayload, TokenIssuer } from './auth-payload';
import { emailField, nameField, passwordField, registerUser } from './register-user';
import { customerRole } from './user';

const signUpInput = z.object({
  email: emailField,
  name: nameField,
  password: passwordField.min(8, 'at least 8 characters'),
});

export type SignUpInput = z.input<typeof signUpInput>;

/** Opens a customer account and signs it in. */
export async function signUp(
  deps: { em: EntityManager; tokens: TokenIssuer },
  input: SignUpInput,
  origin: EventOrigin,
): Promise<AuthPayload> {
  const valid = validateInput(signUpInput, input);
  const user = await registerUser(deps.em, { ...valid, roles: [customerRole] }, origin);
  return { token: await deps.tokens.issue(user), user };
}
