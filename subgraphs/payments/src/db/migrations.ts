import type { MigrationObject } from '@mikro-orm/core';
import { PortableMigration } from '@ficus/kit';
import { paymentStatuses } from '../domain/payment';

class CreatePayments extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s.createTable('payments', (t) => {
        t.string('id', 64).primary();
        // One payment per order: what makes a repeated or concurrent charge request find the first.
        t.string('order_id', 64).notNullable().unique({ indexName: 'payments_order_id_unique' });
        t.string('customer_id', 64).notNullable();
        t.integer('amount').nullable();
        t.string('currency', 3).nullable();
        t.string('status', 16).notNullable();
        t.string('provider_charge_id', 200).nullable();
        t.string('decline_reason', 500).nullable();
        t.string('provider_refund_id', 200).nullable();
        t.timestamp('created_at', { useTz: true }).notNullable();
        t.timestamp('updated_at', { useTz: true }).notNullable();
        t.check(`?? in (${paymentStatuses.map((s) => `'${s}'`).join(', ')})`, ['status'], 'payments_status_known');
        t.check('?? is null or ?? >= 0', ['amount', 'amount'], 'payments_amount_not_negative');
      }),
    );
  }
}

// The test provider's own ledger. A real provider keeps its records elsewhere; this one
// keeps them here so that they survive a restart of the service, as a provider's would.
class CreateTestProviderCharges extends PortableMigration {
  override up(): void {
    this.schema((s) =>
      s.createTable('test_provider_charges', (t) => {
        t.string('idempotency_key', 200).primary();
        t.string('token', 100).nullable();
        t.integer('amount').nullable();
        t.string('currency', 3).nullable();
        t.string('status', 16).notNullable();
        t.string('provider_charge_id', 200).nullable().unique({ indexName: 'test_provider_charges_charge_id_unique' });
        t.string('decline_reason', 500).nullable();
        t.integer('charge_requests').notNullable().defaultTo(0);
        t.boolean('refunded').notNullable().defaultTo(false);
        t.string('refund_idempotency_key', 200).nullable();
        t.string('provider_refund_id', 200).nullable();
        t.timestamp('created_at', { useTz: true }).notNullable();
        t.timestamp('updated_at', { useTz: true }).notNullable();
      }),
    );
  }
}

/** In order; never edit one that has shipped, add a new one. */
export const migrations: MigrationObject[] = [
  { name: 'payments-0001-create-payments', class: CreatePayments },
  { name: 'payments-0002-create-test-provider-charges', class: CreateTestProviderCharges },
];
