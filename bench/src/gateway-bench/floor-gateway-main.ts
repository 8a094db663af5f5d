import http from 'node:http';
import type { Pool as UndiciPool } from 'undici';
import { stopWithParent } from './stop-with-parent';

// The pool alone, as the Ficus gateway loads it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Pool: typeof UndiciPool = require('undici/lib/dispatcher/pool');

/**
 * The floor: a gateway written by hand for the bench query alone, with no engine. It makes the
 * same five subgraph requests as the Ficus gateway's plan, in the same order and with the same
 * dependencies (products; then reviews and the products' stock; then, after reviews, the
 * authors and the reviewed products' stock), over the same undici pools, and answers the same
 * JSON; it parses each request's body and answers the bench query whatever was asked. What it
 * measures is what any Node gateway pays on this machine for the query's HTTP exchanges: the
 * rest of a gateway's latency and CPU is its own. SUBGRAPH_URLS (a JSON object of subgraph name
 * to URL) and PORT; serves on 127.0.0.1:PORT.
 */

interface Review {
  id: string;
  body: string;
  author: { id: string; username?: string };
  product: { upc: string; inStock?: boolean };
}
interface Product {
  upc: string;
  name: string;
  price: number;
  inStock?: boolean;
  reviews?: Review[];
}

const queries = {
  products: '{topProducts(first: 5){__typename upc name price}}',
  reviews: 'query($representations:[_Any!]!){_entities(representations: $representations){...on Product{reviews{id body author{__typename id} product{__typename upc}}}}}',
  inventory: 'query($representations:[_Any!]!){_entities(representations: $representations){...on Product{inStock}}}',
  users: 'query($representations:[_Any!]!){_entities(representations: $representations){...on User{username}}}',
};

class Subgraph {
  private readonly pool: UndiciPool;
  private readonly path: string;

  constructor(url: string) {
    const parsed = new URL(url);
    this.pool = new Pool(parsed.origin, { connections: 32, keepAliveTimeout: 30_000 });
    this.path = parsed.pathname;
  }

  async entities<T>(query: string, representations: object[]): Promise<T[]> {
    return ((await this.post(query, { representations })) as { _entities: T[] })._entities;
  }

  post(query: string, variables: object): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      this.pool.dispatch(
        { method: 'POST', path: this.path, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) },
        {
          onConnect() {},
          onHeaders: () => true,
          onData(chunk) {
            chunks.push(chunk);
            return true;
          },
          onComplete() {
            const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: Record<string, unknown> };
            if (answer.data) resolve(answer.data);
            else reject(new Error(`a subgraph answered without data: ${JSON.stringify(answer).slice(0, 200)}`));
          },
          onError: reject,
        },
      );
    });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

async function topProducts(subgraphs: Record<'products' | 'reviews' | 'inventory' | 'users', Subgraph>): Promise<unknown> {
  const products = ((await subgraphs.products.post(queries.products, {})) as { topProducts: Product[] }).topProducts;
  const representations = products.map((p) => ({ __typename: 'Product', upc: p.upc }));
  const stock = subgraphs.inventory.entities<{ inStock: boolean }>(queries.inventory, representations).then((found) => found.forEach((s, i) => (products[i]!.inStock = s.inStock)));
  const reviewed = subgraphs.reviews.entities<{ reviews: Review[] }>(queries.reviews, representations).then(async (found) => {
    found.forEach((r, i) => (products[i]!.reviews = r.reviews));
    const reviews = found.flatMap((r) => r.reviews);
    const authors = [...new Set(reviews.map((r) => r.author.id))];
    const upcs = [...new Set(reviews.map((r) => r.product.upc))];
    const [users, inventory] = await Promise.all([
      subgraphs.users.entities<{ username: string }>(queries.users, authors.map((id) => ({ __typename: 'User', id }))),
      subgraphs.inventory.entities<{ inStock: boolean }>(queries.inventory, upcs.map((upc) => ({ __typename: 'Product', upc }))),
    ]);
    const usernames = new Map(authors.map((id, i) => [id, users[i]!.username]));
    const inStock = new Map(upcs.map((upc, i) => [upc, inventory[i]!.inStock]));
    for (const review of reviews) {
      review.author.username = usernames.get(review.author.id);
      review.product.inStock = inStock.get(review.product.upc);
    }
  });
  await Promise.all([stock, reviewed]);
  return {
    data: {
      topProducts: products.map((p) => ({
        upc: p.upc,
        name: p.name,
        price: p.price,
        inStock: p.inStock,
        reviews: p.reviews!.map((r) => ({ id: r.id, body: r.body, author: { id: r.author.id, username: r.author.username }, product: { upc: r.product.upc, inStock: r.product.inStock } })),
      })),
    },
  };
}

async function main(): Promise<void> {
  const urls = JSON.parse(process.env.SUBGRAPH_URLS ?? '{}') as Record<string, string>;
  const port = Number(process.env.PORT);
  const names = ['products', 'reviews', 'inventory', 'users'] as const;
  if (!names.every((name) => typeof urls[name] === 'string') || !Number.isInteger(port) || port <= 0) throw new Error('SUBGRAPH_URLS (products, reviews, inventory, users) and PORT are required');
  const subgraphs = Object.fromEntries(names.map((name) => [name, new Subgraph(urls[name]!)])) as Record<(typeof names)[number], Subgraph>;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // Read as any gateway reads a request; the answer is the bench query's whatever it asks.
      Promise.resolve()
        .then(() => JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown)
        .then(() => topProducts(subgraphs))
        .then(
          (answer) => {
            const body = JSON.stringify(answer);
            res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
          },
          (err: Error) => res.writeHead(502, { 'content-type': 'text/plain' }).end(err.message),
        );
    });
  });
  stopWithParent(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all(Object.values(subgraphs).map((s) => s.close()));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
}

main().catch((err) => {
  process.stderr.write(`floor gateway: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
