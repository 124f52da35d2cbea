import { describe, expect, it } from 'vitest';
import { accountDelayMs, addressSubject } from './sign-in-throttle.ts';

describe('sign-in throttle keys and delays', () => {
  it('counts an IPv4 client by its address (also when mapped into IPv6) and an IPv6 client by its /64', () => {
    expect(addressSubject('203.0.113.7')).toBe('203.0.113.7');
    expect(addressSubject('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressSubject('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressSubject('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressSubject('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressSubject('not an address')).toBe('not an address');
  });

  it('makes the attempt after the 5th failure wait 1 s, then 2, 4 ... s, at most 15 minutes', () => {
    expect([1, 2, 3, 4].map(accountDelayMs)).toEqual([0, 0, 0, 0]);
    expect([5, 6, 7, 8].map(accountDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(accountDelayMs(15)).toBe(15 * 60_000);
    expect(accountDelayMs(10_000)).toBe(15 * 60_000);
  });
});
