import { isIP } from 'node:net';

/** The longest text that can hold an address (an IPv6 one with a zone, brackets and a port). */
const maxAddressLength = 64;

/**
 * One canonical text per address, or null for anything that is not one: `::FFFF:10.0.0.1` and
 * `10.0.0.1` are the same client, as are `2001:DB8:0::1` and `2001:db8::1`. Accepts what proxies
 * write in X-Forwarded-For: a bare address, `[v6]`, `[v6]:port` and `v4:port`. Zones (`%eth0`) are dropped.
 */
export function normalizeAddress(raw: string): string | null {
  if (raw.length > maxAddressLength) return null;
  const text = stripPort(raw.trim());
  const version = isIP(text);
  if (version === 4) return text;
  if (version !== 6) return null;
  // The WHATWG URL parser writes an IPv6 host in its canonical form: lower case, longest zero run compressed.
  const canonical = new URL(`http://[${text.replace(/%.*$/, '')}]`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!mapped) return canonical;
  const high = parseInt(mapped[1]!, 16);
  const low = parseInt(mapped[2]!, 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

function stripPort(text: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) return bracketed[1]!;
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  return v4WithPort ? v4WithPort[1]! : text;
}

/**
 * The part of an address that names one client for a rate budget: an IPv4 address, or the /64
 * network of an IPv6 one, since a single host is usually handed a whole /64 and could otherwise
 * take a fresh budget with each of its addresses.
 */
export function addressBucket(address: string): string {
  if (isIP(address) !== 6) return address;
  return `${expandIpv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => group.replace(/^0+(?=.)/, ''));
}
