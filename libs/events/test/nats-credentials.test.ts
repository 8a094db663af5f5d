import { startTestNatsServer, TestNatsServer } from '@ficus/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { nkeys } from '@nats-io/transport-node';
import pino from 'pino';
import { connectNats, domainStreamConfig, ensureStream, NatsAccess } from '../src';

const logger = pino({ level: 'silent' });
const seed = nkeys.createUser();
const publicKey = seed.getPublicKey();

const withPassword = (user: string, password: string): NatsAccess => ({ credentials: { kind: 'password', user, password }, tls: null });

describe('connecting to a NATS that requires credentials', () => {
  let server: TestNatsServer;

  beforeAll(async () => {
    server = await startTestNatsServer({
      config: `authorization { users = [ { user: "orders", password: "s3cret-pass" }, { nkey: "${publicKey}" } ] }\n`,
    });
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('connects with NATS_USER and NATS_PASSWORD and uses JetStream', async () => {
    const nc = await connectNats({ url: server.url, access: withPassword('orders', 's3cret-pass'), name: 'creds-ok', logger });
    try {
      await ensureStream(await jetstreamManager(nc), domainStreamConfig('creds'));
      expect((await (await jetstreamManager(nc)).streams.info('CREDS')).config.subjects).toEqual(['creds.>']);
    } finally {
      await nc.close();
    }
  });

  it('connects with user:password written in the URL', async () => {
    const url = server.url.replace('nats://', 'nats://orders:s3cret-pass@');
    const nc = await connectNats({ url, name: 'creds-in-url', logger });
    await nc.flush();
    await nc.close();
  });

  it('connects as an nkey user from its seed', async () => {
    const access: NatsAccess = { credentials: { kind: 'nkey', seed: new TextDecoder().decode(seed.getSeed()) }, tls: null };
    const nc = await connectNats({ url: server.url, access, name: 'creds-nkey', logger });
    await nc.flush();
    await nc.close();
  });

  it('fails at once with a clear error on a wrong password, without the password in it', async () => {
    const attempt = connectNats({ url: server.url, access: withPassword('orders', 'wrong-pass'), name: 'creds-bad', logger });
    await expect(attempt).rejects.toThrow(/cannot connect to NATS at nats:\/\/127\.0\.0\.1:\d+: NATS refused the credentials .*NATS_USER\/NATS_PASSWORD/);
    await expect(attempt).rejects.not.toThrow(/wrong-pass/);
  });

  it('fails with a clear error when no credentials are given', async () => {
    await expect(connectNats({ url: server.url, name: 'creds-none', logger })).rejects.toThrow(/NATS refused the credentials/);
  });
});
