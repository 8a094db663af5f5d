import { randomUUID } from 'node:crypto';
import { createLogger, openDatabase } from '@ficus/kit';
import { createTestDatabase } from '@ficus/testkit';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { entities } from '../src/db/entities';
import { migrations } from '../src/db/migrations';
import { signatureHashOf } from '../src/domain/usage-store';
import { CHECK, productsWithoutSku, publish, repoSchema, reportUsage, startTestRegistry, TestRegistry } from './registry-harness';

const readsSku = ['Query.products', 'ProductConnection.edges', 'ProductEdge.node', 'Product.sku'];
const readsName = ['Query.products', 'ProductConnection.edges', 'ProductEdge.node', 'Product.name'];

const operation = (name: string, coordinates: string[], clientName: string, clientVersion: string, count: number) => ({
  signature: `query ${name}{products{edges{node{${coordinates.at(-1)!.split('.')[1]}}}}}`,
  operationName: name,
  clientName,
  clientVersion,
  coordinates,
  count,
});

interface Affected {
  name: string;
  count: number;
  clients: { name: string; version: string; count: number }[];
}

/** A check of Product.sku's removal: whether it passed, the window's requests, and the operations named as using sku. */
async function skuRemovalCheck(t: TestRegistry, ref: string, options: Record<string, unknown> = {}) {
  const res = await t.gql(CHECK, { input: { ref, name: 'products', sdl: productsWithoutSku(), ...options } });
  expect(res.errors).toBeUndefined();
  const check = res.data.checkSubgraph;
  const removal = check.changes.find((c: { coordinate: string }) => c.coordinate === 'Product.sku');
  return {
    passed: check.passed as boolean,
    totalRequests: check.usage.totalRequests as number,
    blocking: removal.blocking as boolean,
    affected: removal.affectedOperations as Affected[],
  };
}

async function reportAccepted(t: TestRegistry, ref: string, operations: ReturnType<typeof operation>[], at?: Date) {
  const response = await reportUsage(t, ref, operations, at);
  expect([response.status, await response.json()]).toEqual([202, { accepted: operations.length }]);
}

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);

describe.each(['sqlite', 'postgres'] as const)('usage stored per operation, coordinate and hour, on %s', (kind) => {
  let t: TestRegistry;

  beforeAll(async () => {
    t = await startTestRegistry(kind, `reg_usage_aggregation_${kind}`);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('adds up requests per operation and client exactly across many batches', async () => {
    const ref = 'shop@many';
    await publish(t, ref, 'products', repoSchema('products'));
    const batches = 40;
    for (let i = 0; i < batches; i++) {
      await reportAccepted(t, ref, [
        operation('Catalog', readsSku, 'web', '1.0', 1),
        operation('Catalog', readsSku, 'ios', '2.0', 2),
        operation('Names', readsName, 'web', '1.0', 3),
        operation(`Once${i}`, readsSku, 'android', '3.0', i + 1),
      ]);
    }
    const check = await skuRemovalCheck(t, ref);
    expect(check).toMatchObject({ passed: false, blocking: true, totalRequests: batches * 6 + (batches * (batches + 1)) / 2 });
    expect(check.affected[0]).toEqual({
      name: 'Catalog',
      count: batches * 3,
      clients: [
        { name: 'ios', version: '2.0', count: batches * 2 },
        { name: 'web', version: '1.0', count: batches },
      ],
    });
    const once = new Map(check.affected.filter((op) => op.name.startsWith('Once')).map((op) => [op.name, op.count]));
    expect(once.size).toBe(batches);
    for (let i = 0; i < batches; i++) expect([`Once${i}`, once.get(`Once${i}`)]).toEqual([`Once${i}`, i + 1]);
    expect(check.affected.map((op) => op.name)).not.toContain('Names');
  });

  it('takes what an operation touches and its name from its newest report, and keeps counting it as one operation', async () => {
    const ref = 'shop@changed';
    await publish(t, ref, 'products', repoSchema('products'));
    const signature = operation('Catalog', readsName, 'web', '1.0', 4).signature;
    await reportAccepted(t, ref, [operation('Catalog', readsName, 'web', '1.0', 4)]);
    expect((await skuRemovalCheck(t, ref)).affected).toEqual([]);

    // The same signature (its hash the same), now reported as reading sku, under another name.
    await reportAccepted(t, ref, [{ ...operation('Listing', readsSku, 'web', '1.0', 6), signature }]);
    const check = await skuRemovalCheck(t, ref);
    expect([check.totalRequests, check.affected]).toEqual([10, [{ name: 'Listing', count: 10, clients: [{ name: 'web', version: '1.0', count: 10 }] }]]);
  });

  it('counts only the hours the validation period reaches', async () => {
    const ref = 'shop@window';
    await publish(t, ref, 'products', repoSchema('products'));
    await reportAccepted(t, ref, [operation('Old', readsSku, 'web', '1.0', 7)], hoursAgo(5));
    await reportAccepted(t, ref, [operation('Recent', readsSku, 'web', '1.0', 3)], new Date());

    const twoHours = await skuRemovalCheck(t, ref, { validationPeriod: '2h' });
    expect([twoHours.totalRequests, twoHours.affected.map((op) => [op.name, op.count])]).toEqual([3, [['Recent', 3]]]);
    const sixHours = await skuRemovalCheck(t, ref, { validationPeriod: '6h' });
    expect([sixHours.totalRequests, sixHours.affected.map((op) => [op.name, op.count])]).toEqual([10, [['Old', 7], ['Recent', 3]]]);
  });

  it('leaves excluded clients and operations out while the percentage threshold still weighs every request', async () => {
    const ref = 'shop@policy';
    await publish(t, ref, 'products', repoSchema('products'));
    await reportAccepted(t, ref, [
      operation('Catalog', readsSku, 'web', '1.0', 30),
      operation('Catalog', readsSku, 'ios', '2.0', 10),
      operation('Admin', readsSku, 'internal', '1.0', 50),
      operation('Names', readsName, 'web', '1.0', 10),
    ]);
    const withoutInternal = await skuRemovalCheck(t, ref, { excludedClients: ['internal'], queryPercentageThreshold: 35 });
    expect(withoutInternal).toMatchObject({ totalRequests: 100, blocking: true });
    expect(withoutInternal.affected).toEqual([
      { name: 'Catalog', count: 40, clients: [{ name: 'web', version: '1.0', count: 30 }, { name: 'ios', version: '2.0', count: 10 }] },
    ]);
    // 40 requests of 100 fall short of 45%: the percentage is of every request, excluded ones too.
    expect(await skuRemovalCheck(t, ref, { excludedClients: ['internal'], queryPercentageThreshold: 45 })).toMatchObject({ blocking: false, affected: [] });

    const withoutWeb1 = await skuRemovalCheck(t, ref, { excludedClients: ['web@1.0'] });
    expect(withoutWeb1.affected.map((op) => [op.name, op.count, op.clients.map((c) => c.name)])).toEqual([
      ['Admin', 50, ['internal']],
      ['Catalog', 10, ['ios']],
    ]);
    expect(await skuRemovalCheck(t, ref, { excludedOperationNames: ['Admin', 'Catalog'] })).toMatchObject({ passed: true, blocking: false, affected: [] });
  });

  it('accepts a batch of 10,000 operations near the body limit and counts every one', async () => {
    const ref = 'shop@large';
    await publish(t, ref, 'products', repoSchema('products'));
    const filler = 'x'.repeat(700);
    const operations = Array.from({ length: 10_000 }, (_, i) => ({
      ...operation(`Large${i}`, readsSku, `client${i % 7}`, '1.0', 1 + (i % 3)),
      signature: `query Large${i}{products{edges{node{sku}}}} # ${filler}`,
    }));
    expect(JSON.stringify(operations).length).toBeGreaterThan(8_000_000);
    await reportAccepted(t, ref, operations);
    const check = await skuRemovalCheck(t, ref);
    expect(check.totalRequests).toBe(operations.reduce((sum, op) => sum + op.count, 0));
    expect(check.affected).toHaveLength(10_000);
    expect(check.affected.find((op) => op.name === 'Large9999')).toEqual({ name: 'Large9999', count: 1, clients: [{ name: 'client3', version: '1.0', count: 1 }] });
  });

  it('takes many reports sent at once, more than are stored together, and counts every one', async () => {
    const ref = 'shop@concurrent';
    await publish(t, ref, 'products', repoSchema('products'));
    const senders = 24;
    const responses = await Promise.all(
      Array.from({ length: senders }, (_, i) => reportUsage(t, ref, [operation('Catalog', readsSku, `gateway${i}`, '1.0', i + 1), operation(`Own${i}`, readsSku, 'web', '1.0', 1)])),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(senders).fill(202));
    const check = await skuRemovalCheck(t, ref);
    expect(check.totalRequests).toBe((senders * (senders + 1)) / 2 + senders);
    expect(check.affected[0]).toMatchObject({ name: 'Catalog', count: (senders * (senders + 1)) / 2 });
    expect(check.affected[0]!.clients).toHaveLength(senders);
    expect(check.affected.filter((op) => op.name.startsWith('Own'))).toHaveLength(senders);
  });

  it('stores a lone UTF-16 surrogate in a report as U+FFFD, as a database driver encodes it', async () => {
    const ref = 'shop@surrogate';
    await publish(t, ref, 'products', repoSchema('products'));
    const lone = { ...operation('Lone', readsSku, 'web\ud800', '1.0\udc00', 5), signature: 'query Lone{products{edges{node{sku}}}} # \ud83d' };
    await reportAccepted(t, ref, [lone, { ...lone, clientName: 'web\ufffd' }]);
    const check = await skuRemovalCheck(t, ref);
    expect(check.affected).toEqual([{ name: 'Lone', count: 10, clients: [{ name: 'web\ufffd', version: '1.0\ufffd', count: 10 }] }]);
  });

  it.each([
    ['signature', { signature: 'query Nul{products{edges{node{sku}}}}\u0000' }],
    ['clientName', { clientName: 'web\u0000' }],
    ['operationName', { operationName: 'N\u0000ul' }],
  ])('refuses a report with a NUL character in a %s with a 400 naming where it is, and stores none of it', async (field, nul) => {
    const ref = `shop@nul${field}`;
    await publish(t, ref, 'products', repoSchema('products'));
    const response = await reportUsage(t, ref, [operation('Fine', readsSku, 'web', '1.0', 5), { ...operation('Nul', readsSku, 'web', '1.0', 5), ...nul }]);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0]!.message).toBe(`operations[1].${field} contains a NUL character (\\u0000), which usage may not hold`);
    expect((await skuRemovalCheck(t, ref)).totalRequests).toBe(0);
  });
});

/** Releases whose usage tables later migrations convert: before 0005 (coordinates by operation) and before 0006 (numbered operations). */
const releases = [
  { kind: 'sqlite', before: '0005', migrationCount: 4 },
  { kind: 'postgres', before: '0005', migrationCount: 4 },
  { kind: 'sqlite', before: '0006', migrationCount: 5 },
  { kind: 'postgres', before: '0006', migrationCount: 5 },
] as const;

describe.each(releases)('usage stored by the release before $before, on $kind', ({ kind, before, migrationCount }) => {
  let t: TestRegistry | undefined;

  afterAll(async () => {
    await t?.stop();
  });

  it('is converted by the migrations, so a check sees it and new reports add to it', async () => {
    const label = `reg_usage_upgrade_${before}_${kind}`;
    const db = await createTestDatabase(kind, label);
    // The schema as that release left it, with usage in its rows.
    const old = await openDatabase({ target: db.target, entities, migrations: migrations.slice(0, migrationCount), logger: createLogger('test', 'silent'), outboxAndInbox: false });
    const knex = (old.em as SqlEntityManager).getKnex();
    const variantId = randomUUID();
    await knex('variants').insert({ id: variantId, graph: 'shop', name: 'old', latest_supergraph_id: null, check_settings: '{}', created_at: new Date() });
    const hour = Math.floor(Date.now() / 3_600_000);
    const stored = [operation('Catalog', readsSku, 'web', '1.0', 0), operation('Names', readsName, 'web', '1.0', 0)];
    await knex('usage_operations').insert(
      stored.map((op) => ({
        variant_id: variantId,
        signature_hash: signatureHashOf(op.signature),
        operation_name: op.operationName,
        signature: op.signature,
        coordinates: JSON.stringify([...op.coordinates].sort()),
      })),
    );
    if (before === '0006') {
      await knex('usage_operation_coordinates').insert(
        stored.map((op) => ({ variant_id: variantId, signature_hash: signatureHashOf(op.signature), coordinates: JSON.stringify([...op.coordinates].sort()) })),
      );
    }
    const counts = [
      [stored[0]!, 'web', '1.0', hour, 12],
      [stored[0]!, 'ios', '2.0', hour - 1, 8],
      [stored[0]!, 'web', '1.0', hour - 24 * 30, 1_000],
      [stored[1]!, 'web', '1.0', hour, 5],
    ] as const;
    await knex('usage_counts').insert(
      counts.map(([op, client, version, bucket, count]) => ({
        variant_id: variantId,
        signature_hash: signatureHashOf(op.signature),
        client_name: client,
        client_version: version,
        bucket_hour: bucket,
        count,
      })),
    );
    await old.close();

    t = await startTestRegistry(kind, label, {}, db);
    await publish(t, 'shop@old', 'products', repoSchema('products'));
    const converted = await skuRemovalCheck(t, 'shop@old', { validationPeriod: '7d' });
    expect(converted).toMatchObject({ blocking: true, totalRequests: 25 });
    expect(converted.affected).toEqual([
      { name: 'Catalog', count: 20, clients: [{ name: 'web', version: '1.0', count: 12 }, { name: 'ios', version: '2.0', count: 8 }] },
    ]);

    await reportAccepted(t, 'shop@old', [operation('Catalog', readsSku, 'web', '1.0', 3)]);
    const added = await skuRemovalCheck(t, 'shop@old', { validationPeriod: '7d' });
    expect([added.totalRequests, added.affected[0]!.count, added.affected[0]!.clients[0]]).toEqual([28, 23, { name: 'web', version: '1.0', count: 15 }]);
  });
});
