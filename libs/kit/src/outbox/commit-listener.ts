import { EventSubscriber } from '@mikro-orm/core';

/**
 * Tells the outbox relay that a transaction committed, so events go out at once
 * instead of at the next poll.
 */
export class CommitListener implements EventSubscriber {
  private listener: (() => void) | null = null;

  onCommit(listener: () => void): void {
    this.listener = listener;
  }

  afterFlush(): void {
    this.listener?.();
  }

  afterTransactionCommit(): void {
    this.listener?.();
  }
}
