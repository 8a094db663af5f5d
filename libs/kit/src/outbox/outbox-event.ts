import { EntityManager, EntitySchema, MigrationObject } from '@mikro-orm/core';
import type { EventEnvelope } from '@ficus/events';
import { PortableMigration } from '../db/portable-migration';

/** An event waiting to be published, written in the same transaction as the change it describes. */
export interface OutboxEventRow {
  id: string;
  type: string;
  aggregateId: string;
  envelope: string;
  createdAt: Date;
  publishedAt: Date | null;
  attempts: number;
  lastError: string | null;
}

export const OutboxEvent = new EntitySchema<OutboxEventRow>({
  name: 'OutboxEvent',
  tableName: 'ficus_outbox',
  properties: {
    id: { type: 'string', primary: true },
    type: { type: 'string' },
    aggregateId: { type: 'string' },
    envelope: { type: 'text' },
    createdAt: { type: 'datetime' },
    publishedAt: { type: 'datetime', nullable: true },
    attempts: { type: 'integer', default: 0 },
    lastError: { type: 'text', nullable: true },
  },
});

/**
 * Queues an event in the caller's unit of work: it is committed with the state change
 * it describes, or not at all. The `OutboxRelay` publishes it after commit.
 */
export function recordEvent(em: EntityManager, envelope: EventEnvelope): void {
  em.persist(
    em.create(OutboxEvent, {
      id: envelope.id,
      type: envelope.type,
      aggregateId: envelope.aggregateId,
      envelope: JSON.stringify(envelope),
      createdAt: new Date(envelope.occurredAt),
      publishedAt: null,
      attempts: 0,
      lastError: null,
    }),
  );
}

class CreateOutbox extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s.createTable('ficus_outbox', (t) => {
        t.string('id', 64).primary();
        t.string('type', 200).notNullable();
        t.string('aggregate_id', 200).notNullable();
        t.text('envelope').notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable();
        t.timestamp('published_at', { useTz: true }).nullable();
        t.integer('attempts').notNullable().defaultTo(0);
        t.text('last_error').nullable();
        t.index(['published_at', 'id'], 'ficus_outbox_unpublished_idx');
      }),
    );
  }
}

export const outboxMigrations: MigrationObject[] = [{ name: '0000-ficus-outbox', class: CreateOutbox }];
