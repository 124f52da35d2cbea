/** The flags of `npm run demo` (see demo.ts), parsed with node:util parseArgs. */
import { parseArgs } from 'node:util';

export interface DemoOptions {
  /** Wipe `dataDir` first. */
  fresh: boolean;
  /** The product's port. */
  port: number;
  /** The emulator's port (0: any free port). */
  emulatorPort: number;
  /** The port of the caught-mail page, when the demo catches the product's mail (no SMTP_URL; 0: any free port). */
  mailPort: number;
  /** Tickets per emulated subdomain. */
  tickets: number;
  activity: boolean;
  activityIntervalMs: number;
  /** Stop this many seconds after the demo is ready (tests); null: run until Ctrl-C. */
  durationS: number | null;
  dataDir: string;
  /** Build the web UI first when its sources changed (what `npm start` does). */
  build: boolean;
  seed: number;
}

export const DEMO_USAGE = `Usage: npm run demo -- [flags]

Starts a Zendesk emulator with two subdomains and realistic data, the product on the embedded
database (DATA_DIR ./data-demo), CSCX customers matching most of the emulator's organizations,
connects both subdomains, prints the URL and the demo login, then keeps ticket activity going
(new tickets, replies, escalations, ratings, spikes) through the emulator's API. Ctrl-C stops it all.

  --fresh                     wipe the demo's data folder first (start over)
  --port N                    the product's port (default 3000)
  --emulator-port N           the Zendesk emulator's port (default 4010; 0: any free port)
  --mail-port N               without SMTP_URL, the product's mail is caught on this machine, never
                              delivered, and listed on a page at this port (default 4025; 0: any free port)
  --tickets N                 tickets per Zendesk subdomain (default 3000)
  --no-activity               no ticket activity after the setup
  --activity-interval-ms N    mean pause between two activity events (default 4000)
  --duration-s N              stop N seconds after the demo is ready (default: run until Ctrl-C)
  --data-dir DIR              the product's DATA_DIR (default ./data-demo)
  --seed N                    seed of the generated data and the activity (default 7)
  --no-build                  do not build the web UI, even when its sources changed
  --help                      this text`;

export class DemoUsageError extends Error {}

function integer(name: string, value: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new DemoUsageError(`--${name} must be a whole number from ${min} to ${max === Number.MAX_SAFE_INTEGER ? 'any' : max}, got "${value}"`);
  }
  return parsed;
}

export function parseDemoOptions(argv: string[]): DemoOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        fresh: { type: 'boolean' },
        port: { type: 'string' },
        'emulator-port': { type: 'string' },
        'mail-port': { type: 'string' },
        tickets: { type: 'string' },
        'no-activity': { type: 'boolean' },
        'activity-interval-ms': { type: 'string' },
        'duration-s': { type: 'string' },
        'data-dir': { type: 'string' },
        seed: { type: 'string' },
        'no-build': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new DemoUsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const dataDir = values['data-dir']?.trim() || './data-demo';
  const port = integer('port', values.port, 3000, 1, 65535);
  const emulatorPort = integer('emulator-port', values['emulator-port'], 4010, 0, 65535);
  if (port === emulatorPort) throw new DemoUsageError(`--port and --emulator-port must differ (both ${port})`);
  const mailPort = integer('mail-port', values['mail-port'], 4025, 0, 65535);
  if (mailPort !== 0 && (mailPort === port || mailPort === emulatorPort)) throw new DemoUsageError(`--mail-port must differ from --port and --emulator-port (${mailPort})`);
  return {
    fresh: values.fresh ?? false,
    port,
    emulatorPort,
    mailPort,
    tickets: integer('tickets', values.tickets, 3000, 50, 200_000),
    activity: !(values['no-activity'] ?? false),
    activityIntervalMs: integer('activity-interval-ms', values['activity-interval-ms'], 4000, 100, 3_600_000),
    durationS: values['duration-s'] === undefined ? null : integer('duration-s', values['duration-s'], 0, 1),
    dataDir,
    build: !(values['no-build'] ?? false),
    seed: integer('seed', values.seed, 7, 0, 2 ** 31),
  };
}
