// The orchestrator's HTTP API: health, submit a task, read a task, list live workers.
import { randomUUID } from "node:crypto";
import type Redis from "ioredis";
import type { Pool } from "pg";
import type { OrchestratorConfig } from "./config";
import { inputProblem } from "./handlers";
import { HttpError, readJsonBody, sendJson, type Route } from "./http";
import type { Logger } from "./log";
import { errorMessage } from "./log";
import type { TaskQueue } from "./queue";
import { createTask, getTask, listLiveWorkers } from "./store";

export interface OrchestratorDeps {
  config: OrchestratorConfig;
  pool: Pool;
  redis: Redis;
  queue: TaskQueue;
  log: Logger;
}

const HEALTH_CHECK_TIMEOUT_MS = 1000; // both checks run at once and fit the healthcheck's 2 s

export interface Check {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

async function timed(probe: () => Promise<unknown>): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${HEALTH_CHECK_TIMEOUT_MS} ms`)),
      HEALTH_CHECK_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([probe(), timeout]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: errorMessage(error) };
  } finally {
    clearTimeout(timer);
  }
}

const FIELDS = ["namespace", "name", "input"];

/** The shape of POST /v1/tasks; undefined when fine, else the 400 text. */
function requestProblem(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return `request body must be a JSON object {"namespace", "name", "input"}`;
  }
  const problems = Object.keys(body)
    .filter((k) => !FIELDS.includes(k))
    .sort()
    .map((k) => `unknown field ${JSON.stringify(k)}`);
  for (const field of ["namespace", "name"]) {
    const value = (body as Record<string, unknown>)[field];
    if (value === undefined) problems.push(`"${field}" is required`);
    else if (typeof value !== "string") problems.push(`"${field}" must be a string`);
  }
  return problems.length > 0 ? problems.join("; ") : undefined;
}

export function orchestratorRoutes(d: OrchestratorDeps): Route[] {
  const accepted = new Set(d.config.namespaces);
  return [
    {
      method: "GET",
      path: /^\/health$/,
      handle: async (_req, res) => {
        const [postgres, redis] = await Promise.all([
          timed(() => d.pool.query("SELECT 1")),
          timed(() =>
            d.redis.status === "ready" ? d.redis.ping() : Promise.reject(new Error(`connection is ${d.redis.status}`)),
          ),
        ]);
        const ok = postgres.ok && redis.ok;
        sendJson(res, ok ? 200 : 503, { status: ok ? "ok" : "degraded", checks: { postgres, redis } });
      },
    },
    {
      method: "POST",
      path: /^\/v1\/tasks$/,
      handle: async (req, res) => {
        const body = await readJsonBody(req, d.config.maxBodyBytes);
        const problem = requestProblem(body);
        if (problem) throw new HttpError(400, problem);
        const { namespace, name, input } = body as { namespace: string; name: string; input?: unknown };
        if (!accepted.has(namespace)) {
          throw new HttpError(
            400,
            `unknown namespace ${JSON.stringify(namespace)} (accepted: ${d.config.namespaces.join(", ")})`,
          );
        }
        const invalid = inputProblem(name, input);
        if (invalid) throw new HttpError(400, invalid);
        const id = randomUUID();
        let task;
        try {
          task = await createTask(d.pool, { id, namespace, name, input: input ?? null }, () =>
            d.queue.enqueue(namespace, id),
          );
        } catch (error) {
          d.log.error("task not stored", { namespace, name, error: errorMessage(error) });
          throw new HttpError(503, "the task could not be stored and queued; nothing was kept, try again");
        }
        d.log.info("task queued", { taskId: id, namespace, name });
        sendJson(res, 201, task, { location: `/v1/tasks/${id}` });
      },
    },
    {
      method: "GET",
      path: /^\/v1\/tasks\/([^/]+)$/,
      handle: async (_req, res, [id]) => {
        const task = await getTask(d.pool, id!);
        if (!task) throw new HttpError(404, `task ${JSON.stringify(id)} not found`);
        sendJson(res, 200, task);
      },
    },
    {
      method: "GET",
      path: /^\/v1\/workers$/,
      handle: async (_req, res) => {
        sendJson(res, 200, { workers: await listLiveWorkers(d.pool, d.config.heartbeatTtlMs) });
      },
    },
  ];
}
