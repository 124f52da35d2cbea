/**
 * Builds the web UI into web/dist (Vite), with brotli and gzip copies of every text file so that the
 * server never compresses at request time. `--if-stale` builds only when the sources changed since
 * the last build (a hash of web/'s sources and the lock file, kept in web/dist/.build-hash): what
 * `npm start` runs first, so that `npm install && npm start` works on a fresh machine and costs
 * nothing when the build is current. Builds go to a temporary folder that replaces web/dist in one
 * rename, under a lock folder, so that a running server or a second builder never sees half a build.
 *   tsx web/build.ts              build now
 *   tsx web/build.ts --if-stale   build if web/dist is missing or stale
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const WEB_DIR = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(WEB_DIR, '..');
export const DIST_DIR = join(WEB_DIR, 'dist');
const HASH_FILE = '.build-hash';
const LOCK_DIR = join(WEB_DIR, '.build-lock');
const COMPRESSIBLE = /\.(js|css|html|svg|json|txt|webmanifest)$/;

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** What the build depends on: web/'s sources and config, and the exact dependency versions. */
export function sourceHash(): string {
  const hash = createHash('sha256');
  const inputs = [
    ...walk(join(WEB_DIR, 'src')).filter((file) => !/\.test\.tsx?$/.test(file)),
    join(WEB_DIR, 'index.html'),
    join(WEB_DIR, 'vite.config.ts'),
    join(WEB_DIR, 'build.ts'),
    join(ROOT, 'package-lock.json'),
  ].filter((file) => existsSync(file));
  for (const file of inputs.sort()) hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

export function isStale(): boolean {
  const stamp = join(DIST_DIR, HASH_FILE);
  return !existsSync(join(DIST_DIR, 'index.html')) || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== sourceHash();
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  for (const until = Date.now() + 120_000; ; ) {
    try {
      mkdirSync(LOCK_DIR);
      break;
    } catch {
      // A builder that died leaves its lock: take over after two minutes.
      if (Date.now() > until || Date.now() - statSync(LOCK_DIR, { throwIfNoEntry: false })!.mtimeMs > 120_000) {
        rmSync(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

function compress(dir: string): void {
  for (const file of walk(dir)) {
    if (!COMPRESSIBLE.test(file)) continue;
    const body = readFileSync(file);
    if (body.length < 512) continue;
    writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }));
    writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
  }
}

/** Builds web/dist (always, or only when stale). Answers what it did. */
export async function buildWeb(options: { ifStale?: boolean; quiet?: boolean } = {}): Promise<'built' | 'fresh'> {
  if (options.ifStale && !isStale()) return 'fresh';
  return withLock(async () => {
    // Another process may have built it while we waited for the lock.
    if (options.ifStale && !isStale()) return 'fresh';
    const hash = sourceHash();
    const started = Date.now();
    const { build } = await import('vite');
    const outDir = join(WEB_DIR, `.dist-${process.pid}-${Date.now()}`);
    try {
      await build({
        configFile: join(WEB_DIR, 'vite.config.ts'),
        root: WEB_DIR,
        logLevel: options.quiet ? 'error' : 'warn',
        build: { outDir, emptyOutDir: true },
      });
      compress(outDir);
      writeFileSync(join(outDir, HASH_FILE), hash);
      const old = join(WEB_DIR, `.dist-old-${process.pid}-${Date.now()}`);
      if (existsSync(DIST_DIR)) renameSync(DIST_DIR, old);
      renameSync(outDir, DIST_DIR);
      rmSync(old, { recursive: true, force: true });
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
    if (!options.quiet) console.log(`web UI built into web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 'built';
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const ifStale = process.argv.includes('--if-stale');
  buildWeb({ ifStale }).then(
    (result) => {
      if (result === 'fresh' && !process.argv.includes('--silent')) console.log('web UI is up to date (web/dist)');
    },
    (error: unknown) => {
      console.error('the web UI could not be built:', error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
