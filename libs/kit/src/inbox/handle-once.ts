import { EntityManager, MikroORM } from '@mikro-orm/core';
import { EventContract, EventData, EventEnvelope, EventHandler, DeliveryContext } from '@ficus/events';
import { InboxEntry } from './inbox-entry';

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
        const seen = await em.findOne(InboxEntry, { eventId: event.id, consumer });
        if (seen) {
          context.logger.info({}, 'event already handled; skipping');
          return;
        }
        await handle(em, event, context);
        em.persist(em.create(InboxEntry, { eventId: event.id, consumer, eventType: event.type, handledAt: new Date() }));
      });
    },
  };
}
