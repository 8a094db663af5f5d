import { graphql } from '@ficus/testkit';
import { percentiles } from './measure';
import { storefrontOperations } from './storefront-operations';

/** Latency of the storefront's reads through one gateway, `concurrency` in flight, and how many were sent. */
export interface StorefrontLatency {
  requests: number;
  failed: number;
  firstFailure: string | null;
  latencyMs: Record<string, ReturnType<typeof percentiles>>;
}

/**
 * Sends the storefront operations of contract/operations (Catalog, and MyOrders as the signed-in
 * shopper) in turn, `requests` in all, `concurrency` at a time, timing each from the client.
 */
export async function storefrontLatency(url: string, shopperToken: string, options: { requests: number; concurrency: number }): Promise<StorefrontLatency> {
  const operations = storefrontOperations();
  const samples = new Map<string, number[]>(operations.map((op) => [op.name, []]));
  let next = 0;
  let failed = 0;
  let firstFailure: string | null = null;
  const worker = async () => {
    while (next < options.requests) {
      const operation = operations[next % operations.length]!;
      next += 1;
      const started = performance.now();
      const res = await graphql(url, operation.query, operation.variables, operation.signedIn ? { authorization: `Bearer ${shopperToken}` } : {}).catch(
        (err: Error) => ({ errors: [{ message: String(err.cause ?? err) }] }),
      );
      const ms = performance.now() - started;
      if (res.errors?.length) {
        failed += 1;
        firstFailure ??= res.errors[0]!.message;
      } else samples.get(operation.name)!.push(ms);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const rounded = (n: number) => Number(n.toFixed(1));
  return {
    requests: next,
    failed,
    firstFailure,
    latencyMs: Object.fromEntries(
      [...samples].map(([name, ms]) => {
        const p = percentiles(ms.sort((a, b) => a - b));
        return [name, { min: rounded(p.min), p50: rounded(p.p50), p90: rounded(p.p90), p99: rounded(p.p99), max: rounded(p.max) }];
      }),
    ),
  };
}
