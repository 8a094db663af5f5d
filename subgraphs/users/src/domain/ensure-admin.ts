import type { EntityManager } from '@mikro-orm/core';
import type { EventOrigin } from '@ficus/events';
import { DomainError, validateInput } from '@ficus/kit';
import { z } from 'zod';
import { emailField, nameField, passwordField, registerUser } from './register-user';
import { adminRole, User, UserRow } from './user';

// A development admin may have a short password ("admin"); every other rule of sign-up holds.
const adminInput = z.object({
  email: emailField,
  name: nameField,
  password: passwordField.min(1, 'must not be empty'),
});

export type AdminInput = z.input<typeof adminInput>;

/**
 * Creates an admin with this email unless an account with it exists, which is returned
 * unchanged. For seeding a development stack; accepts the ORM's global manager.
 */
export async function ensureAdmin(em: EntityManager, input: AdminInput, origin: EventOrigin = {}): Promise<UserRow> {
  const valid = validateInput(adminInput, input);
  const work = em.fork();
  const existing = await work.findOne(User, { email: valid.email });
  if (existing) return existing;
  try {
    return await registerUser(work, { ...valid, roles: [adminRole] }, origin);
  } catch (err) {
    // Another process seeded the same admin between our look-up and insert.
    if (err instanceof DomainError && err.code === 'CONFLICT') return work.findOneOrFail(User, { email: valid.email });
    throw err;
  }
}
