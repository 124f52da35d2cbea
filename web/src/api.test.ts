import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, friendlyMessage, setCsrfToken } from './api.ts';

afterEach(() => vi.unstubAllGlobals());

describe('api', () => {
  it('sends the session CSRF token on writes only', async () => {
    const seen: Array<Record<string, string>> = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      seen.push(init.headers as Record<string, string>);
      return new Response('{}', { status: 200 });
    });
    setCsrfToken('csrf-123');
    await api('/api/x');
    await api('/api/x', { method: 'POST', body: {} });
    expect(seen[0]?.['x-csrf-token']).toBeUndefined();
    expect(seen[1]?.['x-csrf-token']).toBe('csrf-123');
  });

  it('turns failures into words a CSM can act on', async () => {
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ error: { code: 'internal', message: 'something went wrong on our side; it is logged under request id req-7' } }), { status: 500 }));
    const error = await api('/api/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toMatch(/^Something went wrong on our side\. Try again; if it keeps happening, tell your admin \(.*req-7\)\.$/);
    expect(friendlyMessage(0, 'network', '')).toMatch(/cannot be reached/);
    expect(friendlyMessage(429, 'rate_limited', '')).toMatch(/Wait a minute/);
    expect(friendlyMessage(429, 'rate_limited', 'Too many failed sign-ins for this account; try again in 240 s')).toBe('Too many failed sign-ins for this account; try again in 240 s.');
    expect(friendlyMessage(400, 'validation_failed', 'body.subdomain: is required')).toBe('Body.subdomain: is required.');
  });
});
