import { Migration } from '@mikro-orm/migrations';
import type { Knex } from '@mikro-orm/knex';

/**
 * A migration written with knex's schema builder, so the same migration runs on
 * SQLite (the embedded default) and on PostgreSQL.
 */
export abstract class PortableMigration extends Migration {
  protected schema(build: (schema: Knex.SchemaBuilder) => Knex.SchemaBuilder): void {
    for (const statement of build(this.getKnex().schema).toSQL()) this.addSql(statement.sql);
  }
}
