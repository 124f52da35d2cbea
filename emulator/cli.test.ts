import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCliOptions } from './cli-options.ts';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));

describe('cli flags', () => {
  it('parses every flag', () => {
    expect(
      parseCliOptions([
        '--port', '0', '--host', '127.0.0.1', '--seed', '3', '--subdomains', 'acme,globex', '--orgs', '5', '--users', '50',
        '--tickets', '70', '--agent-email', 'boss@corp.test', '--api-token', 'tok', '--oauth-client-id', 'cid',
        '--oauth-client-secret', 'sec', '--rate-limits', 'realistic', '--time-scale', '60', '--faults', '5xx=0.1,latency=5ms',
        '--webhook-drop', '0.1', '--webhook-duplicate', '0.2', '--webhook-reorder', '0.3',
      ]),
    ).toMatchObject({
      port: 0, seed: 3, subdomains: ['acme', 'globex'], organizations: 5, users: 50, tickets: 70, agentEmail: 'boss@corp.test',
      apiToken: 'tok', oauthClientId: 'cid', oauthClientSecret: 'sec', rateLimits: 'realistic', timeScale: 60,
      faults: { serverErrorRate: 0.1, latencyMs: 5, resetRate: 0, malformedRate: 0 }, webhookDrop: 0.1, webhookDuplicate: 0.2, webhookReorder: 0.3,
    });
    expect(parseCliOptions(['--help'])).toBe('help');
  });

  it('refuses unknown and invalid flags', () => {
    for (const args of [['--nope'], ['--port', 'x'], ['--port', '70000'], ['--rate-limits', 'maybe'], ['--time-scale', '0'], ['--webhook-drop', '2'], ['--faults', 'x=1'], ['stray']]) {
      expect(() => parseCliOptions(args), args.join(' ')).toThrow();
    }
  });
});

describe('cli process', () => {
  it('prints exactly the listening line first, then the credentials; exits 2 on a bad flag', async () => {
    const child = spawn(TSX, [CLI, '--port', '0', '--tickets', '10', '--users', '10', '--orgs', '2', '--api-token', 'tok', '--oauth-client-secret', 'sec'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8');
    const ready = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('oauth client secret')) resolve();
      });
    });
    const bad = spawn(TSX, [CLI, '--bogus'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const badExit = once(bad, 'exit');
    let badError = '';
    bad.stderr.setEncoding('utf8');
    bad.stderr.on('data', (chunk: string) => (badError += chunk));
    try {
      await ready;
      const lines = output.trim().split('\n');
      expect(lines[0]).toMatch(/^zendesk emulator listening on http:\/\/127\.0\.0\.1:\d+$/);
      expect(lines.slice(1).join('\n')).toMatch(/subdomains: acme[\s\S]*agent email: admin@example.com[\s\S]*api token: tok[\s\S]*oauth client id: cscx[\s\S]*oauth client secret: sec/);
      const [code] = await badExit;
      expect(code).toBe(2);
      expect(badError.trim().split('\n')).toHaveLength(1);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
