// Task and worker rows in Postgres. Postgres holds the truth (status, result); Redis only says
// which task ids are waiting and which a worker holds.
import type { Pool } from "pg";
import { withTransaction } from "./db";

export type TaskStatus = "queued" | "running" | "succeeded" | "failed";

export interface Task {
  id: string;
  namespace: string;
  name: string;
  input: unknown;
  status: TaskStatus;
  result: unknown;
  error: string | null;
  workerId: string | null;
  attempts: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface Worker {
  id: string;
  namespaces: string[];
  startedAt: Date;
  heartbeatAt: Date;
}

interface TaskRow {
  id: string;
  namespace: string;
  name: string;
  input: unknown;
  status: TaskStatus;
  result: unknown;
  error: string | null;
  worker_id: string | null;
  attempts: number;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const TASK_COLUMNS =
  "id, namespace, name, input, status, result, error, worker_id, attempts, created_at, started_at, finished_at";
const UNFINISHED = "status IN ('queued', 'running')";

// Advisory lock class held by a submitting transaction on its task id (see createTask/claimTask).
const SUBMIT_LOCK_CLASS = 0x6274; // "bt"

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toTask(r: TaskRow): Task {
  return {
    id: r.id,
    namespace: r.namespace,
    name: r.name,
    input: r.input,
    status: r.status,
    result: r.result,
    error: r.error,
    workerId: r.worker_id,
    attempts: r.attempts,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

/**
 * Inserts the task and runs `enqueue` (the Redis push) inside one transaction: if the push fails,
 * the row is rolled back; the row is committed only once the id is queued. So there is never a
 * row without a queue entry. A queue entry whose transaction then rolls back (or is not committed
 * yet when a worker pops it) is handled by claimTask, which waits on this transaction's lock.
 */
export async function createTask(
  pool: Pool,
  task: { id: string; namespace: string; name: string; input: unknown },
  enqueue: () => Promise<void>,
): Promise<Task> {
  return withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [SUBMIT_LOCK_CLASS, task.id]);
    const { rows } = await client.query<TaskRow>(
      `INSERT INTO berth_tasks (id, namespace, name, input) VALUES ($1, $2, $3, $4::jsonb) RETURNING ${TASK_COLUMNS}`,
      [task.id, task.namespace, task.name, JSON.stringify(task.input ?? null)],
    );
    await enqueue();
    return toTask(rows[0]!);
  });
}

export async function getTask(pool: Pool, id: string): Promise<Task | undefined> {
  if (!UUID_PATTERN.test(id)) return undefined;
  const { rows } = await pool.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM berth_tasks WHERE id = $1`, [id]);
  return rows[0] ? toTask(rows[0]) : undefined;
}

export type Claim = { kind: "claimed"; task: Task } | { kind: "finished" } | { kind: "missing" };

/**
 * Marks a popped task running for this worker. "finished": it already has a result (a re-queued
 * copy of a task whose first worker stored the result but died before acknowledging it).
 * "missing": no such row even after its submitter's transaction ended (the submit rolled back).
 */
export async function claimTask(pool: Pool, id: string, workerId: string): Promise<Claim> {
  if (!UUID_PATTERN.test(id)) return { kind: "missing" };
  const claim = async () =>
    (
      await pool.query<TaskRow>(
        `UPDATE berth_tasks SET status = 'running', worker_id = $2, attempts = attempts + 1, started_at = now(), updated_at = now()
         WHERE id = $1 AND ${UNFINISHED} RETURNING ${TASK_COLUMNS}`,
        [id, workerId],
      )
    ).rows[0];
  let row = await claim();
  if (!row) {
    // Possibly popped before its submitter committed: wait for that transaction to end, retry.
    await withTransaction(pool, (c) =>
      c.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [SUBMIT_LOCK_CLASS, id]),
    );
    row = await claim();
  }
  if (!row) {
    const exists = await pool.query("SELECT 1 FROM berth_tasks WHERE id = $1", [id]);
    return exists.rowCount ? { kind: "finished" } : { kind: "missing" };
  }
  return { kind: "claimed", task: toTask(row) };
}

/** Stores the outcome; the first outcome stored wins (returns false when one already was). */
export async function finishTask(
  pool: Pool,
  id: string,
  workerId: string,
  outcome: { status: "succeeded"; result: unknown } | { status: "failed"; error: string },
): Promise<boolean> {
  const result = outcome.status === "succeeded" ? JSON.stringify(outcome.result ?? null) : null;
  const error = outcome.status === "failed" ? outcome.error : null;
  const { rowCount } = await pool.query(
    `UPDATE berth_tasks SET status = $3, result = $4::jsonb, error = $5, worker_id = $2, finished_at = now(), updated_at = now()
     WHERE id = $1 AND ${UNFINISHED}`,
    [id, workerId, outcome.status, result, error],
  );
  return rowCount === 1;
}

/** Registers or refreshes a worker: the heartbeat is the same upsert, so a reaped worker that is
 * in fact alive comes back on its next beat. */
export async function upsertWorker(
  pool: Pool,
  w: { id: string; namespaces: string[]; startedAt: Date },
): Promise<void> {
  await pool.query(
    `INSERT INTO berth_workers (id, namespaces, started_at, heartbeat_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (id) DO UPDATE SET namespaces = EXCLUDED.namespaces, started_at = EXCLUDED.started_at, heartbeat_at = now()`,
    [w.id, w.namespaces, w.startedAt],
  );
}

export async function deleteWorker(pool: Pool, id: string): Promise<void> {
  await pool.query("DELETE FROM berth_workers WHERE id = $1", [id]);
}

interface WorkerRow {
  id: string;
  namespaces: string[];
  started_at: Date;
  heartbeat_at: Date;
}
const toWorker = (r: WorkerRow): Worker => ({
  id: r.id,
  namespaces: r.namespaces,
  startedAt: r.started_at,
  heartbeatAt: r.heartbeat_at,
});

/** Workers whose last heartbeat is at most `ttlMs` old (by the database's clock). */
export async function listLiveWorkers(pool: Pool, ttlMs: number): Promise<Worker[]> {
  const { rows } = await pool.query<WorkerRow>(
    `SELECT id, namespaces, started_at, heartbeat_at FROM berth_workers
     WHERE heartbeat_at >= now() - make_interval(secs => $1::double precision / 1000) ORDER BY id`,
    [ttlMs],
  );
  return rows.map(toWorker);
}

export async function listExpiredWorkers(pool: Pool, ttlMs: number): Promise<Worker[]> {
  const { rows } = await pool.query<WorkerRow>(
    `SELECT id, namespaces, started_at, heartbeat_at FROM berth_workers
     WHERE heartbeat_at < now() - make_interval(secs => $1::double precision / 1000) ORDER BY id`,
    [ttlMs],
  );
  return rows.map(toWorker);
}

/** Marks the running tasks of an expired worker queued again (its ids go back to the queue). */
export async function releaseTasksOf(pool: Pool, workerId: string): Promise<number> {
  const { rowCount } = await pool.query(
    `UPDATE berth_tasks SET status = 'queued', worker_id = NULL, updated_at = now() WHERE worker_id = $1 AND status = 'running'`,
    [workerId],
  );
  return rowCount ?? 0;
}

/** Removes an expired worker unless it beat again meanwhile. */
export async function deleteExpiredWorker(pool: Pool, id: string, ttlMs: number): Promise<boolean> {
  const { rowCount } = await pool.query(
    `DELETE FROM berth_workers WHERE id = $1 AND heartbeat_at < now() - make_interval(secs => $2::double precision / 1000)`,
    [id, ttlMs],
  );
  return rowCount === 1;
}
