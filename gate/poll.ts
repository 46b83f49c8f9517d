// HTTP, TCP, Postgres and Redis have no event stream: try, wait --interval-ms, try again, until
// an attempt passes, fails for good (e.g. a wrong password) or the gate ends.
import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage, ProbeContext } from "./types";

export type AttemptOutcome = { ok: true; detail: string } | { ok: false; detail: string; terminal?: boolean };

export type Attempt = (signal: AbortSignal) => Promise<AttemptOutcome>;

/** One attempt may take this long before it counts as failed and the next one starts. */
export const ATTEMPT_TIMEOUT_MS = 5000;

/**
 * A signal that aborts with `parent` or after `ms`, and the function that releases its timer.
 * Not AbortSignal.any + AbortSignal.timeout: Node may garbage-collect that combination's timeout,
 * which then never fires (nodejs/node#57736) and a hung attempt hangs the gate.
 */
export function attemptSignal(parent: AbortSignal, ms: number): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${ms} ms`)), ms);
  const unsubscribe = onAbort(parent, () => controller.abort(parent.reason));
  return {
    signal: controller.signal,
    release: () => {
      clearTimeout(timer);
      unsubscribe();
    },
  };
}

export async function pollUntilHealthy(attempt: Attempt, intervalMs: number, ctx: ProbeContext): Promise<void> {
  while (!ctx.signal.aborted) {
    const { signal, release } = attemptSignal(ctx.signal, ATTEMPT_TIMEOUT_MS);
    let outcome: AttemptOutcome;
    try {
      outcome = await attempt(signal);
    } catch (err) {
      outcome = { ok: false, detail: errorMessage(err) };
    } finally {
      release();
    }
    if (ctx.signal.aborted) return;
    if (!outcome.ok && signal.aborted) outcome = { ok: false, detail: `no answer within ${ATTEMPT_TIMEOUT_MS} ms` };
    if (outcome.ok) return ctx.update({ state: "healthy", detail: outcome.detail });
    if (outcome.terminal) return ctx.update({ state: "error", detail: outcome.detail });
    ctx.update({ state: "starting", detail: outcome.detail });
    await sleep(intervalMs, undefined, { signal: ctx.signal }).catch(() => undefined);
  }
}

/** Calls `close` when the signal aborts (clients without AbortSignal support); returns the unsubscribe. */
export function onAbort(signal: AbortSignal, close: () => void): () => void {
  if (signal.aborted) {
    close();
    return () => undefined;
  }
  signal.addEventListener("abort", close, { once: true });
  return () => signal.removeEventListener("abort", close);
}
