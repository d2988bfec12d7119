// Where a viewer comes from, as viewer counting bounds it: the client address itself and the network around it.
// An IPv4 client is its /32 within its /24; an IPv6 client is its /64 (one subscriber line or host: SLAAC hands a
// single device a whole /64, so counting single IPv6 addresses would let one client pose as 2^64 clients) within
// its /48 (one site). An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, how dual-stack sockets report IPv4 peers) is
// the IPv4 address. Pure.

import { isIPv4, isIPv6 } from 'node:net';

export interface ClientBuckets {
  /** The client: an IPv4 address or an IPv6 /64. */
  address: string;
  /** Its network: an IPv4 /24 or an IPv6 /48. */
  network: string;
}

const MAX_UNKNOWN = 64;

export function clientBuckets(remoteAddress: string | undefined): ClientBuckets {
  if (!remoteAddress) return { address: '?', network: '?n' };
  let a = remoteAddress.toLowerCase();
  const zone = a.indexOf('%');
  if (zone !== -1) a = a.slice(0, zone);
  if (a.startsWith('::ffff:') && isIPv4(a.slice(7))) a = a.slice(7);
  if (isIPv4(a)) {
    return { address: `4/${a}`, network: `4/${a.slice(0, a.lastIndexOf('.'))}` };
  }
  if (isIPv6(a)) {
    const h = hextets(a);
    return { address: `6/${h.slice(0, 4).join(':')}`, network: `6/${h.slice(0, 3).join(':')}` };
  }
  // Not an IP address (a unix socket, or whatever a proxy wrote): its own bucket, bounded in length.
  const other = a.slice(0, MAX_UNKNOWN);
  return { address: `?/${other}`, network: `?n/${other}` };
}

/** The eight 16-bit groups of a valid IPv6 address, as numbers' hex text without leading zeros. */
function hextets(a: string): string[] {
  const [head, tail] = a.includes('::') ? (a.split('::') as [string, string]) : [a, undefined];
  const groups = (part: string | undefined): string[] => {
    if (!part) return [];
    const out: string[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const [b0, b1, b2, b3] = g.split('.').map(Number) as [number, number, number, number];
        out.push(((b0 << 8) | b1).toString(16), ((b2 << 8) | b3).toString(16));
      } else {
        out.push(parseInt(g, 16).toString(16));
      }
    }
    return out;
  };
  const front = groups(head);
  const back = groups(tail);
  const zeros = tail === undefined ? [] : Array<string>(8 - front.length - back.length).fill('0');
  return [...front, ...zeros, ...back];
}
