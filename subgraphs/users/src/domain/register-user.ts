import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { EventOrigin, newEventId, userRegistered } from '@ficus/events';
import { conflict, recordEvent } from '@ficus/kit';
import { z } from 'zod';
import { hashPassword } from './password';
import { User, UserRow } from './user';

export const emailField = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email('must be a valid email address').max(320, 'at most 320 characters'));
export const nameField = z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters');
export const maxPasswordLength = 200;
/**
 * The upper bound keeps a huge password from costing a huge hash. A lone surrogate (JSON can
 * carry `"\ud800"`) becomes U+FFFD when the password is hashed, so passwords differing only
 * there would be one password: they are refused.
 */
export const passwordField = z
  .string()
  .max(maxPasswordLength, `at most ${maxPasswordLength} characters`)
  .refine((password) => password.isWellFormed(), 'must be well-formed Unicode text (it holds a lone surrogate)');

export interface NewUser {
  email: string;
  name: string;
  password: string;
  roles: string[];
}

/**
 * Creates the account and announces it (`users.user.registered`) in one transaction.
 * `email` must already be normalised.
 */
export async function registerUser(em: EntityManager, user: NewUser, origin: EventOrigin): Promise<UserRow> {
  // Hashed before the transaction opens: 100 ms of CPU should not hold a connection.
  const passwordHash = await hashPassword(user.password);
  try {
    return await em.transactional(async (tx) => {
      if (await tx.count(User, { email: user.email })) throw emailTaken(user.email);
      const row = tx.create(User, {
        id: newEventId(),
        email: user.email,
        name: user.name,
        passwordHash,
        roles: user.roles,
        createdAt: new Date(),
      });
      recordEvent(tx, userRegistered.create(row.id, { userId: row.id, email: row.email, name: row.name }, origin));
      return row;
    });
  } catch (err) {
    // Two sign-ups with one email can both pass the check; the unique index stops the second.
    if (err instanceof UniqueConstraintViolationException) throw emailTaken(user.email);
    throw err;
  }
}

function emailTaken(email: string) {
  return conflict(`an account with email ${email} already exists`, { field: 'email' });
}
