import { rateLimitAddress } from './client-address.js';

describe(rateLimitAddress.name, () => {
  it('should count an IPv4 address as it is', () => {
    expect(rateLimitAddress('203.0.113.7')).toBe('203.0.113.7');
  });

  it('should count an IPv4-mapped IPv6 address as its IPv4 address', () => {
    expect(rateLimitAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(rateLimitAddress('::FFFF:cb00:7107')).toBe('203.0.113.7');
  });

  it('should count every address of one IPv6 /56 network as that network', () => {
    const a = rateLimitAddress('2001:db8:ab:cd12:1::1');
    expect(a).toBe('2001:db8:ab:cd00::/56');
    expect(rateLimitAddress('2001:0db8:00ab:cdff:ffff:ffff:ffff:ffff')).toBe(a);
    expect(rateLimitAddress('2001:db8:ab:ce00::1')).not.toBe(a);
  });

  it('should expand a compressed IPv6 address and drop a zone', () => {
    expect(rateLimitAddress('::1')).toBe('0:0:0:0::/56');
    expect(rateLimitAddress('fe80::1%eth0')).toBe('fe80:0:0:0::/56');
    expect(rateLimitAddress('2001:db8::')).toBe('2001:db8:0:0::/56');
  });

  it('should count a request without an address as unknown', () => {
    expect(rateLimitAddress(undefined)).toBe('unknown');
    expect(rateLimitAddress('')).toBe('unknown');
  });
});
