import { apiSchemaOf } from '../src';
import { clashingReviewsSdl } from './fixtures';
import {
  CHECK,
  contractOperation,
  coordinatesOf,
  productsWithoutSku,
  publish,
  repoSchema,
  reportUsage,
  startTestRegistry,
  TestRegistry,
} from './registry-harness';
import {
  CHECK_WORKFLOW,
  checkConfig,
  IS_FEDERATED,
  LAUNCH_STATUS,
  publishVariables,
  ROUTING_URL,
  roverCheck,
  roverRequest,
  SUBGRAPH_CHECK,
  checkVariables,
  SUBGRAPH_FETCH,
  SUBGRAPH_FETCH_ALL,
  SUBGRAPH_LIST,
  SUBGRAPH_PUBLISH,
  SUPERGRAPH_FETCH,
  VARIANT_LIST,
  WHO_AM_I,
} from './rover-protocol';

const SUPERGRAPH = /* GraphQL */ `query ($ref: String!) { variant(ref: $ref) { supergraph { id sdl } subgraphs { name routingUrl sdl } } }`;

describe.each(['sqlite', 'postgres'] as const)('rover against the registry on %s', (kind) => {
  let t: TestRegistry;
  const names = { signature: 'query Names{products{edges{node{name}}}}', operationName: 'Names', coordinates: ['Query.products', 'ProductConnection.edges', 'ProductEdge.node', 'Product.name'] };

  beforeAll(async () => {
    t = await startTestRegistry(kind, 'rover');
    await publish(t, 'shop@current', 'products', repoSchema('products'));
    await publish(t, 'shop@current', 'inventory', repoSchema('inventory'));
    const sdl = (await t.gql(SUPERGRAPH, { ref: 'shop@current' })).data.variant.supergraph.sdl;
    const operation = contractOperation('Catalog');
    const catalog = { signature: operation, operationName: 'Catalog', coordinates: coordinatesOf(operation, apiSchemaOf(sdl)) };
    expect(catalog.coordinates).toContain('Product.sku');

    await publish(t, 'shop@used', 'products', repoSchema('products'));
    await publish(t, 'shop@unused', 'products', repoSchema('products'));
    const used = await reportUsage(t, 'shop@used', [
      { ...catalog, clientName: 'storefront', clientVersion: '1.4.0', count: 120 },
      { ...names, clientName: 'admin', clientVersion: '0.9', count: 30 },
    ]);
    const unused = await reportUsage(t, 'shop@unused', [{ ...names, clientName: 'admin', clientVersion: '0.9', count: 30 }]);
    expect([used.status, unused.status]).toEqual([202, 202]);
  });

  afterAll(async () => {
    await t?.stop();
  });

  /** What `ficus subgraph check` concludes for the same proposal (the registry's own API). */
  const ficusPassed = async (ref: string, sdl: string, options: Record<string, unknown> = {}): Promise<boolean> => {
    const res = await t.gql(CHECK, { input: { ref, name: 'products', sdl, ...options } });
    expect(res.errors).toBeUndefined();
    return res.data.checkSubgraph.passed;
  };

  describe('keys', () => {
    it('answers config whoami with the key as a USER identity', async () => {
      const res = await roverRequest(t, WHO_AM_I, {});
      expect(res).toEqual({ status: 200, body: { data: { me: { __typename: 'User', id: 'ci-all', asActor: { type: 'USER' } } } } });
    });

    it('turns away a missing or unknown key as GraphOS does: HTTP 200, data null, "Invalid credentials"', async () => {
      for (const key of [null, 'ficus_not-a-key', 'user:someone:abc']) {
        for (const [query, variables] of [
          [WHO_AM_I, {}],
          [SUBGRAPH_CHECK, checkVariables('shop@current', 'products', repoSchema('products'))],
        ] as const) {
          const res = await roverRequest(t, query, variables, key);
          expect(res.status).toBe(200);
          expect(res.body).toEqual({
            data: null,
            errors: [{ message: 'Unauthorized: Invalid credentials provided', extensions: { code: 'UNAUTHENTICATED' } }],
          });
        }
      }
    });

    it('lets a check-only key through the is-federated query but answers PermissionError to a read-only key submitting a check', async () => {
      const checked = await roverCheck(t, 'shop@current', 'products', repoSchema('products'), checkConfig(), t.keys.check);
      expect(checked.federated.body.data.graph.variant.subgraphs).toEqual([{ name: 'inventory' }, { name: 'products' }]);
      expect(checked.verdict).toBe('passed');

      const res = await roverRequest(t, SUBGRAPH_CHECK, checkVariables('shop@current', 'products', repoSchema('products')), t.keys.read);
      expect(res.body.data.graph.variant.submitSubgraphCheckAsync).toEqual({
        __typename: 'PermissionError',
        message: 'the API key "ci-read" lacks the check scope',
      });
    });

    it('refuses SDL to a key without read, as a GraphQL error', async () => {
      const res = await roverRequest(t, SUBGRAPH_FETCH, { graph_ref: 'shop@current', subgraph_name: 'products' }, t.keys.check);
      expect(res.body.errors).toEqual([expect.objectContaining({ message: 'the API key "ci-check" lacks the read scope', extensions: { code: 'FORBIDDEN' } })]);
    });
  });

  describe('subgraph check', () => {
    it('passes an unchanged subgraph, as ficus does', async () => {
      const checked = await roverCheck(t, 'shop@current', 'products', repoSchema('products'));
      expect(checked.federated.body).toEqual({ data: { graph: { variant: { subgraphs: [{ name: 'inventory' }, { name: 'products' }] } } } });
      expect(checked.submitted.body.data.graph.variant.submitSubgraphCheckAsync).toEqual({
        __typename: 'CheckRequestSuccess',
        targetURL: expect.stringContaining('/graphql#checkRun=shop%40current/'),
        workflowID: expect.any(String),
      });
      expect(checked.polled!.body.errors).toBeUndefined();
      expect(checked.workflow).toEqual({
        status: 'PASSED',
        tasks: [
          { __typename: 'CompositionCheckTask', status: 'PASSED', targetURL: null, coreSchemaModified: false, result: { __typename: 'CompositionCheckResult', errors: [] } },
          {
            __typename: 'OperationsCheckTask',
            status: 'PASSED',
            targetURL: null,
            result: { __typename: 'OperationsCheckResult', checkSeverity: 'NOTICE', numberOfCheckedOperations: 0, changes: [] },
          },
        ],
      });
      expect(checked.verdict).toBe('passed');
      expect(await ficusPassed('shop@current', repoSchema('products'))).toBe(true);
    });

    it('fails on composition errors, which rover reads from the composition task, as ficus does', async () => {
      const sdl = 'type Query {\n  products: [Product!]!\n}\n';
      const checked = await roverCheck(t, 'shop@current', 'products', sdl);
      expect(checked.workflow.status).toBe('FAILED');
      expect(checked.workflow.tasks).toHaveLength(1);
      const [composition] = checked.workflow.tasks;
      expect(composition).toMatchObject({ __typename: 'CompositionCheckTask', status: 'FAILED', coreSchemaModified: false });
      expect(composition.result.errors).toContainEqual({ code: 'INVALID_GRAPHQL', message: expect.stringContaining('Product'), locations: expect.any(Array) });
      expect(checked.verdict).toBe('failed: composition');
      expect(await ficusPassed('shop@current', sdl)).toBe(false);
    });

    it('reports SDL that does not parse with its line and column', async () => {
      const checked = await roverCheck(t, 'shop@current', 'products', 'type Query {\n  products: [Product!\n');
      expect(checked.workflow.tasks[0].result.errors).toEqual([
        { code: 'INVALID_GRAPHQL', message: expect.stringContaining('Syntax Error'), locations: [{ line: 3, column: 1 }] },
      ]);
      expect(checked.verdict).toBe('failed: composition');
    });

    it('fails the removal of Product.sku while the Catalog operation uses it: a FAILURE change naming Catalog and its client', async () => {
      const checked = await roverCheck(t, 'shop@used', 'products', productsWithoutSku());
      expect(checked.workflow.status).toBe('FAILED');
      const operations = checked.workflow.tasks.find((task: { __typename: string }) => task.__typename === 'OperationsCheckTask');
      expect(operations).toMatchObject({ status: 'FAILED', result: { checkSeverity: 'FAILURE', numberOfCheckedOperations: 2 } });
      expect(operations.result.changes).toContainEqual({
        severity: 'FAILURE',
        code: 'FIELD_REMOVED',
        description: expect.stringMatching(/sku.*used by Catalog by storefront 1\.4\.0: 120 requests/),
      });
      expect(checked.workflow.tasks[0]).toMatchObject({ status: 'PASSED', coreSchemaModified: true });
      expect(checked.verdict).toBe('failed: check workflow');
      expect(await ficusPassed('shop@used', productsWithoutSku())).toBe(false);
    });

    it('passes the same removal when no operation in the window uses sku, listing it as a NOTICE', async () => {
      const checked = await roverCheck(t, 'shop@unused', 'products', productsWithoutSku());
      expect(checked.workflow.status).toBe('PASSED');
      const operations = checked.workflow.tasks.find((task: { __typename: string }) => task.__typename === 'OperationsCheckTask');
      expect(operations).toMatchObject({ status: 'PASSED', result: { checkSeverity: 'NOTICE', numberOfCheckedOperations: 1 } });
      expect(operations.result.changes).toContainEqual({ severity: 'NOTICE', code: 'FIELD_REMOVED', description: expect.stringContaining('sku') });
      expect(checked.verdict).toBe('passed');
      expect(await ficusPassed('shop@unused', productsWithoutSku())).toBe(true);
    });

    it('applies rover’s validation period and thresholds as ficus applies its options', async () => {
      const window = { from: '-604800', to: '-0' };
      const above = await roverCheck(t, 'shop@used', 'products', productsWithoutSku(), checkConfig({ ...window, queryCountThreshold: 200 }));
      expect(above.verdict).toBe('passed');
      expect(await ficusPassed('shop@used', productsWithoutSku(), { validationPeriod: '7d', queryCountThreshold: 200 })).toBe(true);

      const percent = await roverCheck(t, 'shop@used', 'products', productsWithoutSku(), checkConfig({ queryCountThresholdPercentage: 90 }));
      expect(percent.verdict).toBe('passed');
      expect(await ficusPassed('shop@used', productsWithoutSku(), { queryPercentageThreshold: 90 })).toBe(true);

      const excluded = await roverCheck(t, 'shop@used', 'products', productsWithoutSku(), checkConfig({ excludedClients: [{ name: 'storefront', version: null, referenceID: null }] }));
      expect(excluded.verdict).toBe('passed');
      expect(await ficusPassed('shop@used', productsWithoutSku(), { excludedClients: ['storefront'] })).toBe(true);

      const within = await roverCheck(t, 'shop@used', 'products', productsWithoutSku(), checkConfig({ ...window, queryCountThreshold: 100 }));
      expect(within.verdict).toBe('failed: check workflow');
      expect(await ficusPassed('shop@used', productsWithoutSku(), { validationPeriod: '7d', queryCountThreshold: 100 })).toBe(false);
    });

    it('gives a clear GraphQL error for a window that does not end now, or options it does not support', async () => {
      for (const [config, message] of [
        [checkConfig({ from: '-604800', to: '-86400' }), 'config.to must be now'],
        [checkConfig({ ignoredOperations: ['abc'] }), 'ignoredOperations is not supported'],
        [checkConfig({ from: 'yesterday' }), 'config.from "yesterday"'],
      ] as const) {
        const res = await roverRequest(t, SUBGRAPH_CHECK, checkVariables('shop@used', 'products', productsWithoutSku(), config));
        expect(res.body.errors).toEqual([expect.objectContaining({ message: expect.stringContaining(message), extensions: { code: 'BAD_USER_INPUT' } })]);
      }
    });

    it('answers no check workflow for an unknown id or another graph’s run', async () => {
      const checked = await roverCheck(t, 'shop@current', 'products', repoSchema('products'));
      const workflowId = checked.submitted.body.data.graph.variant.submitSubgraphCheckAsync.workflowID;
      for (const variables of [{ workflowId: 'no-such-run', graphId: 'shop' }, { workflowId, graphId: 'other' }]) {
        const res = await roverRequest(t, CHECK_WORKFLOW, variables);
        expect(res.body).toEqual({ data: { graph: { checkWorkflow: null } } });
      }
    });

    it('answers a variant with nothing published with no subgraphs, which rover reads as not federated', async () => {
      const res = await roverRequest(t, IS_FEDERATED, { graph_id: 'shop', variant: 'nowhere' });
      expect(res.body).toEqual({ data: { graph: { variant: null } } });
    });
  });

  describe('subgraph publish', () => {
    it('publishes a new subgraph, then nothing new for the same SDL, as ficus sees it', async () => {
      const variants = await roverRequest(t, VARIANT_LIST, { graph_id: 'shop' });
      expect(variants.body.data.graph.variants.map((v: { name: string }) => v.name)).not.toContain('rover');

      const first = await roverRequest(t, SUBGRAPH_PUBLISH, publishVariables('shop@rover', 'products', repoSchema('products'), 'http://127.0.0.1:4002/graphql'));
      const ficus = (await t.gql(SUPERGRAPH, { ref: 'shop@rover' })).data.variant;
      expect(first.body).toEqual({
        data: {
          graph: {
            publishSubgraph: {
              compositionConfig: { schemaHash: ficus.supergraph.id },
              errors: [],
              didUpdateGateway: true,
              serviceWasCreated: true,
              serviceWasUpdated: true,
              launch: null,
              launchCliCopy: null,
              launchUrl: null,
            },
          },
        },
      });
      expect(ficus.subgraphs).toEqual([{ name: 'products', routingUrl: 'http://127.0.0.1:4002/graphql', sdl: repoSchema('products') }]);

      // Without --routing-url rover reads the current one first, then publishes it.
      const url = await roverRequest(t, ROUTING_URL, { graph_ref: 'shop@rover', subgraph_name: 'products' });
      expect(url.body).toEqual({ data: { variant: { __typename: 'GraphVariant', subgraph: { url: 'http://127.0.0.1:4002/graphql' } } } });
      const again = await roverRequest(t, SUBGRAPH_PUBLISH, publishVariables('shop@rover', 'products', repoSchema('products'), null));
      expect(again.body.data.graph.publishSubgraph).toMatchObject({
        compositionConfig: { schemaHash: ficus.supergraph.id },
        errors: [],
        didUpdateGateway: false,
        serviceWasCreated: false,
        serviceWasUpdated: false,
      });

      const launch = await roverRequest(t, LAUNCH_STATUS, { graph_id: 'shop', variant: 'rover', launch_id: ficus.supergraph.id });
      expect(launch.body.data.graph.variant.launch).toEqual({
        id: ficus.supergraph.id,
        graphId: 'shop',
        graphVariant: 'rover',
        status: 'LAUNCH_COMPLETED',
        downstreamLaunches: [],
      });
    });

    it('reports a subgraph that does not compose in errors, records nothing, and the supergraph stays', async () => {
      await roverRequest(t, SUBGRAPH_PUBLISH, publishVariables('shop@clash', 'products', repoSchema('products'), 'http://127.0.0.1:4002/graphql'));
      const before = (await t.gql(SUPERGRAPH, { ref: 'shop@clash' })).data.variant;
      const res = await roverRequest(t, SUBGRAPH_PUBLISH, publishVariables('shop@clash', 'reviews', clashingReviewsSdl, 'http://127.0.0.1:4010/graphql'));
      const result = res.body.data.graph.publishSubgraph;
      expect(result).toMatchObject({ compositionConfig: null, didUpdateGateway: false, serviceWasCreated: false, serviceWasUpdated: false, launch: null });
      expect(result.errors).toContainEqual({ code: 'INVALID_FIELD_SHARING', message: expect.stringContaining('Product.name') });
      expect((await t.gql(SUPERGRAPH, { ref: 'shop@clash' })).data.variant).toEqual(before);
    });

    it('asks for a routing URL when a new subgraph comes without one, and publishes with a publish-only key but not a read-only one', async () => {
      const res = await roverRequest(t, SUBGRAPH_PUBLISH, publishVariables('shop@rover', 'reviews', clashingReviewsSdl, null));
      expect(res.body.errors).toEqual([expect.objectContaining({ message: expect.stringContaining('give its routing URL'), extensions: { code: 'BAD_USER_INPUT' } })]);
      const url = await roverRequest(t, ROUTING_URL, { graph_ref: 'shop@rover', subgraph_name: 'reviews' });
      expect(url.body).toEqual({ data: { variant: { __typename: 'GraphVariant', subgraph: null } } });

      const readOnly = await roverRequest(t, SUBGRAPH_PUBLISH, publishVariables('shop@rover', 'products', repoSchema('products'), null), t.keys.read);
      expect(readOnly.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'FORBIDDEN' } })]);
      const publishOnly = await roverRequest(t, SUBGRAPH_PUBLISH, publishVariables('shop@rover', 'products', repoSchema('products'), null), t.keys.publish);
      expect(publishOnly.body.errors).toBeUndefined();
    });
  });

  describe('fetching', () => {
    it('fetches a subgraph’s SDL and routing URL, or names the valid subgraphs', async () => {
      const res = await roverRequest(t, SUBGRAPH_FETCH, { graph_ref: 'shop@current', subgraph_name: 'products' });
      expect(res.body.data.variant).toEqual({
        __typename: 'GraphVariant',
        subgraph: { url: 'http://127.0.0.1:4999/products', activePartialSchema: { sdl: repoSchema('products') } },
        subgraphs: [{ name: 'inventory' }, { name: 'products' }],
      });
      const missing = await roverRequest(t, SUBGRAPH_FETCH, { graph_ref: 'shop@current', subgraph_name: 'nope' });
      expect(missing.body.data.variant).toMatchObject({ subgraph: null, subgraphs: [{ name: 'inventory' }, { name: 'products' }] });
    });

    it('fetches every subgraph of a variant with the composition version, for supergraph compose', async () => {
      const res = await roverRequest(t, SUBGRAPH_FETCH_ALL, { graph_ref: 'shop@current' });
      expect(res.body.data.variant).toEqual({
        __typename: 'GraphVariant',
        subgraphs: [
          { name: 'inventory', url: 'http://127.0.0.1:4999/inventory', activePartialSchema: { sdl: repoSchema('inventory') } },
          { name: 'products', url: 'http://127.0.0.1:4999/products', activePartialSchema: { sdl: repoSchema('products') } },
        ],
        latestLaunch: { buildInput: { __typename: 'CompositionBuildInput', version: '2.14.4' } },
        sourceVariant: null,
      });
    });

    it('lists subgraphs with their URLs and publication times', async () => {
      const res = await roverRequest(t, SUBGRAPH_LIST, { graph_id: 'shop', variant: 'current' });
      expect(res.body.data.frontendUrlRoot).toBe(t.registry.baseUrl);
      expect(res.body.data.graph.variant.subgraphs).toEqual([
        { name: 'inventory', url: 'http://127.0.0.1:4999/inventory', updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
        { name: 'products', url: 'http://127.0.0.1:4999/products', updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      ]);
    });

    it('fetches the supergraph ficus serves, and lists the variants for one that does not exist', async () => {
      const ficus = (await t.gql(SUPERGRAPH, { ref: 'shop@current' })).data.variant.supergraph;
      const res = await roverRequest(t, SUPERGRAPH_FETCH, { graph_id: 'shop', variant: 'current' });
      expect(res.body.data.graph.variant.latestApprovedLaunch.build.result).toEqual({ __typename: 'BuildSuccess', coreSchema: { coreDocument: ficus.sdl } });
      const missing = await roverRequest(t, SUPERGRAPH_FETCH, { graph_id: 'shop', variant: 'nowhere' });
      expect(missing.body.data.graph.variant).toBeNull();
      expect(missing.body.data.graph.variants).toEqual(expect.arrayContaining([{ name: 'current' }, { name: 'used' }]));
    });

    it('answers a malformed graph ref with InvalidRefFormat and an unknown variant with null', async () => {
      const bad = await roverRequest(t, SUBGRAPH_FETCH, { graph_ref: 'shop@current@x', subgraph_name: 'products' });
      expect(bad.body.data.variant).toEqual({ __typename: 'InvalidRefFormat' });
      const unknown = await roverRequest(t, SUBGRAPH_FETCH_ALL, { graph_ref: 'other@current' });
      expect(unknown.body).toEqual({ data: { variant: null } });
    });
  });

  it('answers what it does not support with a GraphQL error that says so', async () => {
    const res = await roverRequest(t, `query GraphProposals($id: ID!) { graph(id: $id) { proposals { totalCount } } }`, { id: 'shop' });
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('Cannot query field "proposals" on type "Graph". This registry answers only the part of Apollo’s Platform API'),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
    ]);
  });
});
