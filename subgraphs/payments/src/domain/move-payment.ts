import type { EntityManager } from '@mikro-orm/core';
import { Payment, PaymentRow, PaymentStatus } from './payment';

export type PaymentChanges = Partial<Pick<PaymentRow, 'status' | 'providerChargeId' | 'declineReason' | 'providerRefundId'>>;

/**
 * Moves a payment on from `from` with one conditional UPDATE. False when another writer
 * (a duplicate delivery, the other saga event) moved it first: the caller then re-reads
 * instead of overwriting, so a payment only ever moves forward and each move happens once.
 */
export async function movePayment(em: EntityManager, paymentId: string, from: PaymentStatus, changes: PaymentChanges): Promise<boolean> {
  const updated = await em.nativeUpdate(Payment, { id: paymentId, status: from }, { ...changes, updatedAt: new Date() });
  return updated > 0;
}
