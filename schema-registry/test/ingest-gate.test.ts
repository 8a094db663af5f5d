import type { AddressInfo } from 'node:net';
import express from 'express';
import { waitFor } from '@ficus/testkit';
import { IngestGate } from '../src/http/ingest-gate';

/** An app whose one route holds each request until `finish` is called, behind a gate of `slots`. */
async function heldRoute(slots: number) {
  const app = express();
  const held: (() => void)[] = [];
  let entered = 0;
  let arrived = 0;
  app.use((_req, _res, next) => {
    arrived += 1;
    next();
  });
  app.post('/r', new IngestGate(slots).middleware, (_req, res) => {
    entered += 1;
    held.push(() => res.status(202).end());
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/r`;
  return {
    post: (signal?: AbortSignal) => fetch(url, { method: 'POST', signal }).then((r) => r.status, () => 'aborted'),
    entered: () => entered,
    arrived: () => arrived,
    finishFirst: () => held.shift()!(),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe('the usage ingest gate', () => {
  it('lets only as many reports in as it has slots, the next one in as one finishes', async () => {
    const route = await heldRoute(2);
    const answers = [route.post(), route.post(), route.post()];
    await waitFor(() => route.arrived() === 3 && route.entered() === 2, { timeoutMs: 5_000, what: 'three reports to arrive and two to enter' });
    expect(route.entered()).toBe(2);
    route.finishFirst();
    await waitFor(() => route.entered() === 3, { timeoutMs: 5_000, what: 'the third report to enter' });
    route.finishFirst();
    route.finishFirst();
    expect(await Promise.all(answers)).toEqual([202, 202, 202]);
    await route.close();
  });

  it('gives the slot of a caller that hung up to the next report', async () => {
    const route = await heldRoute(1);
    const hangUp = new AbortController();
    const first = route.post(hangUp.signal);
    await waitFor(() => route.entered() === 1, { timeoutMs: 5_000, what: 'the first report to enter' });
    const second = route.post();
    hangUp.abort();
    expect(await first).toBe('aborted');
    await waitFor(() => route.entered() === 2, { timeoutMs: 5_000, what: 'the second report to enter' });
    route.finishFirst();
    route.finishFirst();
    expect(await second).toBe(202);
    await route.close();
  });
});
