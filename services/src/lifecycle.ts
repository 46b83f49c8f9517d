// Signal handling shared by both entry points. As PID 1 in a container, node gets no default
// SIGTERM behaviour, so without this `docker stop` would wait for its timeout and SIGKILL.
import type { Logger } from "./log";
import { errorMessage } from "./log";

/**
 * How long a stop may spend on clean-up over the network (handing back, deregistering, closing
 * connections) once the work in progress is done. Healthy, that takes milliseconds. With the
 * network gone (a WorkerPool's workers lose theirs when the container holding their namespace
 * stops first, as on a scale-down) each query would wait for TCP's timeouts, far past the
 * container's stop grace, and every stop ended in SIGKILL. Past the budget the process exits 1
 * instead: the orchestrator's heartbeat expiry re-queues whatever a worker left in flight.
 */
export const CLEANUP_BUDGET_MS = 1000;

export interface Shutdown {
  /** Finishes the work in progress (a worker's current task); the container's stop grace bounds it. */
  drain?: () => Promise<void>;
  /** Clean-up over the network, within the budget. */
  cleanup: () => Promise<void>;
}

export function onShutdownSignal(log: Logger, shutdown: Shutdown, cleanupBudgetMs = CLEANUP_BUDGET_MS): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn("second signal: exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    log.info("shutting down", { signal });
    (async () => {
      await shutdown.drain?.();
      await withinBudget(shutdown.cleanup(), cleanupBudgetMs);
    })().then(
      () => {
        log.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        log.error("shutdown failed", { error: errorMessage(error) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
}

/** `work`, or a rejection once `budgetMs` has passed without it settling. */
export function withinBudget<T>(work: Promise<T>, budgetMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`clean-up did not finish within ${budgetMs} ms (is the network gone?): exiting without it`)),
      budgetMs,
    );
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Runs an entry point; a startup failure is one log line and exit 1, never a stack trace. */
export function runMain(role: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${role}: ${errorMessage(error)}\n`);
    process.exit(1);
  });
}
