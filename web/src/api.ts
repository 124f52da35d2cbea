/**
 * Calls to our API from the browser, typed by the API contracts (src/contracts): the session cookie
 * rides along, writes carry the session's CSRF token, and every failure becomes an ApiError whose
 * message a CSM can act on.
 */
import type { z } from 'zod';
import type { EndpointAnswer, EndpointSpec } from '../../src/contracts/endpoint.ts';

const CSRF_KEY = 'cscx.csrf';

export function setCsrfToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(CSRF_KEY, token);
    else localStorage.removeItem(CSRF_KEY);
  } catch {
    // storage unavailable (private mode): writes will ask to sign in again
  }
}

function csrfToken(): string | null {
  try {
    return localStorage.getItem(CSRF_KEY);
  } catch {
    return null;
  }
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** What the server said, for details. */
  readonly serverMessage: string;
  constructor(status: number, code: string, message: string, serverMessage: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.serverMessage = serverMessage;
  }
}

/** Listeners told when the session has ended (a 401), so the app shows the sign-in page. */
const signedOutListeners = new Set<() => void>();
export function onSignedOut(listener: () => void): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Words for a failure: what happened and what to do next. */
export function friendlyMessage(status: number, code: string, serverMessage: string): string {
  if (status === 0) return 'CSCX cannot be reached. Check your network connection; we will keep trying.';
  if (status === 401) return code === 'unauthorized' && /email or the password/.test(serverMessage) ? 'That email and password do not match. Check them and try again.' : 'Your session has ended. Please sign in again.';
  if (status === 403) return /X-CSRF-Token/i.test(serverMessage) ? 'Your session needs a refresh. Please sign out and sign in again.' : `You do not have access to this. ${upperFirst(serverMessage)}. Ask an admin if you need it.`;
  if (status === 404) return `We could not find that. ${upperFirst(serverMessage)}.`;
  // The server says how long to wait (a sign-in lockout can last minutes); say it as it is.
  if (status === 429) return serverMessage ? `${upperFirst(serverMessage)}.`.replace(/\.\.$/, '.') : 'Too many attempts in a short time. Wait a minute, then try again.';
  if (status === 502 || status === 503 || status === 504) return `${upperFirst(serverMessage || 'The service is busy')}. Try again in a moment.`;
  if (status >= 500) return `Something went wrong on our side. Try again; if it keeps happening, tell your admin (${serverMessage}).`;
  return `${upperFirst(serverMessage || 'The request was refused')}.`.replace(/\.\.$/, '.');
}

/** What a call sends: path parameters, query and body as the contract takes them (before parsing). */
type Sent<E extends EndpointSpec> = (E['params'] extends z.ZodType ? { params: z.input<E['params']> } : { params?: undefined }) &
  (E['query'] extends z.ZodType ? { query?: z.input<E['query']> } : { query?: undefined }) &
  (E['body'] extends z.ZodType ? { body: z.input<E['body']> } : { body?: undefined }) & { signal?: AbortSignal };

/** The options, optional when the endpoint needs none of them. */
type CallArgs<E extends EndpointSpec> = object extends Sent<E> ? [options?: Sent<E>] : [options: Sent<E>];

/** The endpoint's path with its `:name` parameters filled in, and its query string. */
export function endpointUrl(path: string, params: Record<string, unknown> = {}, query: Record<string, unknown> = {}): string {
  const filled = path.replace(/:([A-Za-z]+)/g, (_match, name: string) => {
    if (params[name] === undefined || params[name] === null) throw new Error(`${path} needs the path parameter ${name}`);
    return encodeURIComponent(String(params[name]));
  });
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== null) search.set(name, String(value));
  const text = search.toString();
  return text ? `${filled}?${text}` : filled;
}

/** Calls one endpoint of the contracts; the answer has the contract's response type. */
export async function call<E extends EndpointSpec>(endpoint: E, ...[options]: CallArgs<E>): Promise<EndpointAnswer<E>> {
  const sent = (options ?? {}) as { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown; signal?: AbortSignal };
  const path = endpointUrl(endpoint.path, sent.params, sent.query);
  const method = endpoint.method;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (sent.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    const token = csrfToken();
    if (token) headers['x-csrf-token'] = token;
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: sent.body === undefined ? undefined : JSON.stringify(sent.body),
      signal: sent.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', friendlyMessage(0, 'network', ''), String(error));
  }
  if (response.status === 204) return undefined as EndpointAnswer<E>;
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    const code = error?.code ?? 'http_' + response.status;
    const serverMessage = error?.message ?? response.statusText;
    if (response.status === 401 && !endpoint.path.endsWith('/sign-in')) for (const listener of signedOutListeners) listener();
    throw new ApiError(response.status, code, friendlyMessage(response.status, code, serverMessage), serverMessage);
  }
  // The server validated the answer against the same contract before sending it.
  return body as EndpointAnswer<E>;
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong. Try again.';
}
