import type { MigrationObject } from '@mikro-orm/core';
import { PortableMigration } from '@ficus/kit';

class CreateStockLevels extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s.createTable('stock_levels', (t) => {
        t.string('product_id', 64).primary();
        t.integer('available').notNullable();
        t.integer('reserved').notNullable().defaultTo(0);
        t.timestamp('updated_at', { useTz: true }).notNullable();
        t.check('?? >= 0 and ?? >= 0', ['available', 'reserved'], 'stock_levels_not_negative');
      }),
    );
  }
}

/** In order; never edit one that has shipped, add a new one. */
export const migrations: MigrationObject[] = [{ name: 'inventory-0001-create-stock-levels', class: CreateStockLevels }];
