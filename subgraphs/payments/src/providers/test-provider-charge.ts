import { EntityManager, EntitySchema } from '@mikro-orm/core';

export type TestChargeStatus = 'succeeded' | 'declined' | 'pending' | 'voided';

/**
 * What the test provider did under one idempotency key: its own ledger, standing in for
 * a real provider's records. It lives in the payments database but only the provider
 * touches it; nothing of it is in GraphQL. A row with no token is a void that came
 * before any charge: it stops a later charge under that key.
 */
export interface TestProviderChargeRow {
  idempotencyKey: string;
  token: string | null;
  amount: number | null;
  currency: string | null;
  status: TestChargeStatus;
  providerChargeId: string | null;
  declineReason: string | null;
  /** How many charge calls came with this key; all but the first were answered from this row. */
  chargeRequests: number;
  refunded: boolean;
  refundIdempotencyKey: string | null;
  providerRefundId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const TestProviderCharge = new EntitySchema<TestProviderChargeRow>({
  name: 'TestProviderCharge',
  tableName: 'test_provider_charges',
  properties: {
    idempotencyKey: { type: 'string', primary: true },
    token: { type: 'string', nullable: true },
    amount: { type: 'integer', nullable: true },
    currency: { type: 'string', nullable: true },
    status: { type: 'string' },
    providerChargeId: { type: 'string', nullable: true, unique: true },
    declineReason: { type: 'string', nullable: true },
    chargeRequests: { type: 'integer' },
    refunded: { type: 'boolean' },
    refundIdempotencyKey: { type: 'string', nullable: true },
    providerRefundId: { type: 'string', nullable: true },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime' },
  },
});

/**
 * How many charges the test provider took under an idempotency key (payments uses the
 * order id): 1 for an order charged once, whatever crashed or was redelivered. For tests,
 * including end-to-end ones that open the payments database after killing the service:
 * plain SQL, so any MikroORM connection to that database will do, entities or not.
 */
export async function countTestProviderCharges(em: EntityManager, idempotencyKey: string): Promise<number> {
  const rows = await em
    .getConnection()
    .execute<{ charges: number | string }[]>(
      'select count(*) as charges from test_provider_charges where idempotency_key = ? and token is not null',
      [idempotencyKey],
    );
  return Number(rows[0]?.charges ?? 0);
}

/** The test provider's record under an idempotency key, for tests. */
export function findTestProviderCharge(em: EntityManager, idempotencyKey: string): Promise<TestProviderChargeRow | null> {
  return em.findOne(TestProviderCharge, { idempotencyKey }, { refresh: true });
}
