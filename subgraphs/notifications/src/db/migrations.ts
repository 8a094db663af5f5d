import type { MigrationObject } from '@mikro-orm/core';
import { PortableMigration } from '@ficus/kit';

class CreateNotifications extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s.createTable('notifications', (t) => {
        t.string('id', 64).primary();
        t.string('user_id', 64).notNullable();
        t.string('kind', 32).notNullable().checkIn(['ORDER_CONFIRMED', 'ORDER_CANCELLED'], 'notifications_kind_known');
        t.string('message', 500).notNullable();
        t.string('order_id', 64).notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable();
        // One notification per outcome of an order, whatever the events that announce it.
        t.unique(['order_id', 'kind'], { indexName: 'notifications_order_kind_unique' });
        t.index(['user_id', 'created_at', 'id'], 'notifications_user_newest_idx');
      }),
    );
  }
}

/** In order; never edit one that has shipped, add a new one. */
export const migrations: MigrationObject[] = [{ name: 'notifications-0001-create-notifications', class: CreateNotifications }];
