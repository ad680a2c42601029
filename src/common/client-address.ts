import ipaddr from 'ipaddr.js';

/**
 * The part of a client's address a per-client rate limit counts against: an IPv4 address as it is
 * (an IPv4-mapped IPv6 address, `::ffff:1.2.3.4`, as the IPv4 one), an IPv6 address as its /56 network
 * (`2001:db8:ab:cd00::/56`), because one subscriber commonly holds a whole /56 or /64 and could
 * otherwise take a fresh budget with every address of it. No address at all counts as `unknown`.
 */
export function rateLimitAddress(ip: string | undefined): string {
  if (!ip) return 'unknown';
  if (!ipaddr.IPv6.isValid(ip)) return ip;
  const address = ipaddr.IPv6.parse(ip); // zone ids (`%eth0`) and embedded IPv4 tails included
  if (address.isIPv4MappedAddress()) return address.toIPv4Address().toString();
  const g = address.parts;
  return `${[g[0], g[1], g[2], g[3] & 0xff00].map((x) => x.toString(16)).join(':')}::/56`;
}
