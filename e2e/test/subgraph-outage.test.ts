import { graphql, GraphQLResponse, isPortOpen, startTestNatsServer, TestNatsServer, waitFor } from '@ficus/testkit';
import { LauncherRun } from './launcher-harness';

/**
 * Consecutive failed requests that open a subgraph's circuit, and how long it stays open.
 * Smaller and longer than the defaults (5, 5 s) so that the circuit opens in the second or
 * so the launcher leaves a killed subgraph down, and stays open long enough to be seen.
 */
const breakerFailures = 2;
const halfOpenAfterMs = 3_000;

const catalogQuery = /* GraphQL */ `
  query CatalogWithStock($id: ID!) {
    products(first: 5) { totalCount edges { node { id name } } }
    product(id: $id) { name stock { available } }
  }
`;

interface Catalog {
  products: { totalCount: number; edges: { node: { id: string; name: string } }[] };
  product: { name: string; stock: { available: number } } | null;
}

type Timed = GraphQLResponse<Catalog> & { ms: number };

describe('a subgraph killed under npm start', () => {
  let nats: TestNatsServer;
  let run: LauncherRun;
  let token: string;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    run = await LauncherRun.start('ficus-outage-', nats.url, {
      SUBGRAPH_BREAKER_FAILURES: String(breakerFailures),
      SUBGRAPH_BREAKER_HALF_OPEN_AFTER_MS: String(halfOpenAfterMs),
    });
    const signIn = await graphql(run.gatewayUrl, 'mutation { signIn(email: "admin@example.com", password: "admin") { token } }');
    expect(signIn.errors).toBeUndefined();
    token = signIn.data.signIn.token;
  });

  afterAll(async () => {
    run?.dispose();
    await nats?.dispose();
  });

  const query = async (id: string): Promise<Timed> => {
    const started = performance.now();
    const res = await graphql<Catalog>(run.gatewayUrl, catalogQuery, { id }, { authorization: `Bearer ${token}` });
    return { ...res, ms: performance.now() - started };
  };

  it("opens the gateway's circuit for it, serves the rest with SUBGRAPH_UNAVAILABLE at its fields, and closes the circuit once the launcher has restarted it", async () => {
    const names = (res: GraphQLResponse<Catalog>) => res.data?.products.edges.map((e) => e.node.name);
    const listed = await graphql<Catalog>(run.gatewayUrl, '{ products(first: 5) { totalCount edges { node { id name } } } }');
    const id = listed.data!.products.edges[0]!.node.id;
    const healthy = await query(id);
    expect(healthy.errors).toBeUndefined();
    expect(healthy.data?.products.totalCount).toBe(5);
    expect(healthy.data?.product?.stock.available).toEqual(expect.any(Number));
    expect(await run.circuitState('inventory')).toBe(0);

    const oldPid = run.pidOf('inventory');
    const killedAt = performance.now();
    process.kill(oldPid, 'SIGKILL');
    await waitFor(async () => !(await isPortOpen(run.ports.inventory!)), { timeoutMs: 5_000, intervalMs: 10, what: 'the killed inventory to refuse connections' });

    // Queries as fast as one after the other: the live failures, then the circuit's answers.
    const beforeOpen: Timed[] = [];
    const firstUnavailable = await waitFor(
      async () => {
        const res = await query(id);
        if (hasCode(res, 'SUBGRAPH_UNAVAILABLE')) return res;
        beforeOpen.push(res);
        return null;
      },
      { timeoutMs: 10_000, intervalMs: 1, what: 'a response with SUBGRAPH_UNAVAILABLE' },
    );
    const openedAt = performance.now();
    expect(await run.circuitState('inventory')).toBe(2);

    // Each live failure counted once (the retry of a refused connection included), and it took exactly `breakerFailures`.
    expect(beforeOpen.map((res) => outageErrors(res, 'SUBREQUEST_HTTP_ERROR'))).toEqual(
      Array.from({ length: breakerFailures }, () => [{ path: ['product'], code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'inventory' }]),
    );
    const whileOpen = [firstUnavailable];
    for (let i = 0; i < 5; i++) whileOpen.push(await query(id));
    for (const res of [...beforeOpen, ...whileOpen]) {
      expect(res.status).toBe(200);
      expect(res.data?.products.totalCount).toBe(5);
      expect(names(res)).toEqual(names(healthy));
      expect(res.data?.product).toBeNull();
    }
    for (const res of whileOpen) {
      expect(outageErrors(res, 'SUBGRAPH_UNAVAILABLE')).toEqual([{ path: ['product'], code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'inventory' }]);
    }
    expect(await run.metric('ficus_gateway_subgraph_short_circuited_total', 'inventory')).toBeGreaterThanOrEqual(whileOpen.length);

    const scheduled = await run.waitForEvent((e) => e.launcher === 'restart-scheduled' && e.service === 'inventory', 'the restart line');
    expect(scheduled).toMatchObject({ pid: oldPid, signal: 'SIGKILL', attempt: 1, delayMs: 500 });
    expect(scheduled.line).toContain(`inventory  warn  exited unexpectedly (signal SIGKILL, pid ${oldPid}); restart 1 in 0.5 s`);
    const restarted = await run.waitForEvent((e) => e.launcher === 'restarted' && e.service === 'inventory', 'the ready-again line', 60_000);
    const readyAgainAt = performance.now();
    expect(restarted).toMatchObject({ attempt: 1 });
    expect(restarted.pid).not.toBe(oldPid);
    expect(restarted.line).toContain(`inventory  info  ready again after restart 1 (pid ${restarted.pid}`);
    // Nothing has called inventory since: the circuit is still open, and only a request can close it.
    expect(await run.circuitState('inventory')).toBe(2);

    const afterRestart: Timed[] = [];
    const recovered = await waitFor(
      async () => {
        const res = await query(id);
        afterRestart.push(res);
        return !res.errors && (await run.circuitState('inventory')) === 0 ? res : null;
      },
      { timeoutMs: halfOpenAfterMs + 10_000, intervalMs: 100, what: "inventory's circuit to close and a full response" },
    );
    const closedAt = performance.now();
    expect(recovered.data).toEqual(healthy.data);
    // Until the probe, the circuit answered for inventory; never a live failure against the restarted one.
    for (const res of afterRestart.slice(0, -1)) expect(outageErrors(res, 'SUBGRAPH_UNAVAILABLE')).toHaveLength(1);
    expect(await run.metric('ficus_gateway_subgraph_circuit_transitions_total', 'inventory', 'open')).toBe(1);
    expect(await run.metric('ficus_gateway_subgraph_circuit_transitions_total', 'inventory', 'half-open')).toBe(1);
    expect(await run.metric('ficus_gateway_subgraph_circuit_transitions_total', 'inventory', 'closed')).toBe(1);

    const ms = (value: number) => `${Math.round(value)} ms`;
    const times = whileOpen.map((res) => res.ms).sort((a, b) => a - b);
    process.stdout.write(
      [
        `inventory killed; live failures before the circuit opened: ${beforeOpen.map((res) => ms(res.ms)).join(', ')}`,
        `circuit open ${ms(openedAt - killedAt)} after the kill; responses while open ${ms(times[0]!)}–${ms(times.at(-1)!)} (median ${ms(times[Math.floor(times.length / 2)]!)})`,
        `launcher: ready again ${ms(readyAgainAt - killedAt)} after the kill (down ${restarted.downMs} ms)`,
        `circuit closed ${ms(closedAt - openedAt)} after it opened, ${ms(closedAt - readyAgainAt)} after inventory was ready again, ${afterRestart.length - 1} short-circuited responses in between`,
        '',
      ].join('\n'),
    );
  });
});

function hasCode(res: GraphQLResponse, code: string): boolean {
  return (res.errors ?? []).some((e) => e.extensions?.code === code);
}

/** A response's errors in short: where, which code, which subgraph; failing the test on any error of another code. */
function outageErrors(res: GraphQLResponse, code: string): { path: unknown; code: unknown; serviceName: unknown }[] {
  const errors = (res.errors ?? []).map((e) => ({ path: e.path, code: e.extensions?.code, serviceName: e.extensions?.serviceName }));
  expect(errors.filter((e) => e.code !== code)).toEqual([]);
  return errors;
}
