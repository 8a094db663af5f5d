import { EntitySchema, MigrationObject } from '@mikro-orm/core';
import { PortableMigration } from '../db/portable-migration';

/** An event that a consumer has handled; written in the handler's own transaction. */
export interface InboxEntryRow {
  eventId: string;
  consumer: string;
  eventType: string;
  handledAt: Date;
}

export const InboxEntry = new EntitySchema<InboxEntryRow>({
  name: 'InboxEntry',
  tableName: 'ficus_inbox',
  properties: {
    eventId: { type: 'string', primary: true },
    consumer: { type: 'string', primary: true },
    eventType: { type: 'string' },
    handledAt: { type: 'datetime' },
  },
});

class CreateInbox extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s.createTable('ficus_inbox', (t) => {
        t.string('event_id', 64).notNullable();
        t.string('consumer', 100).notNullable();
        t.string('event_type', 200).notNullable();
        t.timestamp('handled_at', { useTz: true }).notNullable();
        t.primary(['event_id', 'consumer']);
      }),
    );
  }
}

export const inboxMigrations: MigrationObject[] = [{ name: '0001-ficus-inbox', class: CreateInbox }];
