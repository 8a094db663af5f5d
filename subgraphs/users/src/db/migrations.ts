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

/** In order; never edit one that has shipped, add a new one. */
export const migrations: MigrationObject[] = [{ name: 'users-0001-create-users', class: CreateUsers }];
