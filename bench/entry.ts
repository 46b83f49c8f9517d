// What every bench entry point (run.ts, fresh-database.ts, swarm.ts) starts and ends with, and how
// their command lines read a count.
import { InvalidArgumentError } from "commander";
import { ensureDataImage, ensureWorkloadImage } from "../lab/images/e2e-images";
import { GATED_DIRECTLY_TIMING } from "../components/container/settings";
import type { BenchImages } from "./engine-run";

/** The test stack's calm Docker healthcheck interval, in seconds: an idle window holds one of them. */
export const CALM_PROBE_SECONDS = GATED_DIRECTLY_TIMING.intervalMs / 1000;
/**
 * How long after up() the bench waits for Docker to call every container healthy: gates pass on
 * the services' own answers, and the calm healthchecks first run one interval after the start.
 */
export const DOCKER_HEALTH_WAIT_MS = GATED_DIRECTLY_TIMING.intervalMs + GATED_DIRECTLY_TIMING.timeoutMs + 30_000;

/** Progress on stderr, so stdout holds only the figures. */
export const benchLog = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

/** The offline e2e images every side runs, built when the engine lacks them. */
export function benchImages(log: (line: string) => void = benchLog): BenchImages {
  return { data: ensureDataImage(log).tag, app: ensureWorkloadImage(log).tag };
}

/**
 * Runs an entry point and exits: 0 once it is done (the Pulumi mock runtime leaves promises
 * behind, which would keep the process alive), 1 with the error's stack when it fails.
 */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err) => {
      benchLog(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exit(1);
    },
  );
}

/** A command-line parser for a whole number of at least `min`. */
export const count =
  (min: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`an integer of at least ${min}`);
    return n;
  };
