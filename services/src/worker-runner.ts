// The worker's life: register, heartbeat, take tasks (reliable queue), run them, store the
// outcome, acknowledge; on stop, finish the current task, hand back leftovers, deregister.
import { setTimeout as sleep } from "node:timers/promises";
import type Redis from "ioredis";
import type { Pool } from "pg";
import type { WorkerConfig } from "./config";
import { retryUntil } from "./db";
import { findHandler, TaskFailure } from "./handlers";
import type { Logger } from "./log";
import { errorMessage } from "./log";
import type { TaskQueue } from "./queue";
import { claimTask, deleteWorker, finishTask, releaseTasksOf, upsertWorker } from "./store";

export interface WorkerDeps {
  config: WorkerConfig;
  pool: Pool;
  /** Commands. */
  redis: Redis;
  /** BLMOVE only: a blocked connection can carry nothing else. stop() closes it. */
  blocking: Redis;
  queue: TaskQueue;
  log: Logger;
}

const STARTUP_TIMEOUT_MS = 60_000;
const REGISTER_RETRY_MAX_MS = 200;
const STEP_TIMEOUT_MS = 30_000; // how long one step (claim, store, ack) is retried before handing the task back

export class WorkerRunner {
  private readonly startedAt = new Date();
  private registered = false;
  private heartbeatOk = false;
  private stopping = false;
  private heartbeat?: NodeJS.Timeout;
  private beating?: Promise<void>;
  private loop?: Promise<void>;

  constructor(private readonly d: WorkerDeps) {}

  async start(): Promise<void> {
    const { config, queue } = this.d;
    // Workers may start beside the orchestrator, before its migrations made the table: retry
    // often, so a worker registers within a fraction of a second of the schema being there.
    await retryUntil(
      "registering the worker",
      STARTUP_TIMEOUT_MS,
      this.d.log,
      async () => {
        // Ids left on our in-flight lists by an earlier process with this WORKER_ID that died.
        const recovered = await this.handBack();
        if (recovered.length > 0)
          this.d.log.info("re-queued tasks left in flight by an earlier run", { requeued: recovered });
        await upsertWorker(this.d.pool, {
          id: config.workerId,
          namespaces: config.namespaces,
          startedAt: this.startedAt,
        });
      },
      REGISTER_RETRY_MAX_MS,
    );
    this.registered = this.heartbeatOk = true;
    this.heartbeat = setInterval(() => {
      this.beating ??= upsertWorker(this.d.pool, {
        id: config.workerId,
        namespaces: config.namespaces,
        startedAt: this.startedAt,
      })
        .then(
          () => void (this.heartbeatOk = true),
          (error: unknown) => {
            this.heartbeatOk = false;
            this.d.log.warn("heartbeat failed", { error: errorMessage(error) });
          },
        )
        .finally(() => (this.beating = undefined));
    }, config.heartbeatIntervalMs);
    this.d.log.info("worker registered", {
      namespaces: config.namespaces,
      queues: config.namespaces.map((ns) => queue.queueKey(ns)),
    });
    this.loop = this.run();
  }

  healthy(): boolean {
    return (
      this.registered &&
      this.heartbeatOk &&
      !this.stopping &&
      this.d.redis.status === "ready" &&
      this.d.blocking.status === "ready"
    );
  }

  status() {
    return {
      status: this.healthy() ? "ok" : "unavailable",
      workerId: this.d.config.workerId,
      registered: this.registered,
      heartbeatOk: this.heartbeatOk,
      stopping: this.stopping,
      redis: this.d.redis.status,
    };
  }

  /** Takes no new task and finishes the one in progress. */
  async drain(): Promise<void> {
    this.stopping = true;
    // An idle worker waits in BLMOVE until a task comes: closing that connection ends the wait.
    // Redis moves nothing for a closed client; an id it moved just before is on the in-flight
    // list, which deregister() puts back on the queue.
    this.d.blocking.disconnect();
    await this.loop;
    clearInterval(this.heartbeat);
  }

  /** After drain(): hands back anything left in flight and deregisters (over the network: the caller bounds it). */
  async deregister(): Promise<void> {
    await this.beating;
    if (this.registered) {
      const left = await this.handBack();
      if (left.length > 0) this.d.log.warn("handed back tasks still in flight", { requeued: left });
      await deleteWorker(this.d.pool, this.d.config.workerId);
      this.registered = false;
      this.d.log.info("worker deregistered");
    }
  }

  private async run(): Promise<void> {
    const { config, queue, blocking, log } = this.d;
    // One namespace: block on it until a task comes (0: no timeout), so an idle worker makes no
    // round trip at all. Several: poll them all, then block briefly on each in turn.
    const blockSeconds = config.namespaces.length === 1 ? 0 : 0.2;
    for (let turn = 0; !this.stopping; turn++) {
      let taken;
      try {
        taken = await queue.take(blocking, config.namespaces, config.workerId, turn, blockSeconds);
      } catch (error) {
        if (this.stopping) break; // stop() closed the blocking connection
        log.warn("taking a task failed", { error: errorMessage(error) });
        await sleep(500);
        continue;
      }
      // A task taken is finished even when a stop was asked meanwhile.
      if (taken) await this.process(taken.namespace, taken.id);
    }
  }

  private async process(namespace: string, id: string): Promise<void> {
    const { config, pool, queue, log } = this.d;
    const step = <T>(what: string, fn: () => Promise<T>) =>
      retryUntil(`${what} (task ${id})`, STEP_TIMEOUT_MS, log, fn);
    try {
      const claim = await step("claiming", () => claimTask(pool, id, config.workerId));
      if (claim.kind === "claimed") {
        const { task } = claim;
        log.info("task started", { taskId: id, namespace, name: task.name, attempt: task.attempts });
        const started = Date.now();
        const outcome = await runHandler(task.name, task.input);
        const stored = await step("storing the outcome", () => finishTask(pool, id, config.workerId, outcome));
        log.info(`task ${outcome.status}`, { taskId: id, ms: Date.now() - started, stored });
      } else {
        log.warn(
          claim.kind === "finished"
            ? "task already finished: dropping the duplicate"
            : "task has no row (its submit rolled back): dropping it",
          { taskId: id },
        );
      }
      // Only now, with the outcome stored, does the id leave our in-flight list.
      await step("acknowledging", () => queue.ack(namespace, config.workerId, id));
    } catch (error) {
      log.error("task not completed: handing it back", { taskId: id, error: errorMessage(error) });
      await this.handBack().catch(() => undefined);
    }
  }

  /** Puts every id on this worker's in-flight lists back on its queue, rows back to queued. */
  private async handBack(): Promise<string[]> {
    const { config, pool, queue } = this.d;
    await releaseTasksOf(pool, config.workerId);
    const moved: string[] = [];
    for (const ns of config.namespaces) moved.push(...(await queue.requeueInflight(ns, config.workerId)));
    return moved;
  }
}

async function runHandler(
  name: string,
  input: unknown,
): Promise<{ status: "succeeded"; result: unknown } | { status: "failed"; error: string }> {
  const handler = findHandler(name);
  if (!handler) return { status: "failed", error: `unknown handler ${JSON.stringify(name)}` };
  try {
    return { status: "succeeded", result: await handler.run(input) };
  } catch (error) {
    return {
      status: "failed",
      error: error instanceof TaskFailure ? error.message : `handler ${name} threw: ${errorMessage(error)}`,
    };
  }
}
