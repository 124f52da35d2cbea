import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkRepository, formatProblems, gitignoreMatcher, README_MAX_LINES, trackedFiles } from './check-repository.ts';

/** Checks an in-memory repository: path -> content. */
function check(repo: Record<string, string | Buffer>) {
  return checkRepository({
    root: '/nonexistent',
    files: Object.keys(repo),
    read: (file) => {
      const content = repo[file];
      if (content === undefined) throw new Error(`ENOENT: ${file}`);
      return Buffer.isBuffer(content) ? content : Buffer.from(content);
    },
  });
}

// Built from parts so that this file itself holds no such reference.
const BESIDE = ['..', 'shared', 'x'].join('/');
const MACHINE = ['', 'work', 'shared', 'notes.md'].join('/');

describe('check-repository', () => {
  it('reports references to the folder beside the repository and to the build machine', () => {
    const problems = check({
      'src/a.ts': `// see ${BESIDE}\nexport const a = 1;\n`,
      'emulator/b.test.ts': `readFileSync('${MACHINE}');\n`,
      'src/fine.ts': '// https://example.com/work/items and ./shared/thing and ../shared-notes are fine\n',
    });
    expect(problems.map((p) => [p.file, p.line, p.rule])).toEqual([
      ['src/a.ts', 1, 'outside-reference'],
      ['emulator/b.test.ts', 1, 'outside-reference'],
    ]);
    expect(formatProblems(problems)).toContain(`src/a.ts:1: refers to the folder beside the repository: // see ${BESIDE}`);
  });

  it('reports Markdown links and images whose target is not in the repository', () => {
    const problems = check({
      'README.md': [
        '# Product',
        'See [operations](docs/operations.md#backups), [the docs](docs/) and [Zendesk](https://developer.zendesk.com/).',
        'And [a missing page](docs/missing.md) and ![a picture](docs/screenshots/gone.png).',
        '[anchor](#product) [mail](mailto:a@example.com) `[not a link](nowhere.md)`',
        '```',
        '[inside a code block](nowhere.md)',
        '```',
        '[ref]: docs/also-missing.md',
      ].join('\n'),
      'docs/operations.md': 'Back to the [README](../README.md); up and out: [x](../../elsewhere.md).\n',
      'docs/screenshots/ok.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]),
    });
    expect(problems.map((p) => `${p.file}:${p.line} ${p.rule} ${p.message}`)).toEqual([
      'README.md:3 broken-link links to docs/missing.md, which is not in the repository',
      'README.md:3 broken-link links to docs/screenshots/gone.png, which is not in the repository',
      'README.md:8 broken-link links to docs/also-missing.md, which is not in the repository',
      'docs/operations.md:1 broken-link links to ../../elsewhere.md, which is not in the repository',
    ]);
  });

  it('reports backticked repository paths in README.md and docs/ that do not exist, not ignored build outputs', () => {
    const problems = check({
      '.gitignore': 'node_modules/\ndist/\n*.log\nweb/.dist-*/\n',
      'README.md': 'Run `src/main.ts`, read `docs/gone.md`; the UI builds into `web/dist`; `src/**/*.ts`, `a/b` and `src/` are fine.\n',
      'docs/x.md': 'The migrations are in `migrations/0001_init.sql` and `migrations/0099_missing.sql`.\n',
      'src/main.ts': 'Code may name `src/nothing.ts` in a comment without the path rule applying.\n',
      'migrations/0001_init.sql': '',
      'web/index.html': '',
    });
    expect(problems.map((p) => `${p.file}:${p.line} ${p.message}`)).toEqual([
      'README.md:1 names `docs/gone.md`, which is not in the repository',
      'docs/x.md:1 names `migrations/0099_missing.sql`, which is not in the repository',
    ]);
  });

  it(`reports a README.md longer than ${README_MAX_LINES} lines`, () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    expect(check({ 'README.md': lines(README_MAX_LINES) })).toEqual([]);
    expect(check({ 'README.md': lines(README_MAX_LINES + 1) })).toEqual([
      expect.objectContaining({ file: 'README.md', rule: 'readme-length', line: README_MAX_LINES + 1 }),
    ]);
  });

  it('skips binary files and package-lock.json', () => {
    expect(check({ 'package-lock.json': `"${BESIDE}"`, 'docs/a.png': Buffer.concat([Buffer.from(BESIDE), Buffer.from([0])]) })).toEqual([]);
  });

  it('reads .gitignore as git does for names, folders, anchored paths and wildcards', () => {
    const ignored = gitignoreMatcher('# comment\nnode_modules/\ndata/\n*.log\nweb/.dist-*/\n');
    expect(['data', 'data/x.db', 'a/node_modules/b', 'x.log', 'web/.dist-1/a.js'].filter(ignored)).toHaveLength(5);
    expect(['database/x', 'src/data.ts', 'web/dist', 'x.logs'].filter(ignored)).toEqual([]);
  });

  const root = fileURLToPath(new URL('..', import.meta.url));
  it.skipIf(!existsSync(`${root}/.git`))('the repository itself passes', () => {
    expect(formatProblems(checkRepository({ root, files: trackedFiles(root) }))).toBe('');
  });
});
