// The orchestrator's side of the reliable queue: a worker whose heartbeat is older than the TTL
// is presumed dead; its running tasks are marked queued again and the ids on its in-flight lists
// go back to the front of their queues, so a killed worker loses no task.
import type { Pool } from "pg";
import type { Logger } from "./log";
import { errorMessage } from "./log";
import type { TaskQueue } from "./queue";
import { deleteExpiredWorker, listExpiredWorkers, releaseTasksOf } from "./store";

export async function reapExpiredWorkers(pool: Pool, queue: TaskQueue, ttlMs: number, log: Logger): Promise<void> {
  for (const worker of await listExpiredWorkers(pool, ttlMs)) {
    // Rows first: a task whose id is back in the queue must not still say "running" for the dead worker.
    const released = await releaseTasksOf(pool, worker.id);
    const requeued: string[] = [];
    for (const ns of worker.namespaces) requeued.push(...(await queue.requeueInflight(ns, worker.id)));
    const removed = await deleteExpiredWorker(pool, worker.id, ttlMs);
    log.info("worker heartbeat expired: re-queued its tasks", {
      workerId: worker.id,
      heartbeatAt: worker.heartbeatAt,
      releasedTasks: released,
      requeued,
      removed,
    });
  }
}

/** Reaps every `intervalMs`, skipping a tick while a round still runs. stop() waits for it. */
export function startReaper(pool: Pool, queue: TaskQueue, opts: { intervalMs: number; ttlMs: number }, log: Logger) {
  let round: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (round) return;
    round = reapExpiredWorkers(pool, queue, opts.ttlMs, log)
      .catch((error: unknown) => log.warn("reaping expired workers failed", { error: errorMessage(error) }))
      .finally(() => (round = undefined));
  }, opts.intervalMs);
  return {
    async stop(): Promise<void> {
      clearInterval(timer);
      await round;
    },
  };
}
