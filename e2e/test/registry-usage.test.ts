import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { graphql, waitFor } from '@ficus/testkit';
import { contractOperations } from '../src/operations';
import { repoRoot } from '../src/repo';
import { startTestStack, TestStack } from './stack-harness';

const productsSdl = () => fs.readFileSync(path.join(repoRoot(), 'subgraphs/products/schema.graphql'), 'utf8');
/** The products SDL without `Product.sku` (the input field of the same name stays). */
const productsWithoutSku = () =>
  productsSdl().replace(/^type Product @key\(fields: "id"\) \{\n  id: ID!\n  sku: String!\n/m, 'type Product @key(fields: "id") {\n  id: ID!\n');

describe('the gateway and the schema registry of the launched stack', () => {
  let t: TestStack;
  let scratch: string;

  beforeAll(async () => {
    t = await startTestStack('registry', { USAGE_REPORT_INTERVAL_MS: '500' });
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-registry-e2e-'));
  });

  afterAll(async () => {
    await t?.dispose();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  const registryGql = async (query: string, variables: Record<string, unknown>) => {
    const response = await fetch(`${t.stack.registry.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.stack.registry.apiKey}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: any; errors?: unknown[] };
  };

  it('reports the Catalog operations a storefront sent, so a check removing Product.sku fails naming them and the client', async () => {
    const catalog = contractOperations().get('Catalog')!;
    const client = { 'apollographql-client-name': 'storefront', 'apollographql-client-version': '1.4.0' };
    for (let i = 0; i < 4; i += 1) {
      const res = await graphql(t.stack.gatewayUrl, catalog, { first: 5 }, client);
      expect(res.errors).toBeUndefined();
    }

    // The gateway sends usage every 500 ms here; wait until a check sees all four.
    await waitFor(
      async () => {
        const res = await registryGql(
          `mutation($input: CheckSubgraphInput!) {
            checkSubgraph(input: $input) { changes { coordinate affectedOperations { name count clients { name version count } } } }
          }`,
          { input: { ref: t.stack.registry.graphRef, name: 'products', sdl: productsWithoutSku() } },
        );
        const sku = res.data?.checkSubgraph.changes.find((c: { coordinate: string }) => c.coordinate === 'Product.sku');
        const operation = sku?.affectedOperations.find((o: { name: string }) => o.name === 'Catalog');
        return operation?.count === 4 && operation.clients[0]?.name === 'storefront';
      },
      { timeoutMs: 15_000, what: 'the Catalog usage to reach the registry' },
    );

    const schema = path.join(scratch, 'products-without-sku.graphql');
    fs.writeFileSync(schema, productsWithoutSku());
    const cli = path.join(repoRoot(), 'schema-registry/dist/src/cli.js');
    const check = await promisify(execFile)(process.execPath, [cli, 'subgraph', 'check', t.stack.registry.graphRef, '--name', 'products', '--schema', schema], {
      env: { ...process.env, FICUS_REGISTRY_URL: t.stack.registry.url, FICUS_API_KEY: t.stack.registry.apiKey },
    }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (err: { code: number; stdout: string; stderr: string }) => err,
    );

    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/error: check failed: .*Product\.sku \(used by Catalog by storefront 1\.4\.0\)/);
  });

  it('serves a field published to the registry within a second of the publish answer', async () => {
    const withColour = productsSdl().replace(/^type Product @key\(fields: "id"\) \{\n/m, '$&  "Published by the test: nothing resolves it."\n  colour: String\n');
    const publish = await registryGql(
      'mutation($input: PublishSubgraphInput!) { publishSubgraph(input: $input) { published } }',
      { input: { ref: t.stack.registry.graphRef, name: 'products', sdl: withColour, routingUrl: t.stack.urls.products } },
    );
    expect(publish.data?.publishSubgraph.published).toBe(true);
    const published = performance.now();

    await waitFor(
      async () => {
        const res = await graphql(t.stack.gatewayUrl, '{ __type(name: "Product") { fields { name } } }');
        return res.data?.__type.fields.some((f: { name: string }) => f.name === 'colour');
      },
      { timeoutMs: 1_000, intervalMs: 10, what: 'the gateway to serve Product.colour' },
    );
    process.stdout.write(`npm start stack: publish to served in ${(performance.now() - published).toFixed(0)} ms\n`);

    const catalog = await t.send('Catalog', { first: 5 });
    expect(catalog.errors).toBeUndefined();
  });
});
