import { randomUUID } from 'node:crypto';
import { EntityManager, MikroORM, raw, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { ChargeRequest, ChargeResult, PaymentProvider, RefundRequest, VoidResult } from '../domain/payment-provider';
import { TestChargeStatus, TestProviderCharge, TestProviderChargeRow } from './test-provider-charge';

/** The test card tokens and what charging them does. */
export const testTokens: Record<string, { status: TestChargeStatus; declineReason?: string }> = {
  tok_visa: { status: 'succeeded' },
  tok_declined: { status: 'declined', declineReason: 'card declined' },
  // Never answers: the charge stays pending until it is voided.
  tok_timeout: { status: 'pending' },
};

const unknownToken = { status: 'declined' as const, declineReason: 'unknown test token' };

/**
 * A provider for development and tests that behaves like a real one with idempotency
 * keys: the first call under a key decides, and is stored in its own table, so a
 * repeated call (after a crash, a restart, a redelivery, or at the same moment) gets the
 * same answer and moves no money. Never for production (the config refuses it there).
 */
export class TestPaymentProvider implements PaymentProvider {
  constructor(private readonly orm: MikroORM) {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const em = this.orm.em.fork();
    const { idempotencyKey, token, amount, currency } = request;
    const decision = testTokens[token] ?? unknownToken;
    const now = new Date();
    const first: TestProviderChargeRow = {
      idempotencyKey,
      token,
      amount,
      currency,
      status: decision.status,
      providerChargeId: decision.status === 'succeeded' ? `ch_test_${randomUUID()}` : null,
      declineReason: decision.declineReason ?? null,
      chargeRequests: 1,
      refunded: false,
      refundIdempotencyKey: null,
      providerRefundId: null,
      createdAt: now,
      updatedAt: now,
    };
    if (await insertFirst(em, first)) return resultOf(first);

    await em.nativeUpdate(TestProviderCharge, { idempotencyKey }, { chargeRequests: raw('charge_requests + 1') });
    const stored = (await em.findOne(TestProviderCharge, { idempotencyKey }, { refresh: true }))!;
    if (stored.token !== null && (stored.token !== token || stored.amount !== amount || stored.currency !== currency)) {
      throw new Error(`test provider: idempotency key ${idempotencyKey} was first used for another charge`);
    }
    return resultOf(stored);
  }

  async refund(request: RefundRequest): Promise<{ providerRefundId: string }> {
    const em = this.orm.em.fork();
    const { idempotencyKey, providerChargeId, amount } = request;
    const charge = await em.findOne(TestProviderCharge, { providerChargeId }, { refresh: true });
    if (!charge || charge.status !== 'succeeded') throw new Error(`test provider: no succeeded charge ${providerChargeId} to refund`);
    if (charge.refundIdempotencyKey === idempotencyKey) return { providerRefundId: charge.providerRefundId! };
    if (charge.refunded) throw new Error(`test provider: charge ${providerChargeId} is already refunded`);
    if (amount !== charge.amount) throw new Error(`test provider: refunds whole charges only (${charge.amount}, not ${amount})`);
    const providerRefundId = `re_test_${randomUUID()}`;
    const updated = await em.nativeUpdate(
      TestProviderCharge,
      { providerChargeId, refunded: false },
      { refunded: true, refundIdempotencyKey: idempotencyKey, providerRefundId, updatedAt: new Date() },
    );
    // A concurrent refund got there first: answer as it was answered.
    return updated > 0 ? { providerRefundId } : this.refund(request);
  }

  async void(request: { idempotencyKey: string }): Promise<VoidResult> {
    const em = this.orm.em.fork();
    const { idempotencyKey } = request;
    const now = new Date();
    const tombstone: TestProviderChargeRow = {
      idempotencyKey,
      token: null,
      amount: null,
      currency: null,
      status: 'voided',
      providerChargeId: null,
      declineReason: null,
      chargeRequests: 0,
      refunded: false,
      refundIdempotencyKey: null,
      providerRefundId: null,
      createdAt: now,
      updatedAt: now,
    };
    if (await insertFirst(em, tombstone)) return { outcome: 'voided' };
    await em.nativeUpdate(TestProviderCharge, { idempotencyKey, status: 'pending' }, { status: 'voided', updatedAt: now });
    const stored = (await em.findOne(TestProviderCharge, { idempotencyKey }, { refresh: true }))!;
    return stored.status === 'succeeded' ? { outcome: 'succeeded', providerChargeId: stored.providerChargeId! } : { outcome: 'voided' };
  }
}

/** Inserts the first record under a key; false if there already is one (that one decides). */
async function insertFirst(em: EntityManager, row: TestProviderChargeRow): Promise<boolean> {
  try {
    await em.insert(TestProviderCharge, row);
    return true;
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) return false;
    throw err;
  }
}

function resultOf(row: TestProviderChargeRow): ChargeResult {
  if (row.status === 'succeeded') return { outcome: 'succeeded', providerChargeId: row.providerChargeId! };
  if (row.status === 'declined') return { outcome: 'declined', reason: row.declineReason! };
  // A voided charge never settles either.
  return { outcome: 'pending' };
}
