/**
 * The module boundaries of .dependency-cruiser.cjs (run by `npm run lint:deps`) catch what they
 * are for: each case plants files in an empty folder, cruises it with the repository's rules, and
 * expects the rule it breaks, or none.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CRUISER = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const folders: string[] = [];

/** Cruises a folder holding `files` with the repository's rules; answers the exit code and the report. */
function cruise(files: Record<string, string>): { code: number | null; report: string } {
  const folder = mkdtempSync(join(tmpdir(), 'cscx-deps-'));
  folders.push(folder);
  const all = { 'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'nodenext', allowImportingTsExtensions: true, noEmit: true } }), ...files };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), text);
  }
  const roots = ['src', 'web'].filter((root) => Object.keys(files).some((path) => path.startsWith(`${root}/`)));
  const run = spawnSync(process.execPath, [CRUISER, '--config', join(ROOT, '.dependency-cruiser.cjs'), ...roots], { cwd: folder, encoding: 'utf8' });
  return { code: run.status, report: run.stdout + run.stderr };
}

const CLEAN = {
  'src/lib/text.ts': 'export const trim = (s: string) => s.trim();\n',
  'src/modules/customers/customers.repo.ts': "import { trim } from '../../lib/text.ts';\nexport const name = trim(' a ');\n",
  'src/http/routes/customers.routes.ts': "import { name } from '../../modules/customers/customers.repo.ts';\nexport const route = name;\n",
};

describe('module boundaries (.dependency-cruiser.cjs)', () => {
  afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

  it('pass dependencies that point down', { timeout: 30_000 }, () => {
    const { code, report } = cruise(CLEAN);
    expect(report).toMatch(/no dependency violations found \(3 modules/);
    expect(code).toBe(0);
  });

  it('let the web UI and the server share the API contracts', { timeout: 30_000 }, () => {
    const { code, report } = cruise({
      ...CLEAN,
      'src/contracts/vocabulary.ts': "export const ROLES = ['admin'] as const;\n",
      'src/contracts/auth.ts': "import { ROLES } from './vocabulary.ts';\nexport const roles = ROLES;\n",
      'web/src/page.ts': "import { roles } from '../../src/contracts/auth.ts';\nexport const p = roles;\n",
    });
    expect(report).toMatch(/no dependency violations found/);
    expect(code).toBe(0);
  });

  it('fail a planted import cycle', { timeout: 30_000 }, () => {
    const { code, report } = cruise({
      ...CLEAN,
      'src/modules/ingest/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
      'src/modules/ingest/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
    });
    expect(report).toMatch(/error no-cycles: src\/modules\/ingest\/a\.ts/);
    expect(code).not.toBe(0);
  });

  it('fail upward imports: lib, config and observability into modules, a module into a route, the contracts or the web UI into the server', { timeout: 30_000 }, () => {
    const { code, report } = cruise({
      ...CLEAN,
      'src/lib/up.ts': "import { name } from '../modules/customers/customers.repo.ts';\nexport const up = name;\n",
      'src/config.ts': "import { name } from './modules/customers/customers.repo.ts';\nexport const config = name;\n",
      'src/observability/metrics.ts': "import { name } from '../modules/customers/customers.repo.ts';\nexport const m = name;\n",
      'src/modules/customers/customers.service.ts': "import { route } from '../../http/routes/customers.routes.ts';\nexport const s = route;\n",
      'web/src/page.ts': "import { name } from '../../src/modules/customers/customers.repo.ts';\nexport const p = name;\n",
      'src/contracts/customers.ts': "import { trim } from '../lib/text.ts';\nexport const c = trim;\n",
    });
    for (const rule of ['lib-imports-no-module', 'config-imports-no-module', 'observability-imports-no-module', 'modules-below-transports', 'contracts-import-only-contracts', 'web-imports-no-server-code']) {
      expect(report).toContain(`error ${rule}:`);
    }
    expect(code).not.toBe(0);
  });
});
