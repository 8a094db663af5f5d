import { GraphQLError } from 'graphql';
import { startTestSubgraph, SubgraphRequestContext, TestSubgraph } from './test-subgraph';

const header = (ctx: SubgraphRequestContext, name: string) => {
  const value = ctx.headers[name];
  return typeof value === 'string' ? value : null;
};

const users = [
  { id: 'u1', name: 'Ada' },
  { id: 'u2', name: 'Grace' },
];

/** Lets a test hold a resolver open, to see what happens to requests in flight. */
export class Gate {
  private release: () => void = () => {};
  private opened = Promise.resolve();

  close(): void {
    this.opened = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  open(): void {
    this.release();
  }

  wait(): Promise<void> {
    return this.opened;
  }
}

/** Like the users subgraph, plus a `whoami` that echoes the headers the gateway sent. */
export function startAccountsSubgraph(gate: Gate): Promise<TestSubgraph> {
  return startTestSubgraph(
    'accounts',
    `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Query {
      user(id: ID!): User
      whoami: ReceivedHeaders!
      slow: String!
    }
    type User @key(fields: "id") {
      id: ID!
      name: String!
    }
    type ReceivedHeaders {
      userId: String
      email: String
      roles: String
      requestId: String
      traceparent: String
    }
    `,
    {
      Query: {
        user: (_: unknown, { id }: { id: string }) => users.find((u) => u.id === id) ?? null,
        whoami: (_: unknown, __: unknown, ctx: SubgraphRequestContext) => ({
          userId: header(ctx, 'x-ficus-user-id'),
          email: header(ctx, 'x-ficus-user-email'),
          roles: header(ctx, 'x-ficus-user-roles'),
          requestId: header(ctx, 'x-request-id'),
          traceparent: header(ctx, 'traceparent'),
        }),
        slow: async () => {
          await gate.wait();
          return 'done';
        },
      },
      User: {
        __resolveReference: ({ id }: { id: string }) => users.find((u) => u.id === id) ?? null,
      },
    },
  );
}

/** Extends User, so a query for a user's reviews crosses two subgraphs; `gate` can hold its answers. */
export function startReviewsSubgraph(gate = new Gate()): Promise<TestSubgraph> {
  return startTestSubgraph(
    'reviews',
    `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type User @key(fields: "id") {
      id: ID!
      reviews: [Review!]!
    }
    type Review {
      body: String!
      "The user id the gateway forwarded with this request."
      seenBy: String
    }
    `,
    {
      User: {
        __resolveReference: ({ id }: { id: string }) => ({ id }),
        reviews: async ({ id }: { id: string }, _: unknown, ctx: SubgraphRequestContext) => {
          await gate.wait();
          if (id === 'withdrawn') throw new GraphQLError('the reviews of this user were withdrawn', { extensions: { code: 'REVIEWS_WITHDRAWN' } });
          return [{ body: `review by ${id}`, seenBy: header(ctx, 'x-ficus-user-id') }];
        },
      },
    },
  );
}
