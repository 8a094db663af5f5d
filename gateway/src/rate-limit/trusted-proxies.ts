import { BlockList, isIP } from 'node:net';
import { normalizeAddress } from './ip-address';

/** Names for common ranges, as express's `trust proxy` accepts them. */
const namedRanges: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/**
 * The proxies in front of the gateway whose X-Forwarded-For entries are believed: addresses,
 * CIDR ranges, or `loopback`, `linklocal`, `uniquelocal`. An IPv4 range also covers the same
 * addresses written IPv4-mapped (`::ffff:10.0.0.1`).
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly size: number;

  /** Throws an Error naming every entry that is neither an address, a CIDR range nor a known name. */
  constructor(entries: readonly string[]) {
    const bad = entries.filter((entry) => !this.add(entry));
    if (bad.length > 0) throw new Error(`not an address, CIDR range or known name (loopback, linklocal, uniquelocal): ${bad.join(', ')}`);
    this.size = entries.length;
  }

  static readonly none = new TrustedProxies([]);

  /** Whether `address` (already normalized) is one of the trusted proxies. */
  has(address: string): boolean {
    const version = isIP(address);
    if (this.size === 0 || version === 0) return false;
    return this.list.check(address, version === 4 ? 'ipv4' : 'ipv6');
  }

  private add(entry: string): boolean {
    const named = namedRanges[entry.toLowerCase()];
    if (named) return named.every((range) => this.add(range));
    const [base = '', prefixText, ...rest] = entry.split('/');
    const address = normalizeAddress(base);
    if (!address || rest.length > 0) return false;
    const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
    if (prefixText === undefined) {
      this.list.addAddress(address, type);
      return true;
    }
    const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (!(prefix >= 0 && prefix <= (type === 'ipv4' ? 32 : 128))) return false;
    this.list.addSubnet(address, prefix, type);
    return true;
  }
}
