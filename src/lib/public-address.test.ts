import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { assertDeliverableUrl } from '../modules/alerts/alert-webhooks.ts';
import { isPrivateHostLiteral, isPublicAddress, publicOnlyLookup, publicOnlyLookupVia } from './public-address.ts';

/** IPv6 spellings of IPv4 addresses: each maps (or translates, or tunnels) to the IPv4 address given. */
const CARRIERS: Array<[string, (v4: string) => string]> = [
  ['IPv4-mapped, dotted', (v4) => `::ffff:${v4}`],
  ['IPv4-mapped, hex', (v4) => `::ffff:${hex(v4)}`],
  ['IPv4-mapped, written out', (v4) => `0:0:0:0:0:ffff:${hex(v4)}`],
  ['SIIT (::ffff:0:0:0/96)', (v4) => `::ffff:0:${hex(v4)}`],
  ['NAT64 well-known prefix, hex', (v4) => `64:ff9b::${hex(v4)}`],
  ['NAT64 well-known prefix, dotted', (v4) => `64:ff9b::${v4}`],
  ['6to4', (v4) => `2002:${hex(v4)}::1`],
  ['Teredo (client, inverted)', (v4) => `2001:0:4136:e378:8000:63bf:${hex(v4, 0xffff)}`],
  ['Teredo (server)', (v4) => `2001:0:${hex(v4)}:8000:63bf:${hex('93.184.216.34', 0xffff)}`],
];

function hex(v4: string, xor = 0): string {
  const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
  return `${(((a << 8) | b) ^ xor).toString(16)}:${(((c << 8) | d) ^ xor).toString(16)}`;
}

const resolvingTo = (addresses: string[]) =>
  publicOnlyLookupVia((_hostname, _options, callback) => callback(null, addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }))));

const lookupAll = (lookup: ReturnType<typeof resolvingTo>, hostname: string) =>
  new Promise<{ error: Error | null; addresses: LookupAddress[] }>((resolve) =>
    lookup(hostname, { all: true }, (error, addresses) => resolve({ error, addresses: (addresses as unknown as LookupAddress[]) ?? [] })),
  );

describe('public addresses', () => {
  it('refuses loopback, private, link-local, shared and reserved ranges, IPv4 and IPv6', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fd00::1', 'fe80::1', 'fe80::1%eth0', 'ff02::1', '2001:db8::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1']) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    for (const address of ['8.8.8.8', '172.32.0.1', '93.184.216.34', '2606:4700::1111', '2a00:1450:4001:82a::200e', '::ffff:8.8.8.8']) {
      expect(isPublicAddress(address), address).toBe(true);
    }
    expect(isPublicAddress('not an address')).toBe(false);
    expect(isPublicAddress('127.1')).toBe(false);
  });

  it('judges an IPv6 address that carries an IPv4 address by that IPv4 address, however it is written', () => {
    for (const [name, spell] of CARRIERS) {
      for (const refused of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '192.168.1.1', '100.64.0.1', '0.0.0.0']) {
        expect(isPublicAddress(spell(refused)), `${name}: ${spell(refused)} (${refused})`).toBe(false);
      }
      expect(isPublicAddress(spell('8.8.8.8')), `${name}: ${spell('8.8.8.8')} (8.8.8.8)`).toBe(true);
    }
  });

  it('refuses the prefixes that are never public whatever they carry: NAT64 local use and IPv4-compatible', () => {
    for (const address of ['64:ff9b:1::808:808', '64:ff9b:1:7f00:1::', '::808:808', '::8.8.8.8', '::7f00:1']) {
      expect(isPublicAddress(address), address).toBe(false);
    }
  });

  it('names local hosts given literally, in the spellings a URL normalizes them to', () => {
    expect(isPrivateHostLiteral('localhost')).toBe(true);
    expect(isPrivateHostLiteral('api.localhost')).toBe(true);
    expect(isPrivateHostLiteral('[::1]')).toBe(true);
    expect(isPrivateHostLiteral('127.0.0.1')).toBe(true);
    expect(isPrivateHostLiteral('hooks.slack.com')).toBe(false);
    expect(isPrivateHostLiteral('8.8.8.8')).toBe(false);
    for (const url of ['http://[64:ff9b::7f00:1]/', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:7f00:1]/', 'http://[::ffff:0:7f00:1]/', 'http://[::127.0.0.1]/', 'http://[2002:7f00:1::]/', 'http://[64:ff9b:1::a9fe:a9fe]/']) {
      const { hostname } = new URL(url);
      expect(isPrivateHostLiteral(hostname), `${url} -> ${hostname}`).toBe(true);
      expect(() => assertDeliverableUrl(url), url).toThrow(/private or local address/);
    }
    expect(() => assertDeliverableUrl('https://[64:ff9b::808:808]/hook')).not.toThrow();
  });

  it('fails a lookup whose every answer is private', async () => {
    const error = await new Promise<Error | null>((resolve) => publicOnlyLookup('localhost', {}, (e) => resolve(e)));
    expect(error?.message).toMatch(/private or local address/);
  });

  it('refuses a host name that resolves to IPv4 carried in IPv6, and keeps only the public answers', async () => {
    for (const carried of ['64:ff9b::7f00:1', '::ffff:7f00:1', '::ffff:169.254.169.254', '2002:a00:1::1', '64:ff9b:1::1']) {
      const { error } = await lookupAll(resolvingTo([carried]), 'inward.example.com');
      expect(error?.message, carried).toBe('inward.example.com is a private or local address: alerts are only sent to public endpoints');
    }
    const mixed = await lookupAll(resolvingTo(['64:ff9b::a00:1', '93.184.216.34', '64:ff9b::5db8:d822']), 'mixed.example.com');
    expect(mixed.error).toBeNull();
    expect(mixed.addresses.map((a) => a.address)).toEqual(['93.184.216.34', '64:ff9b::5db8:d822']);
  });
});
