import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, createLogger } from '@ficus/kit';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { loadSigningKey } from '../src/auth/signing-key';

const logger = createLogger('users', 'silent');

describe('the token signing key', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-users-key-'));
  });

  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is the configured key, identified by its thumbprint, and no file is written', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const key = await loadSigningKey({ jwtPrivateKey: await exportPKCS8(privateKey), nodeEnv: 'production', dataDir }, logger);
    expect(key.kid).toBe(await calculateJwkThumbprint(await exportJWK(publicKey)));
    expect(key.publicJwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String) });
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('is required in production', async () => {
    const loading = loadSigningKey({ jwtPrivateKey: null, nodeEnv: 'production', dataDir }, logger);
    await expect(loading).rejects.toThrow(ConfigError);
    await expect(loading).rejects.toThrow(/JWT_PRIVATE_KEY/);
  });

  it('must be Ed25519', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    const loading = loadSigningKey({ jwtPrivateKey: rsa.toString(), nodeEnv: 'production', dataDir }, logger);
    await expect(loading).rejects.toThrow(/JWT_PRIVATE_KEY: must be an Ed25519 private key/);
  });

  it('is generated once in development even when two services start at the same moment', async () => {
    const config = { jwtPrivateKey: null, nodeEnv: 'development' as const, dataDir: path.join(dataDir, 'nested') };
    const [a, b] = await Promise.all([loadSigningKey(config, logger), loadSigningKey(config, logger)]);
    expect(a.kid).toBe(b.kid);
    expect(fs.readdirSync(config.dataDir)).toEqual(['users-jwt-key.pem']);
    expect((await loadSigningKey(config, logger)).kid).toBe(a.kid);
  });
});
