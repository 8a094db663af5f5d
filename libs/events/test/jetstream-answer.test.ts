import { Writable } from 'node:stream';
import { startTestNatsServer, TestNatsServer, waitFor } from '@ficus/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import pino from 'pino';
import { connectNats, domainStreamConfig, ensureStream } from '../src';

/**
 * A service's start asks JetStream for its streams and consumers. A cluster that has just lost
 * a node, or one too busy, may not answer within the API timeout: the start waits and asks
 * again rather than fail (in a test stack, or a Deployment without restarts, it would stay down).
 */
describe('JetStream requests at start', () => {
  let server: TestNatsServer;

  beforeAll(async () => {
    server = await startTestNatsServer();
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('ensures a stream once JetStream answers, after requests that timed out, saying that it waits', async () => {
    const warnings: { msg: string; what?: string }[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk, _enc, done) => (warnings.push(JSON.parse(String(chunk))), done()) }));
    const nc = await connectNats({ url: server.url, name: 'jetstream-late', logger: pino({ level: 'silent' }) });
    try {
      // A short API timeout, so that requests sent while the server is away time out quickly.
      const jsm = await jetstreamManager(nc, { timeout: 500 });
      await server.stop();
      let settled = false;
      const ensuring = ensureStream(jsm, domainStreamConfig('late'), { logger }).finally(() => (settled = true));
      await waitFor(() => warnings.some((w) => w.msg === 'waiting for JetStream to answer' && w.what === 'stream LATE'), {
        timeoutMs: 10_000,
        what: 'a warning that the start waits for JetStream',
      });
      expect(settled).toBe(false);

      await server.start();
      await ensuring;
      expect((await jsm.streams.info('LATE')).config.subjects).toEqual(['late.>']);
    } finally {
      await nc.close();
    }
  });
});
