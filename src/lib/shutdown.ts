/**
 * Graceful shutdown on SIGTERM/SIGINT: the steps run in order (stop accepting, finish in-flight
 * work, release, close), each within what is left of one time budget. A failing step is logged and
 * the next one runs. A second signal, or a shutdown that overruns its budget by far, leaves at once.
 */
import type { Logger } from './logger.ts';

export interface ShutdownStep {
  name: string;
  /** `remainingMs`: what is left of the budget (at least 1 s, so that every step gets a chance). */
  run(remainingMs: number): Promise<unknown>;
}

export interface ShutdownOptions {
  logger: Logger;
  timeoutMs: number;
  steps: () => ShutdownStep[];
  exit?: (code: number) => void;
  signals?: NodeJS.Signals[];
}

/** Past the budget, this much more is allowed before leaving without finishing the steps. */
const OVERRUN_MS = 10_000;

export function handleShutdownSignals(options: ShutdownOptions): { shutdown(reason: string): Promise<void> } {
  const { logger, timeoutMs } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;

  const shutdown = async (reason: string): Promise<void> => {
    if (stopping) {
      logger.warn({ reason }, 'second stop signal: leaving at once');
      exit(1);
      return;
    }
    stopping = true;
    const deadline = Date.now() + timeoutMs;
    logger.info({ reason, timeoutMs }, 'shutting down: no new work, finishing what is in flight');
    const overrun = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown overran its budget: leaving without finishing');
      exit(1);
    }, timeoutMs + OVERRUN_MS);
    overrun.unref();
    let failed = false;
    for (const step of options.steps()) {
      try {
        await step.run(Math.max(1_000, deadline - Date.now()));
      } catch (error) {
        failed = true;
        logger.error({ err: error, step: step.name }, 'shutdown step failed');
      }
    }
    clearTimeout(overrun);
    logger.info({ failed }, 'stopped');
    exit(failed ? 1 : 0);
  };

  for (const signal of options.signals ?? ['SIGINT', 'SIGTERM']) process.on(signal, (received) => void shutdown(received));
  return { shutdown };
}
