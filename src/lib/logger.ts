import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Paths whose values are secrets wherever they appear in a log line. Credentials must never reach a
 * log; redaction is the safety net for the day someone logs a whole object.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-zendesk-webhook-signature"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.apiToken',
  '*.api_token',
  '*.accessToken',
  '*.access_token',
  '*.refreshToken',
  '*.refresh_token',
  '*.clientSecret',
  '*.client_secret',
  '*.signingSecret',
  '*.secret',
  '*.token',
  '*.encryptionKey',
  '*.databaseUrl',
  'password',
  'apiToken',
  'accessToken',
  'refreshToken',
  'secret',
  'token',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}
