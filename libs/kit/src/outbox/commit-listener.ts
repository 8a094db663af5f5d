import { EventSubscriber, FlushEventArgs } from '@mikro-orm/core';
import { OutboxEvent } from './outbox-event';

/**
 * Tells the outbox relay that events were committed, so they go out at once instead of at
 * the next poll. Only commits that wrote outbox rows count: the relay's own transactions
 * must not wake it, or it would spin.
 */
export class CommitListener implements EventSubscriber {
  private listener: (() => void) | null = null;
  private eventsAwaitingCommit = false;

  onCommit(listener: () => void): void {
    this.listener = listener;
  }

  afterFlush({ em, uow }: FlushEventArgs): void {
    const wroteEvents = uow.getChangeSets().some((changeSet) => changeSet.name === OutboxEvent.meta.className);
    if (!wroteEvents) return;
    // Inside a transaction the rows become visible only at commit.
    if (em.isInTransaction()) this.eventsAwaitingCommit = true;
    else this.listener?.();
  }

  afterTransactionCommit(): void {
    if (!this.eventsAwaitingCommit) return;
    this.eventsAwaitingCommit = false;
    this.listener?.();
  }
}
