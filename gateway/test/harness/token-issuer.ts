import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CryptoKey, exportJWK, exportSPKI, generateKeyPair, JWTPayload, SignJWT } from 'jose';

export interface TokenClaims {
  sub: string;
  email: string;
  roles: string[];
}

export interface SignOptions {
  issuer?: string;
  audience?: string;
  /** Seconds since the epoch; default five minutes from now. */
  expiresAt?: number;
  /** Sign with another key under the same key id: a forgery. */
  forged?: boolean;
}

/** Stands in for the users subgraph: signs EdDSA tokens and serves its JWKS over HTTP. */
export interface TokenIssuer {
  jwksUrl: string;
  publicKeyPem: string;
  sign(claims: Partial<TokenClaims> & JWTPayload, options?: SignOptions): Promise<string>;
  /** How many times the JWKS was asked for. */
  keyRequests(): number;
  /** Holds every JWKS answer until the returned function is called. */
  holdKeys(): () => void;
  stop(): Promise<void>;
}

const kid = 'test-key-1';

export async function startTokenIssuer(): Promise<TokenIssuer> {
  const keys = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const forger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), kid, alg: 'EdDSA', use: 'sig' }] };

  let requests = 0;
  let held: Promise<void> = Promise.resolve();
  const server = http.createServer((_req, res) => {
    requests++;
    void held.then(() => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(jwks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    publicKeyPem: await exportSPKI(keys.publicKey),
    sign: (claims, options = {}) =>
      sign(claims, options.forged ? forger.privateKey : keys.privateKey, options),
    keyRequests: () => requests,
    holdKeys() {
      let release!: () => void;
      held = new Promise((resolve) => (release = resolve));
      return release;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function sign(claims: JWTPayload, key: CryptoKey, options: SignOptions): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid })
    .setIssuer(options.issuer ?? 'ficus-users')
    .setAudience(options.audience ?? 'ficus')
    .setIssuedAt()
    .setExpirationTime(options.expiresAt ?? Math.floor(Date.now() / 1000) + 300)
    .sign(key);
}
