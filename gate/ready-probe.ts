// --ready: a container's service asked directly (Postgres SELECT 1, Redis PING, HTTP status) at a
// short interval, so the gate sees it ready without waiting for Docker's next healthcheck. One
// poll per URL, shared by every container that names it (N workers, one registry endpoint).
import type { HttpExpectation } from "./http-probe";
import { httpAttempt } from "./http-probe";
import { Attempt, pollUntilHealthy } from "./poll";
import { postgresAttempt } from "./postgres-probe";
import { redactUrl } from "./redact";
import { redisAttempt } from "./redis-probe";
import { errorMessage, Observation } from "./types";

export interface ReadySource {
  /** The URL, redacted. */
  target: string;
  /**
   * Calls `listener` with every observation of the poll (the latest at once, if any). The first
   * subscriber starts the poll, which ends when it passes, fails for good or `signal` aborts.
   */
  subscribe(signal: AbortSignal, listener: (observation: Observation) => void): void;
}

/** The attempt a --ready URL's scheme asks for (gate-args.ts READY_SCHEMES lists them). */
export function readyAttempt(url: string, http: HttpExpectation): Attempt {
  const scheme = new URL(url).protocol;
  if (scheme === "postgres:" || scheme === "postgresql:") return postgresAttempt(url);
  if (scheme === "redis:" || scheme === "rediss:") return redisAttempt(url);
  if (scheme === "http:" || scheme === "https:") return httpAttempt(url, http);
  throw new Error(`no readiness probe speaks ${scheme}`);
}

export function readySource(url: string, attempt: Attempt, intervalMs: number): ReadySource {
  const listeners: ((observation: Observation) => void)[] = [];
  let latest: Observation | undefined;
  let started = false;
  return {
    target: redactUrl(url) ?? url,
    subscribe(signal, listener) {
      listeners.push(listener);
      if (latest) listener(latest);
      if (started) return;
      started = true;
      const update = (observation: Observation): void => {
        latest = observation;
        for (const l of listeners) l(observation);
      };
      pollUntilHealthy(attempt, intervalMs, { signal, update }).catch((err) =>
        update({ state: "error", detail: errorMessage(err) }),
      );
    },
  };
}

/** One source per distinct URL. */
export function readySources(urls: string[], http: HttpExpectation, intervalMs: number): Map<string, ReadySource> {
  const sources = new Map<string, ReadySource>();
  for (const url of urls)
    if (!sources.has(url)) sources.set(url, readySource(url, readyAttempt(url, http), intervalMs));
  return sources;
}
