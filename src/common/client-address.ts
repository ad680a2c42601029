import { isIPv6 } from 'node:net';

/**
 * The part of a client's address a per-client rate limit counts against: an IPv4 address as it is
 * (an IPv4-mapped IPv6 address, `::ffff:1.2.3.4`, as the IPv4 one), an IPv6 address as its /56 network
 * (`2001:db8:ab:cd00::/56`), because one subscriber commonly holds a whole /56 or /64 and could
 * otherwise take a fresh budget with every address of it. No address at all counts as `unknown`.
 */
export function rateLimitAddress(ip: string | undefined): string {
  if (!ip) return 'unknown';
  if (!isIPv6(ip)) return ip;
  const g = ipv6Groups(ip);
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return [g[6] >> 8, g[6] & 0xff, g[7] >> 8, g[7] & 0xff].join('.');
  }
  return `${[g[0], g[1], g[2], g[3] & 0xff00].map((x) => x.toString(16)).join(':')}::/56`;
}

/** The eight 16-bit groups of a valid IPv6 address (a zone suffix is dropped, an IPv4 tail converted). */
function ipv6Groups(address: string): number[] {
  let ip = address.split('%')[0];
  const tailStart = ip.lastIndexOf(':') + 1;
  const tail = ip.slice(tailStart);
  if (tail.includes('.')) {
    const [a, b, c, d] = tail.split('.').map(Number);
    ip = `${ip.slice(0, tailStart)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = ip.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((h) => parseInt(h, 16)) : []);
  const front = parse(head);
  const back = parse(rest);
  const zeros = rest === undefined ? [] : new Array<number>(8 - front.length - back.length).fill(0);
  return [...front, ...zeros, ...back];
}
