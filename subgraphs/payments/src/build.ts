import type { MikroORM } from '@mikro-orm/core';
import { loadSchemaFile, startSubgraph, SubgraphDefinition, SubgraphHandle } from '@ficus/kit';
import type { PaymentsConfig } from './config';
import type { PaymentsContext } from './context';
import { migrations } from './db/migrations';
import { Payment } from './domain/payment';
import type { PaymentProvider } from './domain/payment-provider';
import { paymentEventHandlers } from './events/handlers';
import { createLoaders } from './graphql/loaders';
import { resolvers } from './graphql/resolvers';
import { createPaymentProvider } from './providers/create-provider';
import { TestProviderCharge } from './providers/test-provider-charge';

export interface PaymentsOptions {
  /** Redelivery tuning for the event consumer; tests shorten it. */
  consumer?: SubgraphDefinition<PaymentsContext>['consumer'];
  /** Replaces the configured provider; tests wrap the test provider to fail on cue. */
  paymentProvider?: (orm: MikroORM) => PaymentProvider;
}

/** Wires the payments subgraph; `config.port` 0 picks a free port. */
export function build(config: PaymentsConfig, options: PaymentsOptions = {}): Promise<SubgraphHandle> {
  const providerFor = options.paymentProvider ?? ((orm: MikroORM) => createPaymentProvider(config.paymentProvider, orm));
  return startSubgraph<PaymentsContext>(config, {
    typeDefs: loadSchemaFile(__dirname),
    resolvers,
    entities: [Payment, TestProviderCharge],
    migrations,
    // It publishes payments.payment.*, so it owns the PAYMENTS stream.
    publishesEvents: true,
    eventHandlers: ({ orm }) => paymentEventHandlers(orm, providerFor(orm)),
    consumer: options.consumer,
    context: (base) => ({ ...base, loaders: createLoaders(base.em) }),
  });
}
