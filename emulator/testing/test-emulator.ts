/** Helpers for the emulator's own tests: an emulator on a pinned clock and a small request helper. */
import { type Emulator, type EmulatorOptions, buildEmulator } from '../app.ts';
import type { ZTicket, ZUser } from '../contract.ts';
import type { AccountState } from '../support-api/state.ts';
import { type ManualClock, createManualClock } from './manual-clock.ts';

export const NOW_MS = Date.UTC(2025, 5, 2, 12, 0, 0);
export const TOKEN = 'test-api-token';
export const ADMIN_EMAIL = 'admin@example.com';

export function basicAuth(email: string, token = TOKEN): string {
  return `Basic ${Buffer.from(`${email}/token:${token}`).toString('base64')}`;
}

export const ADMIN = basicAuth(ADMIN_EMAIL);

export interface TestEmulator {
  emulator: Emulator;
  clock: ManualClock;
  state(subdomain?: string): AccountState;
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
}

export interface RequestOptions {
  /** Authorization header; null: none. Defaults to the admin's API token. */
  auth?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export async function testEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const clock = createManualClock(options.nowMs ?? NOW_MS, options.timeScale ?? 1);
  const emulator = await buildEmulator({
    apiToken: TOKEN,
    nowMs: NOW_MS,
    clock,
    organizations: 10,
    users: 150,
    tickets: 1000,
    integrations: false,
    ...options,
  });
  return {
    emulator,
    clock,
    state: (subdomain = 'acme') => {
      const state = emulator.store.state(subdomain);
      if (!state) throw new Error(`no account ${subdomain}`);
      return state;
    },
    request: async (method, path, requestOptions = {}) => {
      const headers: Record<string, string> = { ...requestOptions.headers };
      const auth = requestOptions.auth === undefined ? ADMIN : requestOptions.auth;
      if (auth !== null) headers.authorization = auth;
      if (requestOptions.body !== undefined || method !== 'GET') headers['content-type'] ??= 'application/json';
      const response = await emulator.app.inject({
        method: method as 'GET',
        url: path,
        headers,
        payload: requestOptions.body === undefined ? undefined : JSON.stringify(requestOptions.body),
      });
      let json: unknown = undefined;
      try {
        json = response.body ? JSON.parse(response.body) : undefined;
      } catch {
        json = undefined;
      }
      return { status: response.statusCode, headers: response.headers, text: response.body, json };
    },
  };
}

/** A verified, active end user of the account who requested at least one ticket matching `where`. */
export function requesterOf(state: AccountState, where: (ticket: ZTicket) => boolean): { user: ZUser; ticket: ZTicket } {
  for (const ticket of state.account.tickets.values()) {
    const user = state.account.users.get(ticket.requester_id);
    if (user && user.verified && user.role === 'end-user' && !ticket.deleted && where(ticket)) return { user, ticket };
  }
  throw new Error('no matching requester in the generated data');
}

export function agentOf(state: AccountState): ZUser {
  const agent = [...state.account.users.values()].find((user) => user.role === 'agent');
  if (!agent) throw new Error('no agent');
  return agent;
}
