// Signal handling shared by both entry points. As PID 1 in a container, node gets no default
// SIGTERM behaviour, so without this `docker stop` would wait for its timeout and SIGKILL.
import type { Logger } from "./log";
import { errorMessage } from "./log";

export function onShutdownSignal(log: Logger, shutdown: (signal: string) => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn("second signal: exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    log.info("shutting down", { signal });
    shutdown(signal).then(
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

/** Runs an entry point; a startup failure is one log line and exit 1, never a stack trace. */
export function runMain(role: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${role}: ${errorMessage(error)}\n`);
    process.exit(1);
  });
}
