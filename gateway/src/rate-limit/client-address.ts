import { normalizeAddress } from './ip-address';
import type { TrustedProxies } from './trusted-proxies';

/** Proxies in front of one another beyond this many are not followed: the header is not believed further. */
const maxProxyHops = 32;

/**
 * The client's address, the same way for every transport (HTTP, WebSocket upgrades): the
 * socket's peer, unless that peer is a trusted proxy; then X-Forwarded-For is read from the
 * right, past each trusted proxy, to the first address that is not one (as express's
 * `trust proxy` does with a list). Entries left of it were written by the client and are
 * never believed. An entry a trusted proxy wrote that is not an address ends the walk at
 * that proxy. Always a normalized address, or `unknown` when the socket has none (closed).
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: TrustedProxies,
): string {
  let current = (socketAddress && normalizeAddress(socketAddress)) || 'unknown';
  if (!trusted.has(current) || forwardedFor === undefined) return current;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  let end = header.length;
  for (let hop = 0; hop < maxProxyHops && end > 0; hop++) {
    // Walks from the right without splitting the whole header: only trusted hops are read.
    const start = header.lastIndexOf(',', end - 1);
    const entry = normalizeAddress(header.slice(start + 1, end));
    if (!entry) return current;
    current = entry;
    if (!trusted.has(current)) return current;
    end = start < 0 ? 0 : start;
  }
  return current;
}
