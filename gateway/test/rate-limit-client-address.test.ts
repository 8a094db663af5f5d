import { addressBucket, clientAddress, normalizeAddress, rateLimitKey, TrustedProxies } from '../src/rate-limit';

describe('client address', () => {
  const proxies = new TrustedProxies(['10.0.0.0/8', '2001:db8:ffff::/48', '192.168.1.7']);

  it('is the socket address when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress('203.0.113.9', '198.51.100.1', TrustedProxies.none)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:203.0.113.9', '198.51.100.1', TrustedProxies.none)).toBe('203.0.113.9');
  });

  it('is the socket address when the peer is not a trusted proxy', () => {
    expect(clientAddress('203.0.113.9', '198.51.100.1', proxies)).toBe('203.0.113.9');
  });

  it('behind a trusted proxy, is the right-most entry that is not a trusted proxy', () => {
    expect(clientAddress('10.0.0.2', '198.51.100.1', proxies)).toBe('198.51.100.1');
    expect(clientAddress('10.0.0.2', '198.51.100.1, 10.1.1.1, 192.168.1.7', proxies)).toBe('198.51.100.1');
  });

  it('ignores spoofed entries a client put left of the address its proxy saw', () => {
    // The client sent "X-Forwarded-For: 1.1.1.1, 10.9.9.9"; the proxy appended the client's real address.
    expect(clientAddress('10.0.0.2', '1.1.1.1, 10.9.9.9, 198.51.100.1', proxies)).toBe('198.51.100.1');
  });

  it('is the left-most entry when every entry is a trusted proxy, as express does', () => {
    expect(clientAddress('10.0.0.2', '10.0.0.5,10.0.0.4', proxies)).toBe('10.0.0.5');
  });

  it('stops at the trusted proxy when the entry it wrote is not an address', () => {
    for (const garbage of ['not-an-ip', 'unknown', '1.2.3.4.5', '999.1.1.1', '<script>', '1.2.3.4 OR 1=1', '', ' , ']) {
      expect(clientAddress('10.0.0.2', garbage, proxies)).toBe('10.0.0.2');
    }
    expect(clientAddress('10.0.0.2', '198.51.100.1, junk, 10.0.0.3', proxies)).toBe('10.0.0.3');
  });

  it('reads a huge header only as far as the trusted hops go, in bounded time', () => {
    const huge = `${'9.9.9.9, '.repeat(100_000)}198.51.100.1`;
    const started = performance.now();
    expect(clientAddress('10.0.0.2', huge, proxies)).toBe('198.51.100.1');
    expect(performance.now() - started).toBeLessThan(50);
    expect(clientAddress('10.0.0.2', 'x'.repeat(1_000_000), proxies)).toBe('10.0.0.2');
    // A chain of trusted hops is not followed forever: the walk stops on a trusted address.
    const allTrusted = Array.from({ length: 10_000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(',');
    expect(proxies.has(clientAddress('10.0.0.2', allTrusted, proxies))).toBe(true);
  });

  it('reads IPv6 entries, bracketed or with ports, and normalizes them', () => {
    expect(clientAddress('2001:db8:ffff::1', '2001:DB8:0:0::42', proxies)).toBe('2001:db8::42');
    expect(clientAddress('10.0.0.2', '[2001:db8::42]:443', proxies)).toBe('2001:db8::42');
    expect(clientAddress('10.0.0.2', '198.51.100.1:5678', proxies)).toBe('198.51.100.1');
    expect(clientAddress('10.0.0.2', '::ffff:198.51.100.1', proxies)).toBe('198.51.100.1');
    expect(clientAddress('::ffff:10.0.0.2', '198.51.100.1', proxies)).toBe('198.51.100.1');
  });

  it('joins repeated X-Forwarded-For headers in order', () => {
    expect(clientAddress('10.0.0.2', ['1.1.1.1', '198.51.100.1, 10.0.0.3'], proxies)).toBe('198.51.100.1');
  });

  it('is "unknown" when the socket has no address (it closed)', () => {
    expect(clientAddress(undefined, '198.51.100.1', proxies)).toBe('unknown');
  });
});

describe('trusted proxies', () => {
  it('accepts addresses, CIDR ranges and the names express knows', () => {
    const trusted = new TrustedProxies(['loopback', 'uniquelocal', '2001:db8::/32', '203.0.113.7']);
    for (const address of ['127.0.0.1', '::1', '10.2.3.4', '172.20.0.1', '192.168.0.9', 'fd00::1', '2001:db8:1::1', '203.0.113.7']) {
      expect(trusted.has(address)).toBe(true);
    }
    for (const address of ['203.0.113.8', '172.32.0.1', '2001:db9::1', '8.8.8.8', 'garbage']) expect(trusted.has(address)).toBe(false);
  });

  it('refuses entries that are not addresses or ranges, naming each', () => {
    expect(() => new TrustedProxies(['10.0.0.0/33', 'proxy.example.com', '10.0.0.1'])).toThrow(
      /10\.0\.0\.0\/33, proxy\.example\.com$/,
    );
    expect(() => new TrustedProxies(['::/129'])).toThrow(/::\/129/);
    expect(() => new TrustedProxies(['10.0.0.0/8/8'])).toThrow(/10\.0\.0\.0\/8\/8/);
  });
});

describe('addresses and rate limit keys', () => {
  it('normalizes one address to one text', () => {
    expect(normalizeAddress('::FFFF:10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeAddress('fe80::1%eth0')).toBe('fe80::1');
    expect(normalizeAddress('01.2.3.4')).toBeNull();
    expect(normalizeAddress('1'.repeat(100))).toBeNull();
  });

  it("keys a signed-in caller by user and an anonymous one by address, an IPv6 one by its /64", () => {
    expect(rateLimitKey({ userId: 'u1' }, '198.51.100.1')).toBe('user:u1');
    expect(rateLimitKey(null, '198.51.100.1')).toBe('ip:198.51.100.1');
    expect(rateLimitKey(null, '2001:db8:1:2:3:4:5:6')).toBe(rateLimitKey(null, '2001:db8:1:2::9'));
    expect(addressBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(rateLimitKey({ userId: 'x'.repeat(10_000) }, '1.1.1.1')).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
