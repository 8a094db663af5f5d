import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generateFederatedGraph, generateUsage, inBatches, SubgraphChange } from '@ficus/testkit';
import { parse, validate } from 'graphql';
import { apiSchemaOf, composeSubgraphs } from '../src';
import { coordinatesOf, reportUsage, startTestRegistry, TestRegistry } from './registry-harness';

/**
 * Pins what checks answer on a generated graph (6 subgraphs, 300 types, 2,000 operations): the
 * changes, their severities and whether they block, the affected operations and clients, the
 * composition errors, and the hints of publishing. Work that makes publishing, usage or checks
 * faster must keep these answers identical. The fixture was recorded from the registry before
 * that work; `UPDATE_CHECK_PIN=1` records it again (from SQLite), for a deliberate change of answers.
 */
const fixture = path.join(__dirname, 'pins/check-results.json');
const ref = 'pin@current';

const graph = generateFederatedGraph({ subgraphs: 6, typesPerSubgraph: 50, seed: 16 });
const usage = generateUsage(graph, { operations: 2_000 });
// A retype composition refuses, so that the pin covers composition errors too.
const incompatible: SubgraphChange = { ...graph.changes.retype, sdl: graph.changes.retype.sdl.replace('name: String @shareable', 'name: Int @shareable') };
const checks: Record<string, SubgraphChange> = { ...graph.changes, incompatibleRetype: incompatible };

const digest = createHash('sha256')
  .update(JSON.stringify([graph.subgraphs, Object.values(checks).map((c) => c.sdl), usage.lines]))
  .digest('hex');

const PUBLISH = /* GraphQL */ `
  mutation Publish($input: PublishSubgraphInput!) {
    publishSubgraph(input: $input) { published hints { code message locations { subgraph line column } } compositionErrors { code message } }
  }
`;

const CHECK = /* GraphQL */ `
  mutation Check($input: CheckSubgraphInput!) {
    checkSubgraph(input: $input) {
      graphRef subgraph passed
      compositionErrors { code message locations { subgraph line column } }
      changes { code severity coordinate message blocking affectedOperations { signatureHash name count clients { name version count } } }
      usage { totalRequests validationPeriod queryCountThreshold queryPercentageThreshold excludedClients excludedOperationNames }
    }
  }
`;

interface AffectedOperation {
  signatureHash: string;
  name: string | null;
  count: number;
  clients: { name: string; version: string; count: number }[];
}

/** Operations (and clients) of equal counts come in no defined order: a canonical one, ties broken by name. */
function canonical(report: { changes: { affectedOperations: AffectedOperation[] }[] }) {
  const byCount = <T extends { count: number }>(key: (item: T) => string) => (a: T, b: T) => b.count - a.count || key(a).localeCompare(key(b));
  return {
    ...report,
    changes: report.changes.map((change) => ({
      ...change,
      affectedOperations: change.affectedOperations
        .map((op) => ({ ...op, clients: [...op.clients].sort(byCount((c) => `${c.name}@${c.version}`)) }))
        .sort(byCount((op) => op.signatureHash)),
    })),
  };
}

describe.each(['sqlite', 'postgres'] as const)('check results on a generated graph, on %s', (kind) => {
  let t: TestRegistry;
  const publishHints: Record<string, { code: string; message: string }[]> = {};

  beforeAll(async () => {
    t = await startTestRegistry(kind, 'reg_bench_pin');
    for (const subgraph of graph.subgraphs) {
      const res = await t.gql(PUBLISH, { input: { ref, name: subgraph.name, sdl: subgraph.sdl, routingUrl: subgraph.routingUrl } });
      if (!res.data?.publishSubgraph.published) throw new Error(`publishing ${subgraph.name} failed: ${JSON.stringify(res)}`);
      publishHints[subgraph.name] = res.data.publishSubgraph.hints;
    }
    const at = new Date(Date.now() - 10 * 60_000);
    for (const batch of inBatches(usage.lines, 500)) {
      const sent = await reportUsage(t, ref, batch, at);
      if (sent.status !== 202) throw new Error(`usage refused: ${sent.status} ${await sent.text()}`);
    }
  }, 120_000);

  afterAll(async () => {
    await t?.stop();
  });

  it('answers the additive, removal and retype checks, and a retype that does not compose, as the registry did when the pin was recorded', async () => {
    const results: Record<string, unknown> = {};
    for (const [name, change] of Object.entries(checks)) {
      const res = await t.gql(CHECK, { input: { ref, name: change.subgraph, sdl: change.sdl } });
      expect(res.errors).toBeUndefined();
      results[name] = canonical(res.data.checkSubgraph);
    }
    const answers = { graphDigest: digest, publishHints, checks: results };
    if (process.env.UPDATE_CHECK_PIN === '1' && kind === 'sqlite') {
      fs.writeFileSync(fixture, `${JSON.stringify(answers, null, 2)}\n`);
    }
    const pinned = JSON.parse(fs.readFileSync(fixture, 'utf8'));
    // A different digest means the generator changed, not the registry: record the pin again from the registry before the change.
    expect(answers.graphDigest).toBe(pinned.graphDigest);
    expect(answers).toEqual(pinned);
  }, 120_000);
});

describe('the generated graph and operations the pin runs on', () => {
  it('composes, and its operations are valid on the composed API and report the coordinates a gateway would', () => {
    const composed = composeSubgraphs(graph.subgraphs.map((s) => ({ ...s, origin: s.name })));
    if (!composed.ok) throw new Error(`the generated graph does not compose: ${JSON.stringify(composed.errors)}`);
    const api = apiSchemaOf(composed.supergraphSdl);
    for (const operation of usage.operations) {
      expect({ name: operation.name, errors: validate(api, parse(operation.document)).map((e) => e.message) }).toEqual({ name: operation.name, errors: [] });
      expect(operation.coordinates).toEqual(coordinatesOf(operation.document, api));
    }
  });
});
