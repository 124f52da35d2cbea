/** What every operator command is made of (see main.ts for the dispatch). */
import type { Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import type { Deps } from '../deps.ts';

/** A mistake of the operator's: its message is the one line printed, and the exit code is 1. */
export class UsageError extends Error {}

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** For the help: what the option is (and its value's name, e.g. `<email>`). */
  help: string;
  value?: string;
  /** Shown as required in the usage line (the command checks it). */
  required?: boolean;
}

export interface CommandContext {
  config: Config;
  /** The positional arguments after the command's words. */
  args: string[];
  /** The command's options, as given. */
  options: Record<string, string | boolean | undefined>;
  json: boolean;
  /** The database, opened on first use (closed by main). */
  db(): Promise<Db>;
  /** Services' dependencies over that database (secrets, a silent logger, the job queue for sync requests). */
  deps(): Promise<Deps>;
  /** Progress for a person or, with --json, JSON lines: written to stdout as it happens. */
  emit(line: string): void;
  /** Reads standard input to its end (e.g. a password piped in). */
  readStdin(): Promise<string>;
}

export interface Command {
  summary: string;
  /** Positional arguments for the usage line, e.g. `<file.csv>`; unset: none allowed. */
  args?: string;
  options?: Record<string, OptionSpec>;
  /** Lines after the options in `--help`. */
  notes?: string[];
  run(context: CommandContext): Promise<Record<string, unknown>>;
  /** The result for a person at a terminal; unset: one `key: value` line per entry. */
  describe?(result: Record<string, unknown>): string;
}

export function stringOption(context: CommandContext, name: string): string | undefined {
  const value = context.options[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function requiredOption(context: CommandContext, name: string, command: string): string {
  const value = stringOption(context, name);
  if (value === undefined) throw new UsageError(`${command} needs --${name}; npm run cli -- ${command} --help says more`);
  return value;
}
