import type { EntityManager } from '@mikro-orm/core';
import type { EventOrigin } from '@ficus/events';
import { OrderHold } from './order-hold';
import { settleReservation } from './settle-reservation';

export type ReleaseOutcome =
  | { kind: 'released' }
  /** No hold yet: a RELEASED tombstone makes the placement, when it comes, reserve nothing. */
  | { kind: 'tombstoned' }
  /** The units are sold; a cancellation does not bring them back into stock. */
  | { kind: 'already-sold' }
  | { kind: 'nothing-held'; status: 'REJECTED' | 'RELEASED' };

/** A cancelled order's reservation goes back into available stock (stock.changed RELEASE). */
export async function releaseOrder(em: EntityManager, orderId: string, origin: EventOrigin): Promise<ReleaseOutcome> {
  if (await settleReservation(em, orderId, 'RELEASED', origin)) return { kind: 'released' };
  const hold = await em.findOne(OrderHold, { orderId });
  if (!hold) {
    // A placement racing with this inserts the same primary key; one of the two transactions fails and is retried.
    em.create(OrderHold, { orderId, status: 'RELEASED', updatedAt: new Date() });
    return { kind: 'tombstoned' };
  }
  if (hold.status === 'SOLD') return { kind: 'already-sold' };
  // A placement committed between the two statements; the retry releases what it reserved.
  if (hold.status === 'RESERVED') throw new Error(`order ${orderId} was reserved while its cancellation was handled; retrying`);
  return { kind: 'nothing-held', status: hold.status };
}
