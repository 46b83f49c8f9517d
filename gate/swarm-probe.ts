// --swarm-service: every replica of a replicated swarm service runs its current spec, healthy, on
// a Ready node. Swarm has no event stream for tasks, so the manager is asked every --interval-ms
// (service, tasks, nodes: three small calls). The probe keeps watching after it is healthy, so a
// task that fails while other probes still wait fails the gate too. When a task fails, its logs are
// read through the manager (GET /tasks/{id}/logs) before the gate ends: the report names the task,
// its node and what it said.
import { setTimeout as sleep } from "node:timers/promises";
import { demuxFrames, lastLines } from "./container-diagnostics";
import { ATTEMPT_TIMEOUT_MS, attemptSignal } from "./poll";
import type { EngineClient } from "./engine-client";
import { isEngineUnreachable, isNoSuchContainer, isNotSwarmManager, unreachableMessageFor } from "./engine-errors";
import type { SwarmServiceTarget } from "./swarm-args";
import { assessService, FailedTask, NodeJson, ServiceJson, TaskJson } from "./swarm-state";
import { errorMessage, Observation, Probe, ProbeContext } from "./types";

/** Reading a failed task's logs must not hold the report back for long. */
const TASK_LOGS_BUDGET_MS = 5000;

export interface SwarmProbe extends Probe {
  /** Lines for the failure report: the failed task, its node and its logs (empty unless a task failed). */
  report(): string[];
}

export interface SwarmProbeOptions {
  intervalMs: number;
  /** Log lines of a failed task in the report. */
  logLines: number;
}

/** The report's section for one failed task. */
export function taskSection(
  task: FailedTask,
  logLines: number,
  logs: { lines: string[] } | { error: string },
): string[] {
  const lines = [`  task ${task.name} (${task.id}) on node ${task.node}: ${task.state}: ${task.error}`];
  if (logLines === 0) return lines;
  lines.push(`  last ${logLines} log lines of task ${task.name}:`);
  if ("error" in logs) lines.push(`    (could not read the logs: ${logs.error})`);
  else if (logs.lines.length === 0) lines.push("    (no output)");
  else lines.push(...logs.lines.map((line) => `    ${line}`));
  return lines;
}

async function taskLogs(
  engine: EngineClient,
  id: string,
  count: number,
): Promise<{ lines: string[] } | { error: string }> {
  try {
    const raw = await engine.taskLogs(id, count, AbortSignal.timeout(TASK_LOGS_BUDGET_MS));
    return { lines: lastLines(demuxFrames(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))), count) };
  } catch (err) {
    return { error: errorMessage(err) };
  }
}

/** `engine` is the gate's shared Engine API client, made on first use. */
export function swarmServiceProbe(
  target: SwarmServiceTarget,
  options: SwarmProbeOptions,
  engine: () => EngineClient,
): SwarmProbe {
  let report: string[] = [];
  return {
    kind: "swarm-service",
    target: target.service,
    report: () => report,
    run: async (ctx: ProbeContext) => {
      let client: EngineClient | undefined;
      while (!ctx.signal.aborted) {
        let seen: Observation;
        // One signal per look, released after it: a manager that hangs times out, and the gate's
        // own signal does not collect a listener per request.
        const { signal: abortSignal, release } = attemptSignal(ctx.signal, ATTEMPT_TIMEOUT_MS);
        try {
          client ??= engine();
          const service = await client.service<ServiceJson>(target.service, abortSignal);
          const [tasks, nodes] = await Promise.all([
            client.tasks<TaskJson>({ service: [service.ID] }, abortSignal),
            client.nodes<NodeJson>(abortSignal),
          ]);
          const seenNow = assessService(service, tasks, nodes, target.replicas);
          if (seenNow.state === "error" && seenNow.failed && !ctx.signal.aborted) {
            report = taskSection(
              seenNow.failed,
              options.logLines,
              options.logLines === 0 ? { lines: [] } : await taskLogs(client, seenNow.failed.id, options.logLines),
            );
          }
          seen = { state: seenNow.state, detail: seenNow.detail };
        } catch (err) {
          if (ctx.signal.aborted) return;
          seen = await engineFailure(client, err);
        } finally {
          release();
        }
        if (ctx.signal.aborted) return;
        ctx.update(seen);
        if (seen.state === "error") return;
        await sleep(options.intervalMs, undefined, { signal: ctx.signal }).catch(() => undefined);
      }
    },
  };
}

async function engineFailure(engine: EngineClient | undefined, err: unknown): Promise<Observation> {
  if (isNoSuchContainer(err))
    return {
      state: "error",
      detail: "does not exist (no such service on this engine: is DOCKER_HOST a manager of the swarm?)",
    };
  if (isNotSwarmManager(err))
    return { state: "error", detail: `the engine is not a swarm manager: ${errorMessage(err)}` };
  if (!isEngineUnreachable(err)) return { state: "error", detail: `Docker engine error: ${errorMessage(err)}` };
  return { state: "error", detail: await unreachableMessageFor(engine, err), engineUnreachable: true };
}
