import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

/** One of the benchmark's subgraphs: its SDL and in-memory resolvers. */
interface SubgraphDefinition {
  name: string;
  sdl: string;
  resolvers: Record<string, Record<string, (...args: any[]) => unknown>>;
}

const link = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])';

const products = Array.from({ length: 20 }, (_, i) => ({ upc: `p-${i + 1}`, name: `Product ${i + 1}`, price: 100 + i * 7 }));
const productsByUpc = new Map(products.map((p) => [p.upc, p]));
const reviewsPerProduct = 3;
const reviews = products.flatMap((p, i) =>
  Array.from({ length: reviewsPerProduct }, (_, j) => ({
    id: `r-${i + 1}-${j + 1}`,
    body: `Review ${j + 1} of ${p.name}: does what it says.`,
    authorId: `u-${((i * reviewsPerProduct + j) % 10) + 1}`,
    upc: p.upc,
  })),
);
const reviewsByUpc = new Map(products.map((p) => [p.upc, reviews.filter((r) => r.upc === p.upc)]));
const reviewsById = new Map(reviews.map((r) => [r.id, r]));

/** The four subgraphs: products, reviews, users and inventory, all answering from memory. */
export const shopSubgraphs: SubgraphDefinition[] = [
  {
    name: 'products',
    sdl: `${link}
      type Query { topProducts(first: Int = 5): [Product!]! }
      type Product @key(fields: "upc") { upc: String! name: String! price: Int! }`,
    resolvers: {
      Query: { topProducts: (_: unknown, args: { first: number }) => products.slice(0, Math.min(Math.max(args.first, 0), products.length)) },
      Product: { __resolveReference: (ref: { upc: string }) => productsByUpc.get(ref.upc) ?? null },
    },
  },
  {
    name: 'reviews',
    sdl: `${link}
      type Product @key(fields: "upc") { upc: String! reviews: [Review!]! }
      type Review @key(fields: "id") { id: ID! body: String! author: User! product: Product! }
      type User @key(fields: "id", resolvable: false) { id: ID! }`,
    resolvers: {
      Product: {
        __resolveReference: (ref: { upc: string }) => ({ upc: ref.upc }),
        reviews: (product: { upc: string }) => reviewsByUpc.get(product.upc) ?? [],
      },
      Review: {
        __resolveReference: (ref: { id: string }) => reviewsById.get(ref.id) ?? null,
        author: (review: { authorId: string }) => ({ id: review.authorId }),
        product: (review: { upc: string }) => ({ upc: review.upc }),
      },
    },
  },
  {
    name: 'users',
    sdl: `${link}
      type User @key(fields: "id") { id: ID! username: String! }`,
    resolvers: {
      User: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, username: `user${ref.id.slice(2)}` }) },
    },
  },
  {
    name: 'inventory',
    sdl: `${link}
      type Product @key(fields: "upc") { upc: String! inStock: Boolean! }`,
    resolvers: {
      Product: { __resolveReference: (ref: { upc: string }) => ({ upc: ref.upc, inStock: Number(ref.upc.slice(2)) % 4 !== 0 }) },
    },
  },
];

/** A started subgraph: where it listens, and how to stop it. */
export interface RunningSubgraph {
  name: string;
  url: string;
  sdl: string;
  stop(): Promise<void>;
}

/**
 * Starts one subgraph as a real HTTP server on a free port of 127.0.0.1. `onRequest` is called
 * once per GraphQL request it serves: the count shows what a gateway's deduplication saves.
 */
export async function startSubgraph(definition: SubgraphDefinition, onRequest: () => void): Promise<RunningSubgraph> {
  const server = new ApolloServer({
    schema: buildSubgraphSchema([{ typeDefs: parse(definition.sdl), resolvers: definition.resolvers }]),
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      {
        async requestDidStart() {
          onRequest();
        },
      },
    ],
  });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { name: definition.name, url, sdl: definition.sdl, stop: () => server.stop() };
}
