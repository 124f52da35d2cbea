/**
 * `npm run bench`: runs every benchmark and prints each figure on its own line, as
 * `name: value unit`. Benchmarks report; they never pass or fail on a timing.
 * `npm run bench -- emulator` runs only the benchmarks whose name contains "emulator".
 */
import { benchAlerts } from './alerts.bench.ts';
import { benchEmulator } from './emulator.bench.ts';
import { benchImport } from './import.bench.ts';
import { benchMatching } from './matching.bench.ts';
import { benchQueue } from './queue.bench.ts';
import { benchTickets } from './tickets.bench.ts';
import { benchUi } from './ui.bench.ts';
import { benchChat } from './chat.bench.ts';
import { benchSoak, benchWebhooks } from './webhooks.bench.ts';

type Figures = Record<string, number | string>;

const benchmarks: Array<{ name: string; run: () => Promise<Figures> }> = [
  { name: 'emulator', run: benchEmulator },
  { name: 'queue', run: benchQueue },
  { name: 'import', run: benchImport },
  { name: 'webhooks', run: benchWebhooks },
  { name: 'tickets', run: benchTickets },
  { name: 'matching', run: benchMatching },
  { name: 'ui', run: benchUi },
  { name: 'chat', run: benchChat },
  { name: 'alerts', run: benchAlerts },
  // Ten minutes: run it alone (`npm run bench -- soak`).
  { name: 'soak', run: benchSoak },
];

const filter = process.argv[2];
for (const { name, run } of benchmarks) {
  if (filter && !name.includes(filter)) continue;
  console.log(`== ${name}`);
  const figures = await run();
  for (const [figure, value] of Object.entries(figures)) console.log(`${figure}: ${value}`);
}
