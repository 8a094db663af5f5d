import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, Logger } from '@ficus/kit';
import { calculateJwkThumbprint, CryptoKey, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, JWK } from 'jose';
import type { UsersConfig } from '../config';

export const algorithm = 'EdDSA';

/** The key that signs tokens, and its public half as published in the JWKS. */
export interface SigningKey {
  privateKey: CryptoKey;
  /** The RFC 7638 thumbprint of the public key, sent as `kid` in every token header. */
  kid: string;
  publicJwk: JWK;
}

export const developmentKeyFile = (dataDir: string) => path.join(dataDir, 'users-jwt-key.pem');

/**
 * The configured key; without one, outside production, a key generated on first start
 * into the data directory and reused afterwards, so tokens survive restarts.
 */
export async function loadSigningKey(
  config: Pick<UsersConfig, 'jwtPrivateKey' | 'nodeEnv' | 'dataDir'>,
  logger: Logger,
): Promise<SigningKey> {
  if (config.jwtPrivateKey) return importSigningKey(config.jwtPrivateKey, 'JWT_PRIVATE_KEY');
  if (config.nodeEnv === 'production') {
    throw new ConfigError(['JWT_PRIVATE_KEY: required in production (an Ed25519 private key, PEM PKCS#8)']);
  }
  const file = developmentKeyFile(config.dataDir);
  return importSigningKey(await readOrCreateKeyFile(file, logger), file);
}

async function importSigningKey(pem: string, source: string): Promise<SigningKey> {
  const notEd25519 = () => new ConfigError([`${source}: must be an Ed25519 private key in PEM PKCS#8`]);
  // Extractable, because the public half is read from it for the JWKS.
  const privateKey = await importPKCS8(pem, algorithm, { extractable: true }).catch(() => {
    throw notEd25519();
  });
  const { kty, crv, x } = await exportJWK(privateKey);
  if (crv !== 'Ed25519') throw notEd25519();
  const publicJwk: JWK = { kty, crv, x };
  return { privateKey, kid: await calculateJwkThumbprint(publicJwk), publicJwk };
}

async function readOrCreateKeyFile(file: string, logger: Logger): Promise<string> {
  const existing = await readIfExists(file);
  if (existing) return existing;
  const { privateKey } = await generateKeyPair(algorithm, { crv: 'Ed25519', extractable: true });
  const pem = await exportPKCS8(privateKey);
  await fs.mkdir(path.dirname(file), { recursive: true });
  // Written aside, then linked into place: link fails if another process got there first,
  // and nobody ever reads a half-written key.
  const draft = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await fs.writeFile(draft, pem, { mode: 0o600, flag: 'wx' });
  try {
    await fs.link(draft, file);
    logger.warn({ file }, 'generated a development signing key; set JWT_PRIVATE_KEY in production');
    return pem;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFile(file, 'utf8');
    throw err;
  } finally {
    await fs.rm(draft, { force: true });
  }
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
