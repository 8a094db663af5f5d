import { Writable } from 'node:stream';
import { startTestNatsServer, TestNatsServer, waitFor } from '@ficus/testkit';
import pino from 'pino';
import { connectNats } from '../src';

describe('connecting to NATS', () => {
  let server: TestNatsServer;

  beforeAll(async () => {
    server = await startTestNatsServer();
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('waits for a NATS that is not up yet, saying so, and connects once it is', async () => {
    await server.stop();
    const warnings: { msg: string }[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk, _enc, done) => (warnings.push(JSON.parse(String(chunk))), done()) }));
    let settled = false;
    const connecting = connectNats({ url: server.url, name: 'late-nats', logger }).finally(() => (settled = true));
    await waitFor(() => warnings.some((w) => w.msg === 'waiting for nats'), { timeoutMs: 10_000, what: 'a warning that the service waits for NATS' });
    expect(settled).toBe(false);

    await server.start();
    const nc = await connecting;
    await nc.flush();
    await nc.close();
  });
});
