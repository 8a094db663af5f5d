import type { EntityManager } from '@mikro-orm/core';
import { findApiKey } from './api-keys';
import { parseGraphRef } from './graph-ref';
import { findVariant, latestSupergraph } from './variants';

/** Apollo Uplink's error codes; a router retries only RETRY_LATER. */
export type FetchErrorCode = 'AUTHENTICATION_FAILED' | 'ACCESS_DENIED' | 'UNKNOWN_REF' | 'RETRY_LATER' | 'NOT_IMPLEMENTED_ON_THIS_INSTANCE';

/** Uplink's `routerConfig` answer: a new supergraph, nothing newer than `ifAfterId`, or an error. */
export type RouterConfig =
  | { __typename: 'RouterConfigResult'; id: string; supergraphSDL: string; minDelaySeconds: number; messages: [] }
  | { __typename: 'Unchanged'; id: string; minDelaySeconds: number }
  | { __typename: 'FetchError'; code: FetchErrorCode; message: string; minDelaySeconds: number };

/**
 * What Apollo Uplink answers a router that asks for `ref` with `apiKey` (a registry key with the
 * read scope), as Apollo Router and @apollo/gateway read it. `ifAfterId` is the id the router runs:
 * when the latest supergraph still has it, the answer is `Unchanged`.
 */
export async function routerConfig(
  em: EntityManager,
  args: { ref: string; apiKey: string; ifAfterId?: string | null },
  minDelaySeconds: number,
): Promise<RouterConfig> {
  const error = (code: FetchErrorCode, message: string): RouterConfig => ({ __typename: 'FetchError', code, message, minDelaySeconds });
  const key = args.apiKey ? await findApiKey(em, args.apiKey) : null;
  if (!key) return error('AUTHENTICATION_FAILED', 'the API key is not valid: use a registry key with the read scope (APOLLO_KEY)');
  if (!key.scopes.includes('read')) return error('ACCESS_DENIED', `the API key "${key.name}" lacks the read scope`);
  let variant;
  try {
    variant = await findVariant(em, parseGraphRef(args.ref));
  } catch (err) {
    return error('UNKNOWN_REF', (err as Error).message);
  }
  const supergraph = await latestSupergraph(em, variant);
  if (!supergraph) return error('UNKNOWN_REF', `${args.ref} has no supergraph yet: publish a subgraph to it first`);
  if (args.ifAfterId === supergraph.id) return { __typename: 'Unchanged', id: supergraph.id, minDelaySeconds };
  return { __typename: 'RouterConfigResult', id: supergraph.id, supergraphSDL: supergraph.sdl, minDelaySeconds, messages: [] };
}
