import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allContracts, describeEventContracts } from '@ficus/events';
import { freePort } from '@ficus/testkit';
import { ficus as runFicus } from './cli-harness';
import { startTestRegistry, TestRegistry } from './registry-harness';

const CHECK = /* GraphQL */ `
  mutation Check($input: CheckEventContractsInput!) {
    checkEventContracts(input: $input) { passed baseline { publishedBy } changes { code severity coordinate message } }
  }
`;
const PUBLISH = /* GraphQL */ `
  mutation Publish($input: PublishEventContractsInput!) {
    publishEventContracts(input: $input) { published unchanged changes { code severity coordinate } }
  }
`;
const LATEST = /* GraphQL */ `
  query Latest($ref: String!) { variant(ref: $ref) { eventContracts { publishedBy contracts { type version } } } }
`;

/** The repository's contracts as the GraphQL input takes them, optionally edited. */
function contracts(edit: (described: ReturnType<typeof describeEventContracts>) => void = () => undefined) {
  const described = structuredClone(describeEventContracts(allContracts));
  edit(described);
  return described.map((c) => ({ type: c.type, version: c.version, schema: JSON.stringify(c.schema) }));
}

/** orders.order.placed v1 without `customerId`. */
const withoutCustomerId = (described: ReturnType<typeof describeEventContracts>) => {
  const placed = described.find((c) => c.type === 'orders.order.placed' && c.version === 1)!;
  delete (placed.schema.properties as Record<string, unknown>).customerId;
  placed.schema.required = (placed.schema.required as string[]).filter((f) => f !== 'customerId');
};

describe.each(['sqlite', 'postgres'] as const)('event contracts in the registry on %s', (kind) => {
  let t: TestRegistry;

  beforeAll(async () => {
    t = await startTestRegistry(kind, 'registry_events');
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('passes a check with nothing published yet, then publishes and keeps the publisher', async () => {
    const first = await t.gql(CHECK, { input: { ref: 'events@first', contracts: contracts() } });
    expect(first.data.checkEventContracts).toEqual({ passed: true, baseline: null, changes: [] });
    const published = await t.gql(PUBLISH, { input: { ref: 'events@first', contracts: contracts() } });
    expect(published.data.publishEventContracts).toEqual({ published: true, unchanged: false, changes: [] });
    const again = await t.gql(PUBLISH, { input: { ref: 'events@first', contracts: contracts() } });
    expect(again.data.publishEventContracts).toMatchObject({ published: true, unchanged: true });
    const latest = await t.gql(LATEST, { ref: 'events@first' });
    expect(latest.data.variant.eventContracts.publishedBy).toBe('ci-all');
    expect(latest.data.variant.eventContracts.contracts).toHaveLength(allContracts.length);
  });

  it('fails a check that removes a field of a published version, and refuses to publish it', async () => {
    await t.gql(PUBLISH, { input: { ref: 'events@removal', contracts: contracts() } });
    const check = await t.gql(CHECK, { input: { ref: 'events@removal', contracts: contracts(withoutCustomerId) } });
    expect(check.data.checkEventContracts).toMatchObject({
      passed: false,
      baseline: { publishedBy: 'ci-all' },
      changes: [{ code: 'FIELD_REMOVED', severity: 'BREAKING', coordinate: 'orders.order.placed@1 customerId' }],
    });
    const refused = await t.gql(PUBLISH, { input: { ref: 'events@removal', contracts: contracts(withoutCustomerId) } });
    expect(refused.data.publishEventContracts).toMatchObject({ published: false, unchanged: false });
    const forced = await t.gql(PUBLISH, { input: { ref: 'events@removal', contracts: contracts(withoutCustomerId), allowBreaking: true } });
    expect(forced.data.publishEventContracts).toMatchObject({ published: true });
    const after = await t.gql(CHECK, { input: { ref: 'events@removal', contracts: contracts(withoutCustomerId) } });
    expect(after.data.checkEventContracts).toMatchObject({ passed: true, changes: [] });
  });

  it('passes a new version of an event', async () => {
    await t.gql(PUBLISH, { input: { ref: 'events@versions', contracts: contracts() } });
    const v2 = contracts((described) => {
      const placed = described.find((c) => c.type === 'orders.order.placed')!;
      described.push({ ...structuredClone(placed), version: 2 });
    });
    const check = await t.gql(CHECK, { input: { ref: 'events@versions', contracts: v2 } });
    expect(check.data.checkEventContracts).toMatchObject({ passed: true, changes: [{ code: 'EVENT_VERSION_ADDED', severity: 'SAFE', coordinate: 'orders.order.placed@2' }] });
  });

  it('answers malformed contracts and missing scopes with clear error codes', async () => {
    const notJson = await t.gql(CHECK, { input: { ref: 'events@bad', contracts: [{ type: 'orders.order.placed', version: 1, schema: '{nope' }] } });
    expect(notJson.errors?.[0]).toMatchObject({ message: 'the schema of orders.order.placed@1 is not JSON', extensions: { code: 'BAD_USER_INPUT' } });
    const twice = await t.gql(CHECK, { input: { ref: 'events@bad', contracts: [...contracts(), contracts()[0]] } });
    expect(twice.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(twice.errors?.[0]?.message).toMatch(/appear twice/);
    // Written as text: JSON.stringify itself overflows the stack at this depth.
    const deep = `${'{"type":"object","properties":{"inner":'.repeat(4_000)}{"type":"string"}${'}}'.repeat(4_000)}`;
    for (const operation of [CHECK, PUBLISH]) {
      const nested = await t.gql(operation, { input: { ref: 'events@bad', contracts: [{ type: 'orders.order.placed', version: 1, schema: deep }] } });
      expect(nested.errors?.[0]).toMatchObject({ message: 'event contracts are malformed: they nest more than 100 levels deep', extensions: { code: 'BAD_USER_INPUT' } });
    }
    const readOnly = await t.gql(PUBLISH, { input: { ref: 'events@bad', contracts: contracts() } }, t.keys.check);
    expect(readOnly.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('ficus events check and publish, as processes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-events-'));
  let t: TestRegistry;

  const ficus = (args: string[]) => runFicus(args, { FICUS_REGISTRY_URL: t.registry.baseUrl, FICUS_API_KEY: t.keys.all });

  beforeAll(async () => {
    t = await startTestRegistry('sqlite', 'registry_events_cli');
  });

  afterAll(async () => {
    await t?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('publishes the repository catalog, passes it, and fails a described file that removes a field with exit 1', async () => {
    expect(await ficus(['events', 'publish', 'shop@current'])).toMatchObject({ code: 0, stdout: `Published ${allContracts.length} event contract(s) to shop@current.\n` });
    expect(await ficus(['events', 'check', 'shop@current'])).toMatchObject({ code: 0, stdout: expect.stringContaining('No changes to the event contracts.') });

    const described = await ficus(['events', 'describe']);
    const edited = JSON.parse(described.stdout) as ReturnType<typeof describeEventContracts>;
    withoutCustomerId(edited);
    const file = path.join(dir, 'contracts.json');
    fs.writeFileSync(file, JSON.stringify(edited));
    const failed = await ficus(['events', 'check', 'shop@current', '--contracts', file]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('BREAKING  FIELD_REMOVED');
    expect(failed.stderr).toBe('error: event contracts check failed: 1 breaking change(s): FIELD_REMOVED orders.order.placed@1 customerId\n');
    const refused = await ficus(['events', 'publish', 'shop@current', '--contracts', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: publish refused: 1 breaking change/);
  });

  it('exits 1 with a one-line reason for a missing file or a registry that is down', async () => {
    const missing = await ficus(['events', 'check', 'shop@current', '--contracts', path.join(dir, 'nope.json')]);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: cannot read contracts .*nope\.json: ENOENT\n$/) });
    const down = `http://127.0.0.1:${await freePort()}`;
    const { code, stderr } = await runFicus(['events', 'check', 'shop@current'], { FICUS_REGISTRY_URL: down });
    expect({ code, stderr }).toEqual({ code: 1, stderr: `error: cannot reach the registry at ${down}: ECONNREFUSED\n` });
  });
});
