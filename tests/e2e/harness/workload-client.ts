// A small client for the reference workload's HTTP API, as a user of the stack would call it
// through the orchestrator's published port.
import { setTimeout as sleep } from "node:timers/promises";

export interface Task {
  id: string;
  namespace: string;
  name: string;
  input: unknown;
  status: "queued" | "running" | "succeeded" | "failed";
  result: unknown;
  error: string | null;
  workerId: string | null;
  attempts: number;
}

export async function getJson<T = any>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: (await res.json()) as T };
}

/** POST /v1/tasks; returns the new task's id (201 expected). */
export async function submitTask(
  baseUrl: string,
  name: string,
  input: unknown,
  namespace = "default",
): Promise<string> {
  const res = await fetch(`${baseUrl}/v1/tasks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ namespace, name, input }),
    signal: AbortSignal.timeout(5000),
  });
  const body = (await res.json()) as { id?: string };
  if (res.status !== 201 || !body.id)
    throw new Error(`POST /v1/tasks ${name} answered ${res.status}: ${JSON.stringify(body)}`);
  return body.id;
}

/** Polls GET /v1/tasks/:id until `until` holds (default: finished). */
export async function waitForTask(
  baseUrl: string,
  id: string,
  opts: { timeoutMs?: number; until?: (t: Task) => boolean } = {},
): Promise<Task> {
  const until = opts.until ?? ((t) => t.status === "succeeded" || t.status === "failed");
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: Task | undefined;
  while (Date.now() < deadline) {
    last = (await getJson<Task>(`${baseUrl}/v1/tasks/${id}`)).body;
    if (until(last)) return last;
    await sleep(100);
  }
  throw new Error(`task ${id} did not reach the expected state in time; last: ${JSON.stringify(last)}`);
}

/** Polls `probe` until it returns a value (not undefined), or fails with the last one seen. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}
