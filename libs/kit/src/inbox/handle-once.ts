import { EntityManager, MikroORM } from '@mikro-orm/core';
import { EventContract, EventData, EventEnvelope, EventHandler, DeliveryContext } from '@ficus/events';

export type TransactionalHandler<C extends EventContract> = (
  em: EntityManager,
  event: EventEnvelope<EventData<C>>,
  context: DeliveryContext,
) => Promise<void>;

/**
 * Makes a handler idempotent: its writes and the inbox row recording the event id commit
 * in one transaction, so a redelivered event is acknowledged without running it again.
 */
export function handleOnce<C extends EventContract>(
  orm: MikroORM,
  consumer: string,
  contract: C,
  handle: TransactionalHandler<C>,
): EventHandler<C> {
  return {
    contract,
    async handle(event, context) {
      await orm.em.fork().transactional(async (em) => {
        if (!(await claimInboxEntry(em, consumer, event))) {
          context.logger.info({}, 'event already handled; skipping');
          return;
        }
        await handle(em, event, context);
      });
    },
  };
}

/**
 * Writes the inbox row first, in one statement: false when it is already there. A second
 * delivery running at the same time waits on the row's key until the first commits (then
 * skips) or rolls back (then runs), so the two never both apply the event.
 */
async function claimInboxEntry(em: EntityManager, consumer: string, event: EventEnvelope): Promise<boolean> {
  const { affectedRows }: { affectedRows: number } = await em
    .getConnection()
    .execute(
      'insert into ficus_inbox (event_id, consumer, event_type, handled_at) values (?, ?, ?, ?) on conflict do nothing',
      [event.id, consumer, event.type, new Date()],
      'run',
      em.getTransactionContext(),
    );
  return affectedRows > 0;
}
