/** `users create`: a user of ours, with a password typed, piped or generated (and optionally an API key). */
import { createInterface } from 'node:readline';
import { createApiKey, createUser } from '../../modules/users/auth.service.ts';
import { generatePassword } from '../../modules/users/password.ts';
import { ROLES, type Role } from '../../contracts/vocabulary.ts';
import { requiredOption, stringOption, UsageError, type Command, type CommandContext } from '../command.ts';

const MIN_PASSWORD = 12;

/** Asks for a password on the terminal without echoing it. */
async function promptHidden(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const write = (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput;
  (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = (text: string) => {
    if (text.startsWith(question)) write.call(rl, question);
  };
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    process.stdout.write('\n');
    rl.close();
  }
}

async function choosePassword(context: CommandContext): Promise<{ password: string; generated: boolean }> {
  if (context.options['password-stdin'] === true) {
    const password = (await context.readStdin()).split(/\r?\n/)[0] ?? '';
    if (password.length < MIN_PASSWORD) throw new UsageError(`the password from standard input is shorter than ${MIN_PASSWORD} characters`);
    return { password, generated: false };
  }
  if (process.stdin.isTTY && !context.json) {
    const password = await promptHidden(`password (${MIN_PASSWORD}+ characters; empty: generate one): `);
    if (password === '') return { password: generatePassword(), generated: true };
    if (password.length < MIN_PASSWORD) throw new UsageError(`the password is shorter than ${MIN_PASSWORD} characters`);
    if ((await promptHidden('the same password again: ')) !== password) throw new UsageError('the two passwords differ');
    return { password, generated: false };
  }
  return { password: generatePassword(), generated: true };
}

export const usersCreateCommand: Command = {
  summary: 'create a user (admin, leader or csm) who signs in with email and password',
  options: {
    email: { type: 'string', required: true, value: '<email>', help: 'the email the user signs in with' },
    role: { type: 'string', required: true, value: '<role>', help: `one of ${ROLES.join(', ')}` },
    name: { type: 'string', value: '<name>', help: 'the name shown (default: the email before the @)' },
    'password-stdin': { type: 'boolean', help: 'read the password from standard input (first line)' },
    'api-key': { type: 'boolean', help: 'also make an API key for the user (shown once)' },
  },
  notes: ['Without --password-stdin, the password is asked for on a terminal, or generated and shown once.'],
  run: async (context) => {
    const email = requiredOption(context, 'email', 'users create');
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new UsageError(`"${email}" is not an email address`);
    const role = requiredOption(context, 'role', 'users create') as Role;
    if (!ROLES.includes(role)) throw new UsageError(`"${role}" is not a role: use ${ROLES.join(', ')}`);
    const name = stringOption(context, 'name') ?? email.split('@')[0] ?? email;
    const db = await context.db();
    const { password, generated } = await choosePassword(context);
    let user;
    try {
      user = await createUser(db, { email, name, role, password });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new UsageError(`there is already a user with the email ${email}`);
      throw error;
    }
    const apiKey = context.options['api-key'] === true ? (await createApiKey(db, user.id, 'made by npm run cli -- users create')).key : undefined;
    return { user, ...(generated ? { password } : {}), ...(apiKey ? { apiKey } : {}) };
  },
  describe: (result) => {
    const user = result.user as { email: string; role: string; id: string };
    const lines = [`created ${user.role} ${user.email} (${user.id})`];
    if (result.password) lines.push(`  password (shown once): ${String(result.password)}`);
    if (result.apiKey) lines.push(`  API key (shown once): ${String(result.apiKey)}`);
    return lines.join('\n');
  },
};
