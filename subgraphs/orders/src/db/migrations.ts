import type { MigrationObject } from '@mikro-orm/core';
import { PortableMigration } from '@ficus/kit';

class CreateCatalogProducts extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s.createTable('catalog_products', (t) => {
        t.string('product_id', 64).primary();
        t.string('name', 200).notNullable();
        t.integer('price_amount').notNullable();
        t.string('price_currency', 3).notNullable();
      }),
    );
  }
}

class CreateOrders extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s
        .createTable('orders', (t) => {
          t.string('id', 64).primary();
          t.string('customer_id', 64).notNullable();
          t.string('status', 16).notNullable();
          t.string('cancellation_reason', 32).nullable();
          t.integer('total_amount').notNullable();
          t.string('total_currency', 3).notNullable();
          t.string('payment_token', 100).notNullable();
          t.string('idempotency_key', 200).notNullable();
          t.string('saga_step', 20).notNullable();
          t.timestamp('payment_deadline', { useTz: true }).nullable();
          t.string('correlation_id', 200).notNullable();
          t.timestamp('created_at', { useTz: true }).notNullable();
          t.timestamp('updated_at', { useTz: true }).notNullable();
          t.unique(['customer_id', 'idempotency_key'], { indexName: 'orders_customer_idempotency_key_unique' });
          // A customer's orders, newest first (ids are time-ordered).
          t.index(['customer_id', 'id'], 'orders_customer_idx');
          // The payment-timeout sweep.
          t.index(['saga_step', 'payment_deadline'], 'orders_payment_deadline_idx');
        })
        .createTable('order_items', (t) => {
          t.string('order_id', 64).notNullable();
          t.string('product_id', 64).notNullable();
          t.integer('position').notNullable();
          t.integer('quantity').notNullable();
          t.integer('unit_price_amount').notNullable();
          t.string('unit_price_currency', 3).notNullable();
          t.primary(['order_id', 'product_id']);
        }),
    );
  }
}

/** In order; never edit one that has shipped, add a new one. */
export const migrations: MigrationObject[] = [
  { name: 'orders-0001-create-catalog-products', class: CreateCatalogProducts },
  { name: 'orders-0002-create-orders', class: CreateOrders },
];
