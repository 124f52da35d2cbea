/**
 * Outbound requests to URLs that users give us (alert webhooks) must not reach our own network:
 * loopback, private ranges, link-local (cloud metadata at 169.254.169.254), and the like. The
 * check runs on every address a host name resolves to, at connect time (so that a DNS answer that
 * changes after the URL was saved cannot point us inward).
 *
 * Addresses are classified by ipaddr.js (its tables of special-purpose ranges, IANA's registries).
 * An IPv6 address that carries an IPv4 address (IPv4-mapped, SIIT, NAT64, 6to4, Teredo) is judged
 * by the IPv4 address it leads to, so that `[::ffff:7f00:1]` or `[64:ff9b::7f00:1]` is loopback.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

type IPv4 = ipaddr.IPv4;
type IPv6 = ipaddr.IPv6;

const ipv4Of = (high: number, low: number): IPv4 => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);

/** NAT64's local-use prefix (RFC 8215): translators inside a network, never a public route. */
const LOCAL_USE_NAT64 = ipaddr.IPv6.parseCIDR('64:ff9b:1::/48');
/** IPv4-compatible addresses (deprecated by RFC 4291; `::` and `::1` are in it too). */
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR('::/96');

/**
 * The IPv4 addresses an IPv6 address leads to, when it embeds any: an empty list for a plain IPv6
 * address, null for a prefix that is never public whatever it embeds.
 */
function embeddedIPv4(address: IPv6): IPv4[] | null {
  const p = address.parts as [number, number, number, number, number, number, number, number];
  if (address.match(LOCAL_USE_NAT64) || address.match(IPV4_COMPATIBLE)) return null;
  switch (address.range()) {
    case 'ipv4Mapped': // ::ffff:0:0/96, however spelled (::ffff:127.0.0.1, ::ffff:7f00:1)
    case 'rfc6145': // ::ffff:0:0:0/96, SIIT's IPv4-translated addresses
    case 'rfc6052': // 64:ff9b::/96, NAT64's well-known prefix
      return [ipv4Of(p[6], p[7])];
    case '6to4': // 2002::/16: the IPv4 address is bits 16-48
      return [ipv4Of(p[1], p[2])];
    case 'teredo': // 2001::/32: the server's IPv4 in bits 32-64, the client's inverted in the last 32
      return [ipv4Of(p[2], p[3]), ipv4Of(~p[6] & 0xffff, ~p[7] & 0xffff)];
    default:
      return [];
  }
}

/** False for loopback, private, link-local, shared, multicast and reserved addresses (IPv4, IPv6, and IPv4 carried in IPv6). */
export function isPublicAddress(address: string): boolean {
  // node:net's isIP first: ipaddr.js would also read shorthand IPv4 forms such as `127.1`.
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 4) return ipaddr.IPv4.parse(address).range() === 'unicast';
  // ipaddr.js reads the deprecated `::a.b.c.d` as `::ffff:a.b.c.d`: give it the form a URL's host
  // is normalized to (hex groups only, no zone), which it reads as written.
  let v6: IPv6;
  try {
    v6 = ipaddr.IPv6.parse(new URL(`http://[${address.replace(/%.*$/, '')}]/`).hostname.slice(1, -1));
  } catch {
    return false;
  }
  const embedded = embeddedIPv4(v6);
  if (embedded === null) return false;
  if (embedded.length > 0) return embedded.every((v4) => v4.range() === 'unicast');
  return v6.range() === 'unicast';
}

export class PrivateAddressError extends Error {
  constructor(host: string) {
    super(`${host} is a private or local address: alerts are only sent to public endpoints`);
    this.name = 'PrivateAddressError';
  }
}

type Resolver = (hostname: string, options: LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/** A `lookup` for http(s).request that answers only the public addresses `resolve` finds, or fails. */
export function publicOnlyLookupVia(resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const allowed = addresses.filter((a) => isPublicAddress(a.address));
      if (allowed.length === 0) return callback(new PrivateAddressError(hostname), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      return callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

/** The system resolver's answers, public ones only. */
export const publicOnlyLookup: LookupFunction = publicOnlyLookupVia((hostname, options, callback) => dnsLookup(hostname, options, callback));

/** For a URL's host given as an IP literal (no lookup happens for those) or a well-known local name. */
export function isPrivateHostLiteral(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return isIP(host) !== 0 && !isPublicAddress(host);
}
