import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

function capture(): { stream: Writable; text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

describe('createLogger', () => {
  it('redacts credentials wherever a caller logs them', () => {
    const out = capture();
    const logger = createLogger('info', out.stream);
    logger.info(
      {
        req: { headers: { authorization: 'Bearer live-token-1', cookie: 'sid=session-2' } },
        connection: { subdomain: 'acme', apiToken: 'api-token-3', accessToken: 'access-4', refresh_token: 'refresh-5', signingSecret: 'signing-6' },
        password: 'password-7',
      },
      'something happened',
    );
    const line = out.text();
    expect(line).toContain('"subdomain":"acme"');
    for (const secret of ['live-token-1', 'session-2', 'api-token-3', 'access-4', 'refresh-5', 'signing-6', 'password-7']) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('[redacted]');
  });
});
