/**
 * The product as a child process, exactly what `npm start` runs (`tsx src/main.ts`), on the
 * embedded database in the demo's own DATA_DIR. Its output goes to a log file; the last lines are
 * kept to explain a failure. It runs in its own process group so that Ctrl-C in the terminal
 * reaches only the demo, which then stops it with one SIGTERM (a second signal would make the
 * product leave at once, skipping its graceful shutdown).
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface ProductProcess {
  url: string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM, then waits; SIGKILL after `timeoutMs`. */
  stop(timeoutMs: number): Promise<number | null>;
  /** A second SIGTERM: the product leaves at once. */
  hurry(): void;
  /** The last lines the product printed. */
  tail(lines?: number): string;
}

export interface ProductSettings {
  env: Record<string, string>;
  logFile: string;
  startTimeoutMs: number;
  signal: AbortSignal;
}

export async function startProduct(settings: ProductSettings): Promise<ProductProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...settings.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const log = createWriteStream(settings.logFile, { flags: 'a' });
  const recent: string[] = [];
  let stdoutText = '';
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    for (const line of chunk.toString().split('\n')) if (line.trim()) recent.push(line);
    if (recent.length > 200) recent.splice(0, recent.length - 200);
  };
  child.stdout.on('data', (chunk: Buffer) => {
    keep(chunk);
    stdoutText += chunk.toString();
    if (stdoutText.length > 100_000) stdoutText = stdoutText.slice(-10_000);
  });
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => log.end());
  // If the demo itself dies, its product must not outlive it (it is in its own process group).
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));

  const running = () => child.exitCode === null && child.signalCode === null;
  const product: ProductProcess = {
    url: '',
    exited,
    async stop(timeoutMs) {
      if (!running()) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => running() && child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    hurry() {
      if (running()) child.kill('SIGTERM');
    },
    tail: (lines = 15) => recent.slice(-lines).join('\n'),
  };

  const url = await new Promise<string>((resolve, reject) => {
    const done = (error: Error | null, value?: string) => {
      clearTimeout(timer);
      child.stdout.off('data', check);
      settings.signal.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(value!);
    };
    const check = () => {
      const match = /cscx-zendesk listening on (http:\/\/\S+)/.exec(stdoutText);
      if (match) done(null, match[1]);
    };
    const onAbort = () => done(new Error('stopped while the product was starting'));
    const timer = setTimeout(() => done(new Error(`the product did not start within ${settings.startTimeoutMs / 1000} s`)), settings.startTimeoutMs);
    child.stdout.on('data', check);
    settings.signal.addEventListener('abort', onAbort);
    void exited.then((code) => done(new Error(`the product exited with code ${code} before it listened`)));
    check();
  }).catch(async (error: unknown) => {
    await product.stop(10_000);
    if (settings.signal.aborted) throw error;
    throw new Error(`${(error as Error).message}; its last lines:\n${product.tail()}`);
  });
  product.url = url;
  return product;
}
