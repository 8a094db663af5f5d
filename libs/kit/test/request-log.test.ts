import { Writable } from 'node:stream';
import pino from 'pino';
import { waitFor } from '@ficus/testkit';
import { GuardedSubgraph, startGuardedSubgraph } from './guarded-subgraph';

describe("a subgraph's log line per operation", () => {
  let guarded: GuardedSubgraph;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    guarded = await startGuardedSubgraph({}, pino({ base: null, level: 'info' }, sink));
  });
  afterAll(async () => {
    await guarded?.stop();
  });

  const send = async (query: string, requestId: string) => {
    const response = await fetch(new URL('/graphql', guarded.subgraph.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  };
  const logged = (requestId: string) =>
    waitFor(() => lines.find((line) => line.requestId === requestId && line.msg === 'graphql operation'), { timeoutMs: 5000 });

  it('names the error codes the client was sent, a domain error by its own code', async () => {
    const answer = await send('mutation Relabel { relabel(id: "o1") { id } }', 'log-domain-error');
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['CONFLICT']);
    expect(await logged('log-domain-error')).toMatchObject({ operationName: 'Relabel', errorCodes: ['CONFLICT'] });
  });

  it('names a validation failure by its code, and no codes for an operation that succeeded', async () => {
    await send('query Unknown { nope }', 'log-validation');
    expect(await logged('log-validation')).toMatchObject({ errorCodes: ['GRAPHQL_VALIDATION_FAILED'] });
    await send('query One { order(id: "o1") { id } }', 'log-success');
    expect(await logged('log-success')).toMatchObject({ operationName: 'One', errorCodes: [] });
  });
});
