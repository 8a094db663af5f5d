import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { DocumentNode, execute, GraphQLError, GraphQLSchema, parse, validate } from 'graphql';

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
  /** Closes the keep-alive connections no request is using: one gateway's leave-over, before the next gateway's turn. */
  closeIdleConnections(): void;
  stop(): Promise<void>;
}

/**
 * Starts one subgraph as a real HTTP server on a free port of 127.0.0.1. `onRequest` is called
 * once per GraphQL request it serves: the count shows what a gateway's deduplication saves.
 *
 * graphql-js on node:http, each document parsed and validated once, as a lean production
 * subgraph server does: the subgraphs share the machine with the gateway under test, and their
 * own pauses (Apollo Server's, before) land in every gateway's tail alike. See docs/benchmarks.md.
 */
export async function startSubgraph(definition: SubgraphDefinition, onRequest: () => void): Promise<RunningSubgraph> {
  const schema = buildSubgraphSchema([{ typeDefs: parse(definition.sdl), resolvers: definition.resolvers }]);
  const documents = new DocumentCache(schema);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('error', () => res.destroy());
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      onRequest();
      answer(schema, documents, Buffer.concat(chunks).toString('utf8')).then(
        ({ status, body }) => res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message),
      );
    });
  });
  // Kept open across the gateways' turns, so each warm-up finds its connections.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { name: definition.name, url, sdl: definition.sdl, closeIdleConnections: () => server.closeIdleConnections(), stop };
}

interface GraphQLRequest {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

async function answer(schema: GraphQLSchema, documents: DocumentCache, text: string): Promise<{ status: number; body: string }> {
  let request: GraphQLRequest;
  try {
    request = JSON.parse(text) as GraphQLRequest;
  } catch {
    return refused([new GraphQLError('the body is not JSON')]);
  }
  if (typeof request?.query !== 'string') return refused([new GraphQLError('the body has no query')]);
  const document = documents.get(request.query);
  if (!('kind' in document)) return refused(document.errors);
  const result = await execute({ schema, document, variableValues: request.variables, operationName: request.operationName });
  return { status: 200, body: JSON.stringify(result) };
}

function refused(errors: readonly GraphQLError[]): { status: number; body: string } {
  return { status: 400, body: JSON.stringify({ errors }) };
}

/** Documents parsed and validated, by text: a gateway sends each of its few subgraph queries again and again. */
class DocumentCache {
  private readonly documents = new Map<string, DocumentNode | { errors: readonly GraphQLError[] }>();

  constructor(private readonly schema: GraphQLSchema) {}

  get(text: string): DocumentNode | { errors: readonly GraphQLError[] } {
    let entry = this.documents.get(text);
    if (!entry) {
      entry = this.parsed(text);
      // The bench sends a handful of documents; the bound only keeps a stray client from growing it.
      if (this.documents.size >= 1000) this.documents.clear();
      this.documents.set(text, entry);
    }
    return entry;
  }

  private parsed(text: string): DocumentNode | { errors: readonly GraphQLError[] } {
    let document: DocumentNode;
    try {
      document = parse(text);
    } catch (err) {
      return { errors: [err as GraphQLError] };
    }
    const errors = validate(this.schema, document);
    return errors.length > 0 ? { errors } : document;
  }
}
