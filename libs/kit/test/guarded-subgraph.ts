import { createTestDatabase, startTestNatsServer, TestDatabase, TestNatsServer } from '@ficus/testkit';
import { parse } from 'graphql';
import type { Logger } from 'pino';
import { BaseContext, conflict, readSubgraphConfig, startSubgraph, SubgraphHandle } from '../src';

const typeDefs = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    order(id: ID!): Order
    orders(first: Int, ids: [ID!]): [Order!]!
    caller: Caller!
  }
  type Mutation {
    label(id: ID!, labels: [String!]!): Order!
    "Always refused with CONFLICT, a domain error."
    relabel(id: ID!): Order!
  }
  type Subscription {
    orderSeen(id: ID!): Order!
  }
  type Caller {
    userId: String
    clientAddress: String
  }
  type Order @key(fields: "id") {
    id: ID!
    "Another order, so that an operation can nest as deep as it likes."
    next: Order
    labels: [String!]!
  }
`);

const order = (id: string, labels: string[] = []) => ({ id, labels });

const resolvers = {
  Query: {
    order: (_: unknown, { id }: { id: string }) => order(id),
    orders: (_: unknown, { first, ids }: { first?: number; ids?: string[] }) => (ids ?? ['o1', 'o2']).slice(0, first ?? 20).map((id) => order(id)),
    caller: (_: unknown, _args: unknown, ctx: BaseContext) => ({ userId: ctx.identity?.userId ?? null, clientAddress: ctx.clientAddress }),
  },
  Mutation: {
    label: (_: unknown, { id, labels }: { id: string; labels: string[] }) => order(id, labels),
    relabel: (_: unknown, { id }: { id: string }) => {
      throw conflict(`order ${id} is labelled already`);
    },
  },
  Subscription: {
    orderSeen: {
      // One event, then the stream ends: enough to tell a subscription that ran from one refused.
      async *subscribe(_: unknown, { id }: { id: string }) {
        yield { orderSeen: order(id) };
      },
    },
  },
  Order: {
    __resolveReference: ({ id }: { id: string }) => order(id),
    next: ({ id }: { id: string }) => order(`${id}+`),
  },
};

export interface GuardedSubgraph {
  subgraph: SubgraphHandle;
  stop(): Promise<void>;
}

/** A real subgraph (kit's startSubgraph, SQLite, its own NATS) started with `env` over a quiet default, logging to `logger` if given. */
export async function startGuardedSubgraph(env: Record<string, string>, logger?: Logger): Promise<GuardedSubgraph> {
  const nats: TestNatsServer = await startTestNatsServer();
  const db: TestDatabase = await createTestDatabase('sqlite', 'guarded');
  const config = { ...readSubgraphConfig('guarded', 0, { NATS_URL: nats.url, LOG_LEVEL: 'silent', ...env }), database: db.target };
  const subgraph = await startSubgraph(config, {
    typeDefs,
    resolvers,
    entities: [],
    migrations: [],
    publishesEvents: false,
    context: (base) => base,
  }, { logger });
  return {
    subgraph,
    async stop() {
      await subgraph.stop();
      await db.drop();
      await nats.dispose();
    },
  };
}
