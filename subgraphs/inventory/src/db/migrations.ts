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

/**
 * A hold per order (what inventory decided: RESERVED, REJECTED, SOLD, RELEASED) and the
 * reservation lines under it. The hold exists without lines for REJECTED orders and for the
 * RELEASED tombstone of an order cancelled before it was placed; see `domain/order-hold.ts`.
 */
class CreateReservations extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s
        .createTable('order_holds', (t) => {
          t.string('order_id', 64).primary();
          t.string('status', 16).notNullable().checkIn(['RESERVED', 'REJECTED', 'SOLD', 'RELEASED'], 'order_holds_status_known');
          t.timestamp('updated_at', { useTz: true }).notNullable();
        })
        .createTable('reservations', (t) => {
          t.string('order_id', 64).notNullable();
          t.string('product_id', 64).notNullable();
          t.integer('quantity').notNullable();
          t.string('status', 16).notNullable().checkIn(['RESERVED', 'SOLD', 'RELEASED'], 'reservations_status_known');
          t.timestamp('updated_at', { useTz: true }).notNullable();
          t.primary(['order_id', 'product_id']);
          t.check('?? > 0', ['quantity'], 'reservations_quantity_positive');
        }),
    );
  }
}

class VersionStockLevels extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s.alterTable('stock_levels', (t) => {
        t.integer('version').notNullable().defaultTo(0);
      }),
    );
  }
}

/** In order; never edit one that has shipped, add a new one. */
export const migrations: MigrationObject[] = [
  { name: 'inventory-0001-create-stock-levels', class: CreateStockLevels },
  { name: 'inventory-0002-create-reservations', class: CreateReservations },
  { name: 'inventory-0003-version-stock-levels', class: VersionStockLevels },
];
