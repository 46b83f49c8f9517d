// --redis: PING answers PONG, with ioredis held to one connection attempt per try (no reconnect
// loop of its own, no offline queue) so the gate's interval and budget stay in charge. ioredis is
// loaded on first use: gates without a Redis probe start faster.
import { Attempt, ATTEMPT_TIMEOUT_MS, onAbort, pollUntilHealthy } from "./poll";
import { redactUrl } from "./redact";
import { errorMessage, Probe } from "./types";

/** Wrong or missing credentials: retrying with the same URL cannot help. */
const AUTH_FAILURE = /^(WRONGPASS|NOAUTH)\b/;

export function redisProbe(url: string, intervalMs: number): Probe {
  return {
    kind: "redis",
    target: redactUrl(url) ?? "redis",
    run: (ctx) => pollUntilHealthy(redisAttempt(url), intervalMs, ctx),
  };
}

export function redisAttempt(url: string): Attempt {
  return async (signal) => {
    const { default: Redis } = await import("ioredis");
    const client = new Redis(url, {
      lazyConnect: true,
      connectTimeout: ATTEMPT_TIMEOUT_MS,
      commandTimeout: ATTEMPT_TIMEOUT_MS,
      retryStrategy: () => null,
      reconnectOnError: () => false,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    // With reconnection off, connect() rejects with a bare "Connection is closed."; the socket's
    // own error (ECONNREFUSED, WRONGPASS) arrives as an event: keep it for the detail.
    let socketError: unknown;
    client.on("error", (err) => (socketError = err));
    const unsubscribe = onAbort(signal, () => client.disconnect());
    try {
      await client.connect();
      const answer = await client.ping();
      return answer === "PONG"
        ? { ok: true, detail: "PING answered PONG" }
        : { ok: false, detail: `PING answered ${answer}` };
    } catch (err) {
      const message = errorMessage(socketError ?? err);
      if (AUTH_FAILURE.test(message)) return { ok: false, terminal: true, detail: `authentication failed: ${message}` };
      return { ok: false, detail: message };
    } finally {
      unsubscribe();
      client.disconnect();
    }
  };
}
