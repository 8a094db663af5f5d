import { EntityManager, EventSubscriber, FlushEventArgs, TransactionEventArgs } from '@mikro-orm/core';
import type { EventEnvelope } from '@ficus/events';
import { OutboxEvent, OutboxEventRow } from './outbox-event';

/**
 * Hands the events of each committed transaction to the service: the outbox relay then
 * publishes them at once instead of at the next poll, and the service's own subscriptions
 * see them without waiting for the round trip through NATS. Only commits that wrote outbox
 * rows count: the relay's own transactions must not wake it, or it would spin.
 */
export class CommitListener implements EventSubscriber {
  private listener: ((committed: EventEnvelope[]) => void) | null = null;
  // Per transaction (its entity manager), so that one commit never hands over another's events.
  private readonly awaitingCommit = new WeakMap<EntityManager, EventEnvelope[]>();

  onCommit(listener: (committed: EventEnvelope[]) => void): void {
    this.listener = listener;
  }

  afterFlush({ em, uow }: FlushEventArgs): void {
    const written = uow
      .getChangeSets()
      .filter((changeSet) => changeSet.name === OutboxEvent.meta.className && changeSet.type === 'create')
      .map((changeSet) => JSON.parse((changeSet.entity as OutboxEventRow).envelope) as EventEnvelope);
    if (written.length === 0) return;
    if (!em.isInTransaction()) {
      this.listener?.(written);
      return;
    }
    // Inside a transaction the rows become visible only at commit.
    this.awaitingCommit.set(em, [...(this.awaitingCommit.get(em) ?? []), ...written]);
  }

  afterTransactionCommit({ em }: TransactionEventArgs): void {
    const committed = this.awaitingCommit.get(em);
    if (!committed) return;
    this.awaitingCommit.delete(em);
    this.listener?.(committed);
  }

  afterTransactionRollback({ em }: TransactionEventArgs): void {
    this.awaitingCommit.delete(em);
  }
}
