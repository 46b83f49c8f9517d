// --postgres: connect and SELECT 1 with pg (loaded on first use: gates without a Postgres probe
// start faster).
import { Attempt, ATTEMPT_TIMEOUT_MS, onAbort, pollUntilHealthy } from "./poll";
import { redactUrl } from "./redact";
import { errorMessage, Probe } from "./types";

/** SQLSTATE class 28 (invalid authorization): retrying with the same credentials cannot help. */
const AUTH_FAILURES = new Set(["28000", "28P01"]);

export function postgresProbe(url: string, intervalMs: number): Probe {
  return {
    kind: "postgres",
    target: redactUrl(url) ?? "postgres",
    run: (ctx) => pollUntilHealthy(postgresAttempt(url), intervalMs, ctx),
  };
}

export function postgresAttempt(url: string): Attempt {
  return async (signal) => {
    const { Client } = await import("pg");
    const client = new Client({
      connectionString: url,
      connectionTimeoutMillis: ATTEMPT_TIMEOUT_MS,
      query_timeout: ATTEMPT_TIMEOUT_MS,
    });
    client.on("error", () => undefined); // a dropped connection rejects the pending call; no stray event
    const unsubscribe = onAbort(signal, () => void client.end().catch(() => undefined));
    try {
      await client.connect();
      await client.query("SELECT 1");
      return { ok: true, detail: "SELECT 1 answered" };
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code && AUTH_FAILURES.has(code))
        return { ok: false, terminal: true, detail: `authentication failed: ${errorMessage(err)}` };
      return { ok: false, detail: errorMessage(err) };
    } finally {
      unsubscribe();
      await client.end().catch(() => undefined);
    }
  };
}
