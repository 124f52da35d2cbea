/**
 * In-memory authorization codes and tokens, per subdomain (a token from acme is useless on
 * globex). Times are in the clock's "Zendesk now" (`clock.nowMs()`), and lifetimes are emulated
 * seconds added to it: expiry is a property of Zendesk time, like every timestamp the emulator
 * renders.
 */
import { randomBytes } from 'node:crypto';
import type { EmulatorClock } from '../contract.ts';

/** OAS `CreateTokenForGrantType`: "The code is valid for only 120 seconds." */
export const AUTHORIZATION_CODE_TTL_SECONDS = 120;

export interface AuthorizationCode {
  code: string;
  subdomain: string;
  clientIdentifier: string;
  redirectUri: string;
  scopes: string[];
  userId: number;
  /** S256 challenge sent to the authorization endpoint, or null when PKCE was not used. */
  codeChallenge: string | null;
  expiresAtMs: number;
  used: boolean;
}

export interface OAuthToken {
  id: number;
  subdomain: string;
  clientIdentifier: string;
  userId: number;
  scopes: string[];
  accessToken: string;
  refreshToken: string | null;
  createdAtMs: number;
  /** null: the access token never expires (legacy clients without `expires_in`). */
  accessExpiresAtMs: number | null;
  refreshExpiresAtMs: number | null;
  usedAtMs: number | null;
  revoked: boolean;
  /** The grant proved possession with PKCE only (no client secret); refreshes may then omit the secret. */
  publicClientGrant: boolean;
}

export interface IssueTokenInput {
  subdomain: string;
  clientIdentifier: string;
  userId: number;
  scopes: string[];
  accessTtlSeconds: number | null;
  refreshTtlSeconds: number | null;
  publicClientGrant: boolean;
}

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Alphanumeric like the OAS example `gErypPlm4dOVgGRvA1ZzMH5MQ3nLo8bo`, but longer (unguessable). */
export function randomToken(length = 64): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      // 248 = 4 * 62: rejecting the rest keeps the alphabet uniform.
      if (byte < 248 && out.length < length) out += TOKEN_ALPHABET[byte % 62];
    }
  }
  return out;
}

export class OAuthTokenStore {
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly tokens = new Map<number, OAuthToken>();
  /** Lookup indexes: subdomain + token string -> token record. */
  private readonly byAccessToken = new Map<string, OAuthToken>();
  private readonly byRefreshToken = new Map<string, OAuthToken>();
  private nextTokenId = 10_000;

  constructor(private readonly clock: EmulatorClock) {}

  private key(subdomain: string, value: string): string {
    return `${subdomain}\u0000${value}`;
  }

  createCode(input: Omit<AuthorizationCode, 'code' | 'expiresAtMs' | 'used'>): AuthorizationCode {
    const record: AuthorizationCode = {
      ...input,
      code: randomToken(40),
      expiresAtMs: this.clock.nowMs() + AUTHORIZATION_CODE_TTL_SECONDS * 1000,
      used: false,
    };
    this.codes.set(this.key(input.subdomain, record.code), record);
    return record;
  }

  /** The code record (used or not, expired or not: the caller decides), or undefined. */
  findCode(subdomain: string, code: string): AuthorizationCode | undefined {
    return this.codes.get(this.key(subdomain, code));
  }

  isCodeExpired(record: AuthorizationCode): boolean {
    return this.clock.nowMs() >= record.expiresAtMs;
  }

  markCodeUsed(record: AuthorizationCode): void {
    record.used = true;
  }

  issueToken(input: IssueTokenInput): OAuthToken {
    const now = this.clock.nowMs();
    const token: OAuthToken = {
      id: this.nextTokenId++,
      subdomain: input.subdomain,
      clientIdentifier: input.clientIdentifier,
      userId: input.userId,
      scopes: [...input.scopes],
      accessToken: randomToken(),
      refreshToken: input.refreshTtlSeconds === null ? null : randomToken(),
      createdAtMs: now,
      accessExpiresAtMs: input.accessTtlSeconds === null ? null : now + input.accessTtlSeconds * 1000,
      refreshExpiresAtMs: input.refreshTtlSeconds === null ? null : now + input.refreshTtlSeconds * 1000,
      usedAtMs: null,
      revoked: false,
      publicClientGrant: input.publicClientGrant,
    };
    this.tokens.set(token.id, token);
    this.byAccessToken.set(this.key(token.subdomain, token.accessToken), token);
    if (token.refreshToken !== null) this.byRefreshToken.set(this.key(token.subdomain, token.refreshToken), token);
    return token;
  }

  isAccessLive(token: OAuthToken): boolean {
    return !token.revoked && (token.accessExpiresAtMs === null || this.clock.nowMs() < token.accessExpiresAtMs);
  }

  isRefreshLive(token: OAuthToken): boolean {
    return (
      !token.revoked &&
      token.refreshToken !== null &&
      (token.refreshExpiresAtMs === null || this.clock.nowMs() < token.refreshExpiresAtMs)
    );
  }

  findLiveAccessToken(subdomain: string, accessToken: string): OAuthToken | undefined {
    const token = this.byAccessToken.get(this.key(subdomain, accessToken));
    return token && this.isAccessLive(token) ? token : undefined;
  }

  findLiveRefreshToken(subdomain: string, refreshToken: string): OAuthToken | undefined {
    const token = this.byRefreshToken.get(this.key(subdomain, refreshToken));
    return token && this.isRefreshLive(token) ? token : undefined;
  }

  findById(subdomain: string, id: number): OAuthToken | undefined {
    const token = this.tokens.get(id);
    return token && token.subdomain === subdomain && !token.revoked ? token : undefined;
  }

  /** Unrevoked tokens of a subdomain (expired ones included, as `include_expired` can show them). */
  list(subdomain: string): OAuthToken[] {
    return [...this.tokens.values()].filter((token) => token.subdomain === subdomain && !token.revoked);
  }

  markUsed(token: OAuthToken): void {
    token.usedAtMs = this.clock.nowMs();
  }

  /** Revocation deletes both halves: the access token and its refresh token die together. */
  revoke(token: OAuthToken): void {
    token.revoked = true;
  }

  /** Test hook: makes live access tokens (and optionally refresh tokens) expired now. */
  expireAll(options: { subdomain?: string; includeRefreshTokens?: boolean }): { accessTokens: number; refreshTokens: number } {
    const now = this.clock.nowMs();
    let accessTokens = 0;
    let refreshTokens = 0;
    for (const token of this.tokens.values()) {
      if (token.revoked || (options.subdomain !== undefined && token.subdomain !== options.subdomain)) continue;
      if (this.isAccessLive(token)) {
        token.accessExpiresAtMs = now;
        accessTokens++;
      }
      if (options.includeRefreshTokens && this.isRefreshLive(token)) {
        token.refreshExpiresAtMs = now;
        refreshTokens++;
      }
    }
    return { accessTokens, refreshTokens };
  }

  counts(): Record<string, { live_access_tokens: number; live_refresh_tokens: number; expired_access_tokens: number; revoked_tokens: number; pending_codes: number }> {
    const out: ReturnType<OAuthTokenStore['counts']> = {};
    const bucket = (subdomain: string) =>
      (out[subdomain] ??= { live_access_tokens: 0, live_refresh_tokens: 0, expired_access_tokens: 0, revoked_tokens: 0, pending_codes: 0 });
    for (const token of this.tokens.values()) {
      const counts = bucket(token.subdomain);
      if (token.revoked) counts.revoked_tokens++;
      else if (this.isAccessLive(token)) counts.live_access_tokens++;
      else counts.expired_access_tokens++;
      if (this.isRefreshLive(token)) counts.live_refresh_tokens++;
    }
    for (const code of this.codes.values()) {
      if (!code.used && !this.isCodeExpired(code)) bucket(code.subdomain).pending_codes++;
    }
    return out;
  }
}
