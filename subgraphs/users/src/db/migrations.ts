import type { MigrationObject } from '@mikro-orm/core';
import { PortableMigration } from '@ficus/kit';

class CreateUsers extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s.createTable('users', (t) => {
        t.string('id', 64).primary();
        t.string('email', 320).notNullable().unique('users_email_unique');
        t.string('name', 100).notNullable();
        t.string('password_hash', 200).notNullable();
        t.json('roles').notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable();
      }),
    );
  }
}

/** Sign-in attempts per account and client address, for the failure limits (domain/sign-in-throttle.ts). */
class CreateSignInAttempts extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s.createTable('sign_in_attempts', (t) => {
        t.string('id', 36).primary();
        t.string('subject', 80).notNullable();
        // ms since the epoch: one type that compares alike on SQLite and PostgreSQL.
        t.bigInteger('attempted_at').notNullable();
        t.index(['subject', 'attempted_at'], 'sign_in_attempts_subject_at');
        t.index(['attempted_at'], 'sign_in_attempts_at');
      }),
    );
  }
}

/** In order; never edit one that has shipped, add a new one. */
export const migrations: MigrationObject[] = [
  { name: 'users-0001-create-users', class: CreateUsers },
  { name: 'users-0002-create-sign-in-attempts', class: CreateSignInAttempts },
];
