/**
 * Every environment variable the product reads, in one zod schema. This is the only module that
 * reads process.env; the rest receive a typed Config. A wrong value stops the process with one line
 * that names the variable, says what is wrong with the value and how to fix it.
 */
import { z } from 'zod';
import { parseKeyring } from './lib/secret-box.ts';

/** Free-mail domains: never evidence of a customer (the default of FREE_MAIL_DOMAINS). */
export const DEFAULT_FREE_MAIL_DOMAINS = [
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'yahoo.com', 'ymail.com',
  'aol.com', 'icloud.com', 'me.com', 'mac.com', 'proton.me', 'protonmail.com', 'gmx.com', 'gmx.de', 'gmx.net',
  'web.de', 'mail.com', 'yandex.com', 'yandex.ru', 'zoho.com', 'qq.com', '163.com', 'hey.com', 'fastmail.com',
];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

interface Variable<T extends z.ZodType> {
  schema: T;
  /** How to fix a wrong value: shown after the problem. */
  fix: string;
}

function variable<T extends z.ZodType>(schema: T, fix: string): Variable<T> {
  return { schema, fix };
}

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const variables = {
  PORT: variable(
    z.coerce.number({ message: 'is not a number' }).int('is not a whole number').min(1, 'is below 1').max(65535, 'is above 65535').default(3000),
    'set PORT to a TCP port between 1 and 65535 (default 3000)',
  ),
  HOST: variable(z.string().trim().min(1, 'is empty').default('127.0.0.1'), 'set HOST to the address to listen on, e.g. 127.0.0.1 or 0.0.0.0'),
  DATA_DIR: variable(z.string().trim().min(1, 'is empty').default('./data'), 'set DATA_DIR to a writable folder (default ./data)'),
  DATABASE_URL: variable(
    optionalText.refine((value) => value === undefined || /^postgres(ql)?:\/\/.+/.test(value), 'is not a postgres:// URL'),
    'set DATABASE_URL to postgres://user:password@host:5432/database, or unset it to use the embedded database in DATA_DIR',
  ),
  LOG_LEVEL: variable(z.enum(LOG_LEVELS, { message: `is not one of ${LOG_LEVELS.join(', ')}` }).default('info'), `set LOG_LEVEL to one of ${LOG_LEVELS.join(', ')}`),
  ZENDESK_URL_TEMPLATE: variable(
    z
      .string()
      .trim()
      .default('https://{subdomain}.zendesk.com')
      .refine((value) => value.includes('{subdomain}'), 'has no {subdomain} placeholder')
      .refine((value) => URL.canParse(value.replace('{subdomain}', 'acme')), 'is not a URL')
      .transform((value) => value.replace(/\/+$/, '')),
    'set ZENDESK_URL_TEMPLATE to a URL with {subdomain}, e.g. https://{subdomain}.zendesk.com or the emulator\'s http://127.0.0.1:4010/{subdomain}',
  ),
  SYNC_INTERVAL_SECONDS: variable(
    z.coerce.number({ message: 'is not a number' }).int('is not a whole number').min(10, 'is below 10').max(86_400, 'is above 86400').default(120),
    'set SYNC_INTERVAL_SECONDS to how often (in seconds, 10 to 86400) each connection catches up on Zendesk changes (default 120)',
  ),
  ZENDESK_EXPORT_REQUESTS_PER_MINUTE: variable(
    z.coerce.number({ message: 'is not a number' }).int('is not a whole number').min(0, 'is negative').default(10),
    "set ZENDESK_EXPORT_REQUESTS_PER_MINUTE to Zendesk's incremental-export limit per account (10; 30 with the High Volume API add-on; 0 turns pacing off)",
  ),
  ZENDESK_REQUESTS_PER_MINUTE: variable(
    z.coerce.number({ message: 'is not a number' }).int('is not a whole number').min(0, 'is negative').default(400),
    "set ZENDESK_REQUESTS_PER_MINUTE to your Zendesk plan's API limit per minute (Team 200, Growth/Professional 400, Enterprise 700, High Volume 2500; 0 turns pacing off)",
  ),
  FREE_MAIL_DOMAINS: variable(
    z
      .string()
      .optional()
      .transform((value) => (value === undefined ? DEFAULT_FREE_MAIL_DOMAINS : value.split(',').map((d) => d.trim().toLowerCase()).filter(Boolean)))
      .refine((domains) => domains.every((d) => /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(d)), 'has an entry that is not a domain name'),
    'set FREE_MAIL_DOMAINS to a comma-separated list of domains whose addresses never identify a customer (default: gmail.com, outlook.com, yahoo.com and other free-mail providers)',
  ),
  ALERT_SPIKE_THRESHOLD: variable(
    z.coerce.number({ message: 'is not a number' }).int('is not a whole number').min(2, 'is below 2').max(1000, 'is above 1000').default(3),
    'set ALERT_SPIKE_THRESHOLD to how many tickets a customer opens within the spike window to raise a ticket-spike alert (default 3)',
  ),
  ALERT_SPIKE_WINDOW_HOURS: variable(
    z.coerce.number({ message: 'is not a number' }).min(1, 'is below 1').max(720, 'is above 720').default(24),
    'set ALERT_SPIKE_WINDOW_HOURS to the window of a ticket spike, in hours (default 24)',
  ),
  ALERT_HISTORY_WINDOW_HOURS: variable(
    z.coerce.number({ message: 'is not a number' }).min(0, 'is below 0').max(8760, 'is above 8760').default(24),
    'set ALERT_HISTORY_WINDOW_HOURS to how far before a connection was made an event may lie and still raise an alert, in hours (default 24; 0: only events after the connection)',
  ),
  PUBLIC_URL: variable(
    optionalText
      .refine((value) => value === undefined || /^https?:\/\/[^/]+/.test(value), 'is not an http(s) URL')
      .transform((value) => value?.replace(/\/+$/, '')),
    'set PUBLIC_URL to the address Zendesk and browsers use to reach this server, e.g. https://cscx.example.com (default http://HOST:PORT)',
  ),
  SMTP_URL: variable(
    optionalText.refine((value) => {
      if (value === undefined) return true;
      try {
        const url = new URL(value);
        return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
      } catch {
        return false;
      }
    }, 'is not an smtp:// or smtps:// URL'),
    'set SMTP_URL to your mail server, smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465, to send alerts by email; unset: alerts stay in the app (and webhooks)',
  ),
  MAIL_FROM: variable(
    optionalText.refine((value) => value === undefined || /^[^<>@\s]+@[^<>@\s]+$|<[^<>@\s]+@[^<>@\s]+>$/.test(value), 'is not an address like alerts@example.com or "CSCX <alerts@example.com>"'),
    'set MAIL_FROM to the sender of alert emails, e.g. "CSCX alerts <alerts@example.com>" (default: alerts@ the host of PUBLIC_URL)',
  ),
  ZENDESK_OAUTH_CLIENT_ID: variable(optionalText, 'set ZENDESK_OAUTH_CLIENT_ID to the Identifier of the OAuth client created in Zendesk Admin Center'),
  ZENDESK_OAUTH_CLIENT_SECRET: variable(optionalText, 'set ZENDESK_OAUTH_CLIENT_SECRET to the Secret of that OAuth client'),
  ENCRYPTION_KEY: variable(
    optionalText.refine((value) => {
      if (value === undefined) return true;
      try {
        parseKeyring(value);
        return true;
      } catch {
        return false;
      }
    }, 'is not a keyring of id:base64key entries with 32-byte keys'),
    'set ENCRYPTION_KEY to id:key where key is 32 random bytes in base64 (openssl rand -base64 32), newest first, comma-separated; or unset it to use the key file in DATA_DIR',
  ),
  METRICS_TOKEN: variable(
    optionalText.refine((value) => value === undefined || value.length >= 16, 'is shorter than 16 characters'),
    'set METRICS_TOKEN to at least 16 random characters (openssl rand -hex 24) and give it to Prometheus as its bearer token, or unset it so that only admins (API key) may read /metrics',
  ),
  METRICS_PORT: variable(
    z.coerce.number({ message: 'is not a number' }).int('is not a whole number').min(1, 'is below 1').max(65535, 'is above 65535').optional(),
    'set METRICS_PORT to a TCP port for a metrics-only listener (/metrics, /healthz, /readyz; what worker processes need to be scraped), or unset it',
  ),
  SHUTDOWN_TIMEOUT_SECONDS: variable(
    z.coerce.number({ message: 'is not a number' }).min(1, 'is below 1').max(600, 'is above 600').default(25),
    'set SHUTDOWN_TIMEOUT_SECONDS to how long (1 to 600 s) a stopping process waits for in-flight requests and jobs (default 25, within the usual 30 s grace period)',
  ),
  CORS_ORIGINS: variable(
    z
      .string()
      .optional()
      .transform((value) => (value ?? '').split(',').map((origin) => origin.trim().replace(/\/+$/, '')).filter(Boolean))
      .refine((origins) => origins.every((origin) => /^https?:\/\/[^/\s]+$/.test(origin)), 'has an entry that is not an origin like https://app.example.com'),
    'set CORS_ORIGINS to a comma-separated list of origins allowed to call the API from a browser (e.g. https://app.example.com), or unset it to allow none (the default)',
  ),
  API_RATE_LIMIT_PER_MINUTE: variable(
    z.coerce.number({ message: 'is not a number' }).int('is not a whole number').min(0, 'is negative').default(600),
    'set API_RATE_LIMIT_PER_MINUTE to the API requests one client address may make per minute on each server process (default 600; 0 turns the limit off)',
  ),
  TRUST_PROXY: variable(
    z
      .enum(['true', 'false'], { message: 'is not true or false' })
      .default('false')
      .transform((value) => value === 'true'),
    'set TRUST_PROXY to true when a reverse proxy or load balancer in front of us sets X-Forwarded-For (the client address for rate limits is then the one it saw), else false',
  ),
  TEST_CRASH_AFTER_TICKET_COMMIT: variable(
    z
      .enum(['true', 'false'], { message: 'is not true or false' })
      .default('false')
      .transform((value) => value === 'true'),
    'leave TEST_CRASH_AFTER_TICKET_COMMIT unset (false): true makes the process kill itself right after a ticket write commits, before its alerts are drained, for the crash test',
  ),
  ADMIN_EMAIL: variable(
    optionalText.refine((value) => value === undefined || /^[^@\s]+@[^@\s]+$/.test(value), 'is not an email address'),
    'set ADMIN_EMAIL to the email of the first admin, created on first start',
  ),
  ADMIN_PASSWORD: variable(
    optionalText.refine((value) => value === undefined || value.length >= 12, 'is shorter than 12 characters'),
    'set ADMIN_PASSWORD to at least 12 characters, or unset it to have one generated and printed once',
  ),
  ADMIN_API_KEY: variable(
    optionalText.refine((value) => value === undefined || value.length >= 32, 'is shorter than 32 characters'),
    'set ADMIN_API_KEY to at least 32 random characters, or unset it to have one generated and printed once',
  ),
};

type Variables = typeof variables;
export type Config = { [K in keyof Variables]: z.output<Variables[K]['schema']> };

export class ConfigError extends Error {}

/** Never echo a value that may hold a password (DATABASE_URL) back into a log or terminal. */
const SECRET_VARIABLES = new Set(['DATABASE_URL', 'SMTP_URL', 'ZENDESK_OAUTH_CLIENT_SECRET', 'ENCRYPTION_KEY', 'ADMIN_PASSWORD', 'ADMIN_API_KEY', 'METRICS_TOKEN']);

function describeValue(name: string, value: string | undefined): string {
  if (value === undefined) return '(unset)';
  if (SECRET_VARIABLES.has(name)) return '(value hidden)';
  return JSON.stringify(value);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config: Record<string, unknown> = {};
  for (const [name, { schema, fix }] of Object.entries(variables) as Array<[string, Variable<z.ZodType>]>) {
    const raw = env[name];
    const result = schema.safeParse(raw === '' ? undefined : raw);
    if (!result.success) {
      const problem = result.error.issues[0]?.message ?? 'is not valid';
      throw new ConfigError(`Invalid configuration: ${name}=${describeValue(name, raw)} ${problem}. Fix: ${fix}.`);
    }
    config[name] = result.data;
  }
  return config as Config;
}

/** Where Zendesk and browsers reach us: PUBLIC_URL, or the listen address. */
export function publicUrl(config: Pick<Config, 'PUBLIC_URL' | 'HOST' | 'PORT'>): string {
  return config.PUBLIC_URL ?? `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}`;
}

/** The names and the fixes, for the README table check and --help output. */
export const CONFIG_VARIABLES = Object.keys(variables) as Array<keyof Variables>;
