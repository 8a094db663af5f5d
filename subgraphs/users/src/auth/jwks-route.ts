import type { BaseContext, SubgraphDefinition } from '@ficus/kit';
import { algorithm, SigningKey } from './signing-key';

export const jwksPath = '/.well-known/jwks.json';

type Routes = NonNullable<SubgraphDefinition<BaseContext>['routes']>;

/** Publishes the public key with which the gateway verifies tokens. */
export function jwksRoute(key: SigningKey): Routes {
  const jwks = { keys: [{ ...key.publicJwk, kid: key.kid, alg: algorithm, use: 'sig' }] };
  return (app) => {
    app.get(jwksPath, (_req, res) => {
      res.setHeader('cache-control', 'public, max-age=300');
      res.json(jwks);
    });
  };
}
