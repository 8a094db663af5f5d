import net from 'node:net';
import { waitFor } from '@ficus/testkit';
import { startTestRegistry, TestRegistry } from './registry-harness';

let t: TestRegistry;
const held: net.Socket[] = [];

beforeAll(async () => {
  t = await startTestRegistry('sqlite', 'request_bodies', { REQUEST_BODIES_MAX_BYTES: '100000' });
});

afterAll(async () => {
  for (const socket of held) socket.destroy();
  await t?.stop();
});

const publish = (sdl: string) =>
  fetch(t.registry.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.keys.all}` },
    body: JSON.stringify({
      query: 'mutation($i: PublishSubgraphInput!) { publishSubgraph(input: $i) { published } }',
      variables: { i: { ref: 'bodies@current', name: 'wide', sdl, routingUrl: 'http://127.0.0.1:4999/graphql' } },
    }),
  });
/** A subgraph SDL of about `bytes` bytes. */
const sdlOf = (bytes: number) => `type Query { ${Array.from({ length: Math.ceil(bytes / 12) }, (_, i) => `f${i}: Int`).join(' ')} }`;
const heldBytes = async () => (await (await fetch(`${t.registry.baseUrl}/metrics`)).text()).match(/^http_server_request_bodies_held_bytes\{[^}]*\} (\d+)$/m)?.[1];

describe('request bodies the registry holds at once (REQUEST_BODIES_MAX_BYTES)', () => {
  it('refuses a publish past them with 503 SERVICE_OVERLOADED, takes a small one meanwhile, and takes the large one once they are let go', async () => {
    const { hostname, port } = new URL(t.registry.url);
    const socket = net.connect(Number(port), hostname);
    socket.on('error', () => undefined);
    held.push(socket);
    socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 90000\r\n\r\n{"query":"`);
    await waitFor(async () => (await heldBytes()) === '90000', { what: 'the held body counted' });

    const refused = await publish(sdlOf(50_000));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ errors: [{ extensions: { code: 'SERVICE_OVERLOADED' } }] });

    const small = await publish(sdlOf(1_000));
    expect(await small.json()).toEqual({ data: { publishSubgraph: { published: true } } });
    expect((await fetch(`${t.registry.baseUrl}/health`)).status).toBe(200);

    socket.destroy();
    await waitFor(async () => (await heldBytes()) === '0', { what: 'the held body let go' });
    expect(await (await publish(sdlOf(50_000))).json()).toEqual({ data: { publishSubgraph: { published: true } } });
  });
});
