import type { MigrationObject } from '@mikro-orm/core';
import { PortableMigration } from '@ficus/kit';

class CreateProducts extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s.createTable('products', (t) => {
        t.string('id', 64).primary();
        t.string('sku', 64).notNullable().unique('products_sku_unique');
        t.string('name', 200).notNullable();
        t.text('description').nullable();
        t.integer('price_amount').notNullable();
        t.string('price_currency', 3).notNullable();
        t.integer('initial_stock').notNullable();
        t.string('search_text', 300).notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable();
        t.index(['price_amount'], 'products_price_idx');
      }),
    );
  }
}

/** In order; never edit one that has shipped, add a new one. */
export const migrations: MigrationObject[] = [{ name: 'products-0001-create-products', class: CreateProducts }];
