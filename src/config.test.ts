import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, DEFAULT_FREE_MAIL_DOMAINS, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      PORT: 3000,
      HOST: '127.0.0.1',
      DATA_DIR: './data',
      DATABASE_URL: undefined,
      LOG_LEVEL: 'info',
      ZENDESK_URL_TEMPLATE: 'https://{subdomain}.zendesk.com',
      SYNC_INTERVAL_SECONDS: 120,
      ZENDESK_EXPORT_REQUESTS_PER_MINUTE: 10,
      ZENDESK_REQUESTS_PER_MINUTE: 400,
      FREE_MAIL_DOMAINS: DEFAULT_FREE_MAIL_DOMAINS,
      ALERT_SPIKE_THRESHOLD: 3,
      ALERT_SPIKE_WINDOW_HOURS: 24,
      ALERT_HISTORY_WINDOW_HOURS: 24,
      PUBLIC_URL: undefined,
      ZENDESK_OAUTH_CLIENT_ID: undefined,
      ZENDESK_OAUTH_CLIENT_SECRET: undefined,
      ENCRYPTION_KEY: undefined,
      METRICS_TOKEN: undefined,
      METRICS_PORT: undefined,
      SHUTDOWN_TIMEOUT_SECONDS: 25,
      CORS_ORIGINS: [],
      API_RATE_LIMIT_PER_MINUTE: 600,
      TEST_CRASH_AFTER_TICKET_COMMIT: false,
      TRUST_PROXY: false,
      ADMIN_EMAIL: undefined,
      ADMIN_PASSWORD: undefined,
      ADMIN_API_KEY: undefined,
    });
  });

  it('reads and converts given values', () => {
    const config = loadConfig({ PORT: '8080', HOST: '0.0.0.0', DATABASE_URL: 'postgres://u:p@db:5432/x', ZENDESK_URL_TEMPLATE: 'http://127.0.0.1:4010/{subdomain}/' });
    expect(config.PORT).toBe(8080);
    expect(config.HOST).toBe('0.0.0.0');
    expect(config.DATABASE_URL).toBe('postgres://u:p@db:5432/x');
    expect(config.ZENDESK_URL_TEMPLATE).toBe('http://127.0.0.1:4010/{subdomain}');
  });

  it.each([
    [{ PORT: 'abc' }, /^Invalid configuration: PORT="abc" is not a number\. Fix: set PORT to a TCP port/],
    [{ PORT: '70000' }, /PORT="70000" is above 65535/],
    [{ PORT: '1.5' }, /PORT="1.5" is not a whole number/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL="loud" is not one of fatal, error/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL=\(value hidden\) is not a postgres:\/\/ URL\. Fix:/],
    [{ ENCRYPTION_KEY: 'k1:c2hvcnQ=' }, /^Invalid configuration: ENCRYPTION_KEY=\(value hidden\) is not a keyring/],
    [{ ADMIN_PASSWORD: 'short' }, /ADMIN_PASSWORD=\(value hidden\) is shorter than 12 characters/],
    [{ PUBLIC_URL: 'cscx.example.com' }, /PUBLIC_URL="cscx.example.com" is not an http\(s\) URL/],
    [{ ZENDESK_URL_TEMPLATE: 'https://zendesk.com' }, /ZENDESK_URL_TEMPLATE="https:\/\/zendesk.com" has no \{subdomain\} placeholder/],
  ])('refuses %o with one clear line', (env, message) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('never prints a database password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:s3cret@host/db' })).toThrow(/^(?!.*s3cret)/);
  });

  it('has every variable documented in the README and .env.example', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    for (const name of CONFIG_VARIABLES) {
      expect(readme, `README lacks ${name}`).toContain(`\`${name}\``);
      expect(example, `.env.example lacks ${name}`).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
    }
  });
});
