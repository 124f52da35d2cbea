/**
 * `npm run cli -- <command> [options] [--json]`: operator commands, calling the same services as
 * the server (one file per command group in commands/). Every command has `--help`, prints JSON
 * with `--json`, and exits non-zero with a one-line reason on failure.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { DataDirLockedError } from '../db/data-dir-lock.ts';
import type { Db } from '../db/db.ts';
import { openDatabase } from '../db/open-db.ts';
import type { Deps } from '../deps.ts';
import { createJobQueue, jobSchemaOf, type JobQueue } from '../jobs/queue.ts';
import { queueSyncRequests } from '../jobs/sync.jobs.ts';
import { loadKeyring } from '../lib/keyring-file.ts';
import { createLogger } from '../lib/logger.ts';
import { AppError } from '../lib/errors.ts';
import { createSecretBox, SecretBoxError } from '../lib/secret-box.ts';
import { ticketOutboxDrainer } from '../ticket-outbox-effects.ts';
import { UsageError, type Command, type CommandContext } from './command.ts';
import { connectCommand, statusCommand } from './commands/connections.ts';
import { customersImportCommand } from './commands/customers-import.ts';
import { keysRotateCommand, migrateCommand, secretsReencryptCommand } from './commands/maintenance.ts';
import { syncCommand } from './commands/sync.ts';
import { usersCreateCommand } from './commands/users.ts';

const commands: Record<string, Command> = {
  status: statusCommand,
  connect: connectCommand,
  sync: syncCommand,
  'users create': usersCreateCommand,
  'customers import': customersImportCommand,
  migrate: migrateCommand,
  'keys rotate': keysRotateCommand,
  'secrets reencrypt': secretsReencryptCommand,
};

function usageLine(name: string, command: Command): string {
  const options = Object.entries(command.options ?? {}).map(([option, spec]) => {
    const text = spec.type === 'string' ? `--${option} ${spec.value ?? '<value>'}` : `--${option}`;
    return spec.required ? text : `[${text}]`;
  });
  return ['npm run cli --', name, command.args, ...options, '[--json]'].filter(Boolean).join(' ');
}

function help(): string {
  const lines = Object.entries(commands).map(([name, command]) => `  ${`${name} ${command.args ?? ''}`.trim().padEnd(34)} ${command.summary}`);
  return [
    'usage: npm run cli -- <command> [options] [--json]',
    '',
    'commands:',
    ...lines,
    '',
    'npm run cli -- <command> --help describes one. Configuration comes from the environment (see README).',
    'Exit codes: 0 when the command did all it was asked; 1 otherwise, with the reason as the last line on',
    'standard error (customers import: also when some rows were refused; sync --wait: when the sync failed).',
  ].join('\n');
}

function commandHelp(name: string, command: Command): string {
  const options = Object.entries(command.options ?? {}).map(([option, spec]) => `  ${`--${option}${spec.type === 'string' ? ` ${spec.value ?? '<value>'}` : ''}`.padEnd(28)} ${spec.help}`);
  options.push(`  ${'--json'.padEnd(28)} print the result as JSON`, `  ${'--help'.padEnd(28)} this help`);
  return [`usage: ${usageLine(name, command)}`, '', command.summary, '', 'options:', ...options, ...(command.notes ? ['', ...command.notes] : [])].join('\n');
}

/** The command named by the first words of the line, and the rest of the line. */
function findCommand(argv: string[]): { name: string; command: Command; rest: string[] } | undefined {
  const words: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith('-')) break;
    words.push(arg);
  }
  const name = Object.keys(commands)
    .filter((candidate) => candidate.split(' ').every((word, k) => words[k] === word))
    .sort((a, b) => b.split(' ').length - a.split(' ').length)[0];
  const command = name === undefined ? undefined : commands[name];
  return name === undefined || !command ? undefined : { name, command, rest: argv.slice(name.split(' ').length) };
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => (text += chunk));
    process.stdin.once('end', () => resolve(text));
    process.stdin.once('error', reject);
  });
}

async function main(argv: string[]): Promise<void> {
  const found = findCommand(argv);
  if (!found) {
    const words = argv.filter((arg) => !arg.startsWith('-'));
    if (words.length === 0 && (argv.length === 0 || argv.includes('--help'))) {
      console.log(help());
      return;
    }
    throw new UsageError(`unknown command "${words.join(' ') || argv.join(' ')}"; npm run cli -- --help lists the commands`);
  }
  const { name, command, rest } = found;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        ...Object.fromEntries(Object.entries(command.options ?? {}).map(([option, spec]) => [option, { type: spec.type }])),
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    const reason = ((error as Error).message.split('\n')[0] ?? '').replace(/\. To specify a positional argument.*$/, '');
    throw new UsageError(`${reason}; npm run cli -- ${name} --help lists the options`);
  }
  if (parsed.values.help) {
    console.log(commandHelp(name, command));
    return;
  }
  if (parsed.positionals.length > 0 && !command.args) throw new UsageError(`${name} takes no argument "${parsed.positionals.join(' ')}"; npm run cli -- ${name} --help`);
  const json = parsed.values.json === true;
  const config: Config = loadConfig();

  let db: Db | undefined;
  let deps: Deps | undefined;
  let queue: JobQueue | undefined;
  const openDb = async () => (db ??= await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR }));
  const context: CommandContext = {
    config,
    args: parsed.positionals,
    options: parsed.values as Record<string, string | boolean | undefined>,
    json,
    db: openDb,
    async deps() {
      if (deps) return deps;
      const database = await openDb();
      const { keyring } = loadKeyring({ encryptionKey: config.ENCRYPTION_KEY, dataDir: config.DATA_DIR });
      // Logs go to standard error, so that --json output stays parseable.
      const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, process.stderr);
      // The job queue is started only when a command asks the workers for something.
      const startQueue = async () => {
        if (!queue) {
          queue = createJobQueue(database, { logger, schema: await jobSchemaOf(database) });
          await queue.start();
        }
        return queueSyncRequests(queue);
      };
      const built: Deps = {
        config,
        db: database,
        logger,
        secrets: createSecretBox(keyring),
        syncRequests: {
          sync: async (connectionId) => (await startQueue()).sync(connectionId),
          processWebhooks: async (connectionId) => (await startQueue()).processWebhooks(connectionId),
        },
      };
      // Tickets written by a sync run here have their consequences drained as in the server
      // (alerts; the customers' metrics and health, recomputed in this process).
      built.ticketOutbox = ticketOutboxDrainer(built);
      deps = built;
      return built;
    },
    emit: (line) => console.log(line),
    readStdin,
  };
  try {
    const result = await command.run(context);
    const text = json
      ? JSON.stringify(result)
      : command.describe
        ? command.describe(result)
        : Object.entries(result)
            .map(([key, value]) => `${key}: ${Array.isArray(value) ? value.join(', ') || '(none)' : String(value)}`)
            .join('\n');
    console.log(text);
  } finally {
    await queue?.stop({ timeoutMs: 5_000 });
    await (db as Db | undefined)?.close();
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    const known = error instanceof UsageError || error instanceof ConfigError || error instanceof DataDirLockedError || error instanceof SecretBoxError || error instanceof AppError;
    const message = error instanceof Error ? error.message : String(error);
    console.error((known ? message : `failed: ${message}`).split('\n')[0]);
    process.exit(1);
  },
);
