import { EntitySchema } from '@mikro-orm/core';

/** An account. Other domains know a user only by `id`. */
export interface UserRow {
  id: string;
  /** Trimmed and lower-cased, so sign-in and the uniqueness check ignore case. */
  email: string;
  name: string;
  /** `scrypt$N$r$p$salt$hash`: see `password.ts`. */
  passwordHash: string;
  roles: string[];
  createdAt: Date;
}

export const User = new EntitySchema<UserRow>({
  name: 'User',
  tableName: 'users',
  properties: {
    id: { type: 'string', primary: true },
    email: { type: 'string', unique: true },
    name: { type: 'string' },
    passwordHash: { type: 'string', hidden: true },
    // JSON so the same column type round-trips on SQLite (text) and PostgreSQL (json).
    roles: { type: 'json' },
    createdAt: { type: 'datetime' },
  },
});

export const customerRole = 'customer';
export const adminRole = 'admin';
