/** Small JSON clients for the demo: the product's API (admin API key) and the emulator's Zendesk API. */

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function call<T>(url: string, init: RequestInit & { timeoutMs?: number }): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 30_000), redirect: 'manual' });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (response.status >= 400) {
    const said =
      (body as { error?: { message?: string } } | null)?.error?.message ??
      (body as { description?: string } | null)?.description ??
      (typeof (body as { error?: unknown } | null)?.error === 'string' ? (body as { error: string }).error : null) ??
      text.slice(0, 200);
    // Zendesk's RecordInvalid names each problem under `details`.
    const details = (body as { details?: Record<string, Array<{ description?: string }>> } | null)?.details;
    const problems = details && typeof details === 'object' ? Object.values(details).flat().map((p) => p?.description).filter(Boolean) : [];
    throw new HttpError(`${init.method ?? 'GET'} ${new URL(url).pathname} answered ${response.status}: ${said}${problems.length ? ` (${problems.join('; ')})` : ''}`, response.status);
  }
  return { status: response.status, body: body as T, headers: response.headers };
}

/** The product's API as its admin (Authorization: Bearer <API key>). */
export class ProductApi {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  private headers(json: boolean): Record<string, string> {
    return { authorization: `Bearer ${this.apiKey}`, ...(json ? { 'content-type': 'application/json' } : {}) };
  }

  async get<T>(path: string): Promise<T> {
    return (await call<T>(`${this.baseUrl}${path}`, { headers: this.headers(false) })).body;
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return (await call<T>(`${this.baseUrl}${path}`, { method: 'POST', headers: this.headers(true), body: JSON.stringify(body), timeoutMs: 120_000 })).body;
  }

  /** A POST whose answer sets cookies for the browser (the OAuth start): the body and the cookies, as a Cookie header. */
  async postForCookies<T>(path: string, body: unknown): Promise<{ body: T; cookie: string }> {
    const answer = await call<T>(`${this.baseUrl}${path}`, { method: 'POST', headers: this.headers(true), body: JSON.stringify(body), timeoutMs: 120_000 });
    return { body: answer.body, cookie: answer.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ') };
  }

  async delete<T>(path: string): Promise<T> {
    return (await call<T>(`${this.baseUrl}${path}`, { method: 'DELETE', headers: this.headers(false), timeoutMs: 60_000 })).body;
  }
}

/** The emulator's Zendesk API with the account's API token, as the agent or as any verified user. */
export class ZendeskApi {
  constructor(
    readonly emulatorUrl: string,
    private readonly agentEmail: string,
    private readonly apiToken: string,
  ) {}

  private auth(asEmail: string): string {
    return `Basic ${Buffer.from(`${asEmail}/token:${this.apiToken}`).toString('base64')}`;
  }

  async request<T>(method: string, subdomain: string, path: string, body?: unknown, asEmail = this.agentEmail): Promise<T> {
    const headers: Record<string, string> = { authorization: this.auth(asEmail) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const url = `${this.emulatorUrl}/${subdomain}/api/v2${path}`;
    return (await call<T>(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), timeoutMs: 15_000 })).body;
  }

  /** Every record of a cursor-paginated list (`page[size]=100`, following `links.next`). */
  async all<T>(subdomain: string, path: string, key: string): Promise<T[]> {
    const out: T[] = [];
    let next: string | null = `${this.emulatorUrl}/${subdomain}/api/v2${path}${path.includes('?') ? '&' : '?'}page[size]=100`;
    while (next) {
      const page: { body: Record<string, unknown> } = await call<Record<string, unknown>>(next, { headers: { authorization: this.auth(this.agentEmail) } });
      out.push(...((page.body[key] as T[] | undefined) ?? []));
      const meta = page.body.meta as { has_more?: boolean } | undefined;
      const links = page.body.links as { next?: string | null } | undefined;
      next = meta?.has_more && links?.next ? links.next : null;
    }
    return out;
  }
}

/** Follows one redirect by hand, sending `cookie` if given: answers the Location header of a 3xx. */
export async function redirectLocation(url: string, cookie?: string): Promise<string> {
  const { status, headers } = await call<unknown>(url, cookie ? { headers: { cookie } } : {});
  const location = headers.get('location');
  if (status < 300 || status >= 400 || !location) throw new Error(`${new URL(url).pathname} answered ${status} without a redirect`);
  return new URL(location, url).toString();
}
