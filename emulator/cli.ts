/**
 * `npm run emulator -- [flags]`: starts the Zendesk emulator and prints how to reach it: first
 * exactly one line `zendesk emulator listening on http://HOST:PORT`, then the subdomains, agent
 * email, API token and OAuth client. Invalid flags: one line on stderr, exit code 2.
 */
import { type EmulatorOptions, startEmulator } from './app.ts';
import { USAGE, parseCliOptions } from './cli-options.ts';

async function main(): Promise<void> {
  let options: EmulatorOptions | 'help';
  try {
    options = parseCliOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`zendesk emulator: ${(error as Error).message} (see --help)`);
    process.exit(2);
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  let emulator;
  try {
    emulator = await startEmulator(options);
  } catch (error) {
    console.error(`zendesk emulator: ${(error as Error).message}`);
    process.exit(2);
  }
  const { options: resolved, url } = emulator;
  console.log(`zendesk emulator listening on ${url}`);
  console.log(`subdomains: ${resolved.subdomains.map((s) => `${s} (${url}/${s}/api/v2)`).join(', ')}`);
  console.log(`agent email: ${resolved.agentEmail}`);
  console.log(`api token: ${resolved.apiToken}`);
  console.log(`oauth client id: ${resolved.oauthClientId}`);
  console.log(`oauth client secret: ${resolved.oauthClientSecret}`);
  const stop = (): void => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
