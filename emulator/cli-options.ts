/** The flags of `npm run emulator` (see cli.ts), parsed with node:util parseArgs. */
import { parseArgs } from 'node:util';
import type { EmulatorOptions } from './app.ts';
import { parseFaultSpec } from './faults/faults.ts';

export const USAGE = `Usage: npm run emulator -- [flags]

  --port N                  port to listen on (default 4010; 0: any free port)
  --host HOST               address to bind (default 127.0.0.1)
  --seed N                  seed of the generated data and injected faults (default 1)
  --subdomains a,b          accounts to host, each under /{subdomain} (default acme)
  --orgs N                  organizations per account (default 20)
  --users N                 end users per account (default 200)
  --tickets N               tickets per account (default 1000)
  --agent-email EMAIL       the admin the API token and OAuth authenticate as (default admin@example.com)
  --api-token TOKEN         API token (random unless given)
  --oauth-client-id ID      OAuth client identifier (default cscx)
  --oauth-client-secret S   OAuth client secret (random unless given)
  --rate-limits MODE        off | realistic (default off)
  --time-scale N            emulated time runs N times faster (60: a minute lasts a second; default 1)
  --faults SPEC             e.g. "5xx=0.2,latency=50ms,reset=0.05,malformed=0.1"
  --webhook-drop SHARE      share of webhook deliveries dropped (0..1, default 0)
  --webhook-duplicate SHARE share delivered twice (0..1, default 0)
  --webhook-reorder SHARE   share delivered out of order (0..1, default 0)
  --help                    this text`;

export class UsageError extends Error {}

function integer(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) throw new UsageError(`--${name} must be an integer >= ${min}, got "${value}"`);
  return parsed;
}

function share(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1) throw new UsageError(`--${name} must be a number from 0 to 1, got "${value}"`);
  return parsed;
}

export function parseCliOptions(argv: string[]): EmulatorOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      subdomains: { type: 'string' },
      orgs: { type: 'string' },
      users: { type: 'string' },
      tickets: { type: 'string' },
      'agent-email': { type: 'string' },
      'api-token': { type: 'string' },
      'oauth-client-id': { type: 'string' },
      'oauth-client-secret': { type: 'string' },
      'rate-limits': { type: 'string' },
      'time-scale': { type: 'string' },
      faults: { type: 'string' },
      'webhook-drop': { type: 'string' },
      'webhook-duplicate': { type: 'string' },
      'webhook-reorder': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const rateLimits = values['rate-limits'];
  if (rateLimits !== undefined && rateLimits !== 'off' && rateLimits !== 'realistic') {
    throw new UsageError(`--rate-limits must be off or realistic, got "${rateLimits}"`);
  }
  const timeScale = values['time-scale'] === undefined ? undefined : Number(values['time-scale']);
  if (timeScale !== undefined && !(timeScale > 0)) throw new UsageError(`--time-scale must be a number > 0, got "${values['time-scale']}"`);
  const agentEmail = values['agent-email'];
  if (agentEmail !== undefined && !/^[^\s@]+@[^\s@]+$/.test(agentEmail)) throw new UsageError(`--agent-email is not an email address: "${agentEmail}"`);
  let faults;
  try {
    faults = values.faults === undefined ? undefined : parseFaultSpec(values.faults);
  } catch (error) {
    throw new UsageError(`--faults: ${(error as Error).message}`);
  }
  const port = integer('port', values.port, 0);
  if (port !== undefined && port > 65535) throw new UsageError(`--port must be at most 65535, got "${values.port}"`);
  return {
    port,
    host: values.host,
    seed: integer('seed', values.seed, 0),
    subdomains: values.subdomains?.split(',').map((s) => s.trim()).filter(Boolean),
    organizations: integer('orgs', values.orgs, 0),
    users: integer('users', values.users, 1),
    tickets: integer('tickets', values.tickets, 0),
    agentEmail,
    apiToken: values['api-token'],
    oauthClientId: values['oauth-client-id'],
    oauthClientSecret: values['oauth-client-secret'],
    rateLimits,
    timeScale,
    faults,
    webhookDrop: share('webhook-drop', values['webhook-drop']),
    webhookDuplicate: share('webhook-duplicate', values['webhook-duplicate']),
    webhookReorder: share('webhook-reorder', values['webhook-reorder']),
  };
}
