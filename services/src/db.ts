// Postgres: the pool, the schema migrations and a transaction helper.
import { Pool, type PoolClient } from "pg";
import type { Logger } from "./log";
import { errorMessage } from "./log";

export function createPool(databaseUrl: string, log: Logger): Pool {
  const pool = new Pool({
    connectionString: databaseUrl,
    max: 5,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client that loses its server emits on the pool; unhandled, that would crash the process.
  pool.on("error", (error) => log.warn("postgres connection lost", { error: errorMessage(error) }));
  return pool;
}

export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Append-only: never edit a released migration, add the next one. */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: "tasks and workers",
    sql: `
      CREATE TABLE berth_tasks (
        id          uuid PRIMARY KEY,
        namespace   text NOT NULL,
        name        text NOT NULL,
        input       jsonb NOT NULL,
        status      text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
        result      jsonb,
        error       text,
        worker_id   text,
        attempts    integer NOT NULL DEFAULT 0,
        created_at  timestamptz NOT NULL DEFAULT now(),
        started_at  timestamptz,
        finished_at timestamptz,
        updated_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX berth_tasks_running_by_worker ON berth_tasks (worker_id) WHERE status = 'running';
      CREATE TABLE berth_workers (
        id           text PRIMARY KEY,
        namespaces   text[] NOT NULL,
        started_at   timestamptz NOT NULL,
        heartbeat_at timestamptz NOT NULL
      );`,
  },
];

// Any constant works; it only has to be the same for every orchestrator sharing a database.
const MIGRATION_LOCK_KEY = 0x6265727468; // "berth"

/**
 * Applies the missing migrations in one transaction under an advisory lock, so orchestrators
 * starting at once against a fresh database serialise here: the first creates the schema, the
 * others wait, then find nothing left to do. Returns the versions this call applied.
 */
export async function migrate(pool: Pool): Promise<number[]> {
  return withTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS berth_schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>("SELECT version FROM berth_schema_migrations");
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query("INSERT INTO berth_schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}

/**
 * Retries `attempt` until it succeeds or `timeoutMs` passes: at start the servers may still be
 * coming up (or, for a worker, the orchestrator may not have migrated yet).
 */
export async function retryUntil<T>(
  what: string,
  timeoutMs: number,
  log: Logger,
  attempt: () => Promise<T>,
  maxDelayMs = 2000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: string | undefined;
  for (let delay = Math.min(200, maxDelayMs); ; delay = Math.min(delay * 2, maxDelayMs)) {
    try {
      return await attempt();
    } catch (error) {
      const message = errorMessage(error);
      if (Date.now() + delay > deadline)
        throw new Error(`${what} failed for ${timeoutMs} ms: ${message}`, { cause: error });
      // Once per distinct error: a server still starting refuses every fast retry the same way.
      if (message !== lastError) log.warn(`${what} failed, retrying`, { error: message, retryInMs: delay });
      lastError = message;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
