import { afterEach, describe, expect, it, vi } from 'vitest';
import { getMe, signIn } from '../../src/contracts/auth.ts';
import { setAlertWebhook } from '../../src/contracts/alerts.ts';
import { listTickets } from '../../src/contracts/tickets.ts';
import { ApiError, call, endpointUrl, friendlyMessage, onSignedOut, setCsrfToken } from './api.ts';

afterEach(() => vi.unstubAllGlobals());

/** Answers every fetch with `response`, and records what was asked. */
function stubFetch(response: () => Response): Array<{ url: string; init: RequestInit }> {
  const seen: Array<{ url: string; init: RequestInit }> = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    seen.push({ url, init });
    return response();
  });
  return seen;
}

describe('call', () => {
  it('sends the session CSRF token on writes only', async () => {
    const seen = stubFetch(() => new Response('{}', { status: 200 }));
    setCsrfToken('csrf-123');
    await call(getMe);
    await call(setAlertWebhook, { body: { url: null } });
    const headers = seen.map(({ init }) => init.headers as Record<string, string>);
    expect(headers[0]?.['x-csrf-token']).toBeUndefined();
    expect(headers[1]?.['x-csrf-token']).toBe('csrf-123');
    expect(seen[1]?.init).toMatchObject({ method: 'PUT', body: '{"url":null}' });
  });

  it('fills the path parameters and builds the query string, leaving out what is not given', async () => {
    const seen = stubFetch(() => new Response('{"tickets":[],"nextCursor":null}', { status: 200 }));
    const answer = await call(listTickets, { params: { customerId: 'a/b c' }, query: { status: 'solved,closed', limit: '50', cursor: undefined, q: 'é&x' } });
    expect(answer).toEqual({ tickets: [], nextCursor: null });
    expect(seen[0]?.url).toBe('/api/integrations/zendesk/tickets/a%2Fb%20c?status=solved%2Cclosed&limit=50&q=%C3%A9%26x');
    expect(endpointUrl('/api/things/:id/:part', { id: 7, part: 'x' })).toBe('/api/things/7/x');
    expect(() => endpointUrl('/api/things/:id')).toThrow(/needs the path parameter id/);
  });

  it('turns failures into words a CSM can act on', async () => {
    stubFetch(() => new Response(JSON.stringify({ error: { code: 'internal', message: 'something went wrong on our side; it is logged under request id req-7' } }), { status: 500 }));
    const error = await call(getMe).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toMatch(/^Something went wrong on our side\. Try again; if it keeps happening, tell your admin \(.*req-7\)\.$/);
    expect(friendlyMessage(0, 'network', '')).toMatch(/cannot be reached/);
    expect(friendlyMessage(429, 'rate_limited', '')).toMatch(/Wait a minute/);
    expect(friendlyMessage(429, 'rate_limited', 'Too many failed sign-ins for this account; try again in 240 s')).toBe('Too many failed sign-ins for this account; try again in 240 s.');
    expect(friendlyMessage(400, 'validation_failed', 'body.subdomain: is required')).toBe('Body.subdomain: is required.');
  });

  it('tells the signed-out listeners of an ended session, but not of a failed sign-in', async () => {
    stubFetch(() => new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'the email or the password is wrong' } }), { status: 401 }));
    const signedOut = vi.fn();
    const stop = onSignedOut(signedOut);
    const refused = await call(signIn, { body: { email: 'a@example.com', password: 'x' } }).catch((e: unknown) => e);
    expect((refused as ApiError).message).toMatch(/email and password do not match/);
    expect(signedOut).not.toHaveBeenCalled();
    await call(getMe).catch(() => undefined);
    expect(signedOut).toHaveBeenCalledTimes(1);
    stop();
  });
});
