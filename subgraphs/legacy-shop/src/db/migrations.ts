import type { MigrationObject } from '@mikro-orm/core';
import { PortableMigration } from '@ficus/kit';

/** The shop's tables, one database for the catalog and the orders as the monolith kept them. */
class CreateShopTables extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s
        .createTable('shop_products', (t) => {
          t.string('id', 64).primary();
          t.string('sku', 64).notNullable();
          t.string('name', 200).notNullable();
          t.string('slug', 300).notNullable();
          t.integer('price_amount').notNullable();
          t.string('price_currency', 3).notNullable();
          t.timestamp('created_at', { useTz: true }).notNullable();
        })
        .createTable('shop_orders', (t) => {
          t.string('id', 64).primary();
          t.string('customer_id', 64).notNullable();
          t.integer('total_amount').notNullable();
          t.string('total_currency', 3).notNullable();
          t.integer('item_count').notNullable();
          t.timestamp('placed_at', { useTz: true }).notNullable();
        }),
    );
  }
}

/** In order; never edit one that has shipped, add a new one. */
export const migrations: MigrationObject[] = [{ name: 'legacy-shop-0001-create-shop-tables', class: CreateShopTables }];
