/**
 * Emulator benchmark: how long the generator takes for 100,000 tickets, and how long a client
 * takes to page through the full cursor-based ticket export of those tickets over HTTP with
 * users and organizations side-loaded. Reports figures; never passes or fails on them.
 * Run alone with `npx tsx bench/emulator.bench.ts`.
 */
import { pathToFileURL } from 'node:url';
import { startEmulator } from '../emulator/app.ts';
import { generateAccount } from '../emulator/generation/generator.ts';

const TICKETS = 100_000;
const ORGANIZATIONS = 500;
const USERS = 20_000;

interface ExportPage {
  tickets: Array<{ id: number }>;
  users?: unknown[];
  after_url: string | null;
  end_of_stream: boolean;
}

export async function benchEmulator(): Promise<Record<string, number | string>> {
  const generateStart = performance.now();
  const state = generateAccount({ seed: 1, subdomain: 'bench', organizations: ORGANIZATIONS, users: USERS, tickets: TICKETS, apiToken: 'bench' });
  const generateMs = performance.now() - generateStart;

  const startupStart = performance.now();
  const emulator = await startEmulator({
    port: 0,
    subdomains: ['bench'],
    organizations: ORGANIZATIONS,
    users: USERS,
    tickets: TICKETS,
    apiToken: 'bench',
    integrations: false,
  });
  const startupMs = performance.now() - startupStart;
  try {
    const authorization = `Basic ${Buffer.from('admin@example.com/token:bench').toString('base64')}`;
    let url: string | null = `${emulator.url}/bench/api/v2/incremental/tickets/cursor.json?start_time=0&include=users,organizations`;
    const seen = new Set<number>();
    let pages = 0;
    let bytes = 0;
    const walkStart = performance.now();
    while (url) {
      const response = await fetch(url, { headers: { authorization, accept: 'application/json' } });
      if (response.status !== 200) throw new Error(`export page answered ${response.status}: ${await response.text()}`);
      const text = await response.text();
      bytes += text.length;
      const page = JSON.parse(text) as ExportPage;
      pages += 1;
      for (const ticket of page.tickets) seen.add(ticket.id);
      url = page.end_of_stream ? null : page.after_url;
    }
    const walkMs = performance.now() - walkStart;
    const exportable = [...state.account.tickets.values()].filter((ticket) => ticket.support_type === 'agent').length;
    return {
      'generate 100k tickets (ms)': Math.round(generateMs),
      'emulator startup with 100k tickets (ms)': Math.round(startupMs),
      'cursor export walk, 100k tickets, include=users,organizations (ms)': Math.round(walkMs),
      'export pages': pages,
      'export tickets served': seen.size,
      'export tickets expected (agent support type)': exportable,
      'export bytes (MB)': Math.round(bytes / 1e5) / 10,
      'export tickets per second': Math.round(seen.size / (walkMs / 1000)),
    };
  } finally {
    await emulator.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await benchEmulator();
  for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${value}`);
}
