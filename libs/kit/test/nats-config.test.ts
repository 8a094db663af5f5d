import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import { natsConnectionOptions } from '@ficus/events';
import { ConfigError, readSubgraphConfig } from '../src';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-nats-config-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const target = path.join(dir, name);
  fs.writeFileSync(target, text);
  return target;
}

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    readSubgraphConfig('orders', 4004, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

const seed = new TextDecoder().decode(nkeys.createUser().getSeed());
const creds = `-----BEGIN NATS USER JWT-----\neyJhbGciOi.fake.jwt\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`;

describe('NATS configuration', () => {
  it('takes a comma-separated list of cluster URLs and hands the client each server', () => {
    const config = readSubgraphConfig('orders', 4004, { NATS_URL: 'nats://n1:4222, nats://n2:4222,tls://n3:4222' });
    const options = natsConnectionOptions(config.natsUrl, config.natsAccess!, 'orders');
    expect(options.servers).toEqual(['nats://n1:4222', 'nats://n2:4222', 'tls://n3:4222']);
    expect(options.maxReconnectAttempts).toBe(-1);
    expect(config.natsAccess).toEqual({ credentials: { kind: 'none' }, tls: null, streamReplicas: 1 });
  });

  it('passes user:password from the URL as options, since the client ignores them in a server URL', () => {
    const config = readSubgraphConfig('orders', 4004, { NATS_URL: 'nats://svc:p%40ss@n1:4222,nats://n2:4222' });
    const options = natsConnectionOptions(config.natsUrl, config.natsAccess!, 'orders');
    expect(options).toMatchObject({ servers: ['nats://n1:4222', 'nats://n2:4222'], user: 'svc', pass: 'p@ss' });
  });

  it('reads a .creds file, an nkey seed file or NATS_USER and NATS_PASSWORD into client authenticators', () => {
    const fromCreds = readSubgraphConfig('orders', 4004, { NATS_CREDS_FILE: file('svc.creds', creds) });
    expect(fromCreds.natsAccess!.credentials).toEqual({ kind: 'creds', creds });
    expect(typeof natsConnectionOptions(fromCreds.natsUrl, fromCreds.natsAccess!, 'o').authenticator).toBe('function');

    const fromSeed = readSubgraphConfig('orders', 4004, { NATS_NKEY_SEED_FILE: file('svc.nk', `${seed}\n`) });
    expect(fromSeed.natsAccess!.credentials).toEqual({ kind: 'nkey', seed: `${seed}\n` });
    expect(typeof natsConnectionOptions(fromSeed.natsUrl, fromSeed.natsAccess!, 'o').authenticator).toBe('function');

    const fromPassword = readSubgraphConfig('orders', 4004, { NATS_USER: 'svc', NATS_PASSWORD: 'secret' });
    expect(natsConnectionOptions(fromPassword.natsUrl, fromPassword.natsAccess!, 'o')).toMatchObject({ user: 'svc', pass: 'secret' });
  });

  it('reads the TLS files at start and gives their contents to the client', () => {
    const config = readSubgraphConfig('orders', 4004, {
      NATS_TLS_CA: file('ca.pem', 'CA PEM'),
      NATS_TLS_CERT: file('cert.pem', 'CERT PEM'),
      NATS_TLS_KEY: file('key.pem', 'KEY PEM'),
    });
    expect(natsConnectionOptions(config.natsUrl, config.natsAccess!, 'o').tls).toEqual({ ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' });
  });

  it('gives every stream NATS_STREAM_REPLICAS copies, one unless set', () => {
    expect(readSubgraphConfig('orders', 4004, { NATS_STREAM_REPLICAS: '3' }).natsAccess!.streamReplicas).toBe(3);
    expect(problemsOf({ NATS_STREAM_REPLICAS: '0' })).toEqual([expect.stringMatching(/^NATS_STREAM_REPLICAS: /)]);
  });

  it('reports every bad NATS variable in one error, with the others', () => {
    const problems = problemsOf({
      PORT: '99999',
      NATS_URL: 'nats://n1:4222,http://n2',
      NATS_CREDS_FILE: path.join(dir, 'missing.creds'),
      NATS_NKEY_SEED_FILE: file('not-a-seed', 'hello'),
      NATS_USER: 'svc',
      NATS_TLS_CERT: file('only-cert.pem', 'CERT'),
      NATS_TLS_CA: path.join(dir, 'missing-ca.pem'),
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT: /),
        'NATS_URL: must be nats:// or tls:// URLs, comma-separated for a cluster',
        `NATS_CREDS_FILE: cannot read ${path.join(dir, 'missing.creds')}: ENOENT`,
        `NATS_NKEY_SEED_FILE: ${path.join(dir, 'not-a-seed')} does not hold an nkey user seed (SU…)`,
        `NATS_TLS_CA: cannot read ${path.join(dir, 'missing-ca.pem')}: ENOENT`,
        'NATS_CREDS_FILE: give one way to authenticate to NATS, not NATS_CREDS_FILE and NATS_NKEY_SEED_FILE and NATS_USER/NATS_PASSWORD',
        'NATS_PASSWORD: NATS_USER and NATS_PASSWORD go together',
        'NATS_TLS_KEY: NATS_TLS_CERT and NATS_TLS_KEY go together',
      ]),
    );
    expect(problems).toHaveLength(8);
  });

  it('refuses a file that is not a .creds file', () => {
    expect(problemsOf({ NATS_CREDS_FILE: file('seed-only.creds', seed) })).toEqual([
      `NATS_CREDS_FILE: ${path.join(dir, 'seed-only.creds')} is not a NATS .creds file (a user JWT and nkey seed)`,
    ]);
  });
});
