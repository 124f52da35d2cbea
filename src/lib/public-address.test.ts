import { describe, expect, it } from 'vitest';
import { isPrivateHostLiteral, isPublicAddress, publicOnlyLookup } from './public-address.ts';

describe('public addresses', () => {
  it('refuses loopback, private, link-local, shared and reserved ranges, IPv4 and IPv6', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1']) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    for (const address of ['8.8.8.8', '172.32.0.1', '93.184.216.34', '2606:4700::1111', '::ffff:8.8.8.8']) {
      expect(isPublicAddress(address), address).toBe(true);
    }
    expect(isPublicAddress('not an address')).toBe(false);
  });

  it('names local hosts given literally', () => {
    expect(isPrivateHostLiteral('localhost')).toBe(true);
    expect(isPrivateHostLiteral('api.localhost')).toBe(true);
    expect(isPrivateHostLiteral('[::1]')).toBe(true);
    expect(isPrivateHostLiteral('127.0.0.1')).toBe(true);
    expect(isPrivateHostLiteral('hooks.slack.com')).toBe(false);
    expect(isPrivateHostLiteral('8.8.8.8')).toBe(false);
  });

  it('fails a lookup whose every answer is private', async () => {
    const error = await new Promise<Error | null>((resolve) => publicOnlyLookup('localhost', {}, (e) => resolve(e)));
    expect(error?.message).toMatch(/private or local address/);
  });
});
