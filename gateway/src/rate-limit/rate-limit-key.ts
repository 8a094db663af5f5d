import { createHash } from 'node:crypto';
import type { Identity } from '@ficus/kit/service';
import { addressBucket } from './ip-address';

/** Longer keys (a user id is whatever the token says) are hashed, so a key's size is bounded. */
const maxKeyLength = 128;

/**
 * Whose budget an operation spends: the signed-in user's, whatever address they come from,
 * else the client address's (an IPv6 client's whole /64).
 */
export function rateLimitKey(identity: Pick<Identity, 'userId'> | null, clientAddress: string): string {
  const key = identity ? `user:${identity.userId}` : `ip:${addressBucket(clientAddress)}`;
  return key.length <= maxKeyLength ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}
