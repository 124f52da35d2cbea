/**
 * The repository stands alone: `npm run check:repo` fails, with one line per problem, when a
 * tracked file refers to something a person who clones the repository does not have:
 * - a path into the folder beside the checkout (`..` then `/shared`) or an absolute path under
 *   the build machine's `/work` folder;
 * - a Markdown link or image (`[text](path)`, `![alt](path)`, `[id]: path`) whose target is not
 *   in the repository (web addresses, `mailto:` and in-page anchors are not checked);
 * - in README.md and docs/, a backticked repository path (`src/...`, `docs/...`, ...) that does
 *   not exist;
 * and when README.md is longer than 200 lines.
 * Binary files and package-lock.json are not read.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const README_MAX_LINES = 200;

export interface Problem {
  file: string;
  line: number;
  rule: 'outside-reference' | 'broken-link' | 'missing-path' | 'readme-length';
  message: string;
}

export interface CheckOptions {
  /** The repository's folder. */
  root: string;
  /** Repository-relative paths, `/`-separated: the tracked files. */
  files: readonly string[];
  /** Reads a file's bytes; defaults to the file system under root. */
  read?: (file: string) => Buffer;
}

/**
 * Paths the root .gitignore ignores (build outputs, data folders): a document may name them
 * although they are not tracked. Supports what a .gitignore usually holds: names, `dir/`,
 * anchored paths and `*`; not negations.
 */
export function gitignoreMatcher(gitignore: string): (path: string) => boolean {
  const rules = gitignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && !line.startsWith('!'))
    .map((line) => {
      const pattern = line.replace(/\/+$/, '');
      const anchored = pattern.includes('/');
      const glob = pattern.replace(/^\//, '').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
      return anchored ? new RegExp(`^${glob}(/|$)`) : new RegExp(`(^|/)${glob}(/|$)`);
    });
  return (path) => rules.some((rule) => rule.test(path));
}

/** The tracked files of the git repository at root. */
export function trackedFiles(root: string): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0')
    .filter(Boolean);
}

const SKIPPED = new Set(['package-lock.json']);
// `..` followed by `/shared`, and an absolute path under `/work` (not part of a URL or a longer path).
const OUTSIDE = [
  { pattern: /\.\.\/shared(?![\w-])/, what: 'the folder beside the repository' },
  { pattern: /(?<![\w.:/~-])\/work\/[\w.-]/, what: 'an absolute path on the build machine' },
];
// `[text](target)` and `![alt](target)`, target optionally in <...> and followed by a "title".
const INLINE_LINK = /!?\[[^\]\n]*\]\(\s*(<[^>\n]*>|[^\s)]+)(?:\s+"[^"\n]*")?\s*\)/g;
const REFERENCE_LINK = /^\s{0,3}\[[^\]\n]+\]:\s*(<[^>\n]*>|\S+)/;
// A backticked repository path: a top-level folder of the repository, then at least one more
// segment; no wildcards, placeholders or spaces.
const BACKTICKED = /`([A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]*)`/g;

function isBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, 8000).includes(0);
}

/** Blanks out fenced code blocks (keeping line numbers) so that examples are not read as links. */
function withoutFences(text: string): string[] {
  let fenced = false;
  return text.split('\n').map((line) => {
    if (/^\s{0,3}(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
}

function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#') || target.startsWith('//');
}

export function checkRepository({ root, files, read = (file) => readFileSync(resolve(root, file)) }: CheckOptions): Problem[] {
  const tracked = new Set(files);
  const folders = new Set(files.flatMap((file) => file.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  const ignored = tracked.has('.gitignore') ? gitignoreMatcher(safeRead(read, '.gitignore')) : () => false;
  const exists = (path: string) => tracked.has(path) || folders.has(path.replace(/\/+$/, '')) || ignored(path);
  const topLevelFolders = new Set(files.filter((file) => file.includes('/')).map((file) => file.split('/')[0]!));
  const problems: Problem[] = [];

  for (const file of files) {
    if (SKIPPED.has(posix.basename(file))) continue;
    let bytes: Buffer;
    try {
      bytes = read(file);
    } catch {
      continue; // tracked but deleted in the working tree: nothing to read
    }
    if (isBinary(bytes)) continue;
    const text = bytes.toString('utf8');
    const lines = text.split('\n');

    lines.forEach((line, i) => {
      for (const { pattern, what } of OUTSIDE) {
        const match = pattern.exec(line);
        if (match) problems.push({ file, line: i + 1, rule: 'outside-reference', message: `refers to ${what}: ${excerpt(line, match.index)}` });
      }
    });

    if (!file.endsWith('.md')) continue;
    const markdown = withoutFences(text).map((line) => line.replace(/``[^`]*``|`[^`]*`/g, (code) => ' '.repeat(code.length)));
    markdown.forEach((line, i) => {
      const targets = [...line.matchAll(INLINE_LINK)].map((m) => m[1]!);
      const reference = REFERENCE_LINK.exec(line);
      if (reference) targets.push(reference[1]!);
      for (const raw of targets) {
        const target = raw.replace(/^<|>$/g, '');
        if (!target || isExternal(target)) continue;
        const path = decodePath(target.replace(/[?#].*$/, ''));
        const resolved = path.startsWith('/') ? posix.normalize(path.slice(1)) : posix.normalize(posix.join(posix.dirname(file), path));
        if (resolved.startsWith('..') || !exists(resolved)) {
          problems.push({ file, line: i + 1, rule: 'broken-link', message: `links to ${target}, which is not in the repository` });
        }
      }
    });

    if (file === 'README.md' || file.startsWith('docs/')) {
      withoutFences(text).forEach((line, i) => {
        for (const match of line.matchAll(BACKTICKED)) {
          const path = match[1]!.replace(/[.,:;]+$/, '');
          const top = path.split('/')[0]!;
          if (!topLevelFolders.has(top) || /\/\.\.?(\/|$)/.test(path)) continue;
          if (!exists(path)) problems.push({ file, line: i + 1, rule: 'missing-path', message: `names \`${path}\`, which is not in the repository` });
        }
      });
    }

    if (file === 'README.md') {
      const count = text.endsWith('\n') ? lines.length - 1 : lines.length;
      if (count > README_MAX_LINES) {
        problems.push({ file, line: count, rule: 'readme-length', message: `has ${count} lines; keep it to ${README_MAX_LINES} and move detail into docs/` });
      }
    }
  }
  return problems;
}

function safeRead(read: (file: string) => Buffer, file: string): string {
  try {
    return read(file).toString('utf8');
  } catch {
    return '';
  }
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function excerpt(line: string, at: number): string {
  return line.slice(Math.max(0, at - 20), at + 60).trim();
}

export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const files = trackedFiles(root);
  const problems = checkRepository({ root, files });
  if (problems.length > 0) {
    console.error(`check-repository: ${problems.length} problem(s) in ${files.length} tracked files:\n${formatProblems(problems)}`);
    process.exit(1);
  }
  console.log(`check-repository: ${files.length} tracked files; no references outside the repository, no broken links, README.md within ${README_MAX_LINES} lines`);
}
