import type { EntityManager } from '@mikro-orm/core';
import { updateReturning } from '@ficus/kit';
import { Payment, PaymentRow, PaymentStatus } from './payment';

export type PaymentChanges = Partial<Pick<PaymentRow, 'status' | 'providerChargeId' | 'declineReason' | 'providerRefundId'>>;

/**
 * Moves a payment on from `from` with one conditional UPDATE, returning it as it now
 * stands. Null when another writer (a duplicate delivery, the other saga event) moved it
 * first: the caller then re-reads instead of overwriting, so a payment only ever moves
 * forward and each move happens once.
 */
export function movePayment(em: EntityManager, paymentId: string, from: PaymentStatus, changes: PaymentChanges): Promise<PaymentRow | null> {
  return updateReturning(em, Payment, { id: paymentId, status: from }, { ...changes, updatedAt: new Date() });
}
