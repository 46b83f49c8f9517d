// Entry point: node dist/orchestrator.js. Migrates the schema, serves the API on
// ORCHESTRATOR_PORT and re-queues the tasks of workers whose heartbeat expired.
import http from "node:http";
import { loadConfigOrExit, parseOrchestratorConfig } from "./config";
import { createPool, migrate, retryUntil } from "./db";
import { closeServer, createRouter, listen } from "./http";
import { onShutdownSignal, runMain } from "./lifecycle";
import { createLogger } from "./log";
import { orchestratorRoutes } from "./orchestrator-api";
import { createRedis, TaskQueue } from "./queue";
import { startReaper } from "./reaper";

const STARTUP_TIMEOUT_MS = 60_000;
// Postgres may still be starting (a program that starts the two side by side, a database container
// replaced under it): retry often, so the migrations run within a fraction of a second of it
// taking connections.
const MIGRATE_RETRY_MAX_MS = 200;

/** Starts the orchestrator: the image's launcher calls it once the bundle is loaded. */
export function start(): void {
  runMain("orchestrator", async () => {
    const config = loadConfigOrExit(parseOrchestratorConfig);
    const log = createLogger(config.logLevel, { role: "orchestrator" });
    const pool = createPool(config.databaseUrl, log);
    // A bounded command time, so a request never hangs on a Redis that is away.
    const redis = createRedis(config.redisUrl, log, { commandTimeout: 5000 });
    const queue = new TaskQueue(redis, config.redisKeyPrefix);

    let stop: () => Promise<void> = async () => undefined;
    // Installed before migrating: a stop while still connecting just exits.
    onShutdownSignal(log, { cleanup: () => stop() });

    const applied = await retryUntil(
      "migrating the database",
      STARTUP_TIMEOUT_MS,
      log,
      () => migrate(pool),
      MIGRATE_RETRY_MAX_MS,
    );
    log.info(applied.length > 0 ? "migrations applied" : "schema up to date", { applied });

    const server = http.createServer(createRouter(orchestratorRoutes({ config, pool, redis, queue, log }), log));
    await listen(server, config.port);
    const reaper = startReaper(
      pool,
      queue,
      { intervalMs: config.heartbeatIntervalMs, ttlMs: config.heartbeatTtlMs },
      log,
    );
    log.info("orchestrator listening", { port: config.port, namespaces: config.namespaces });

    stop = async () => {
      await closeServer(server);
      await reaper.stop();
      await redis.quit();
      await pool.end();
    };
  });
}

// Run directly (`npm run build`'s dist/), the module starts itself. Loaded by the image's launcher,
// or by the build that makes the code cache after running the bundle's top level, it only defines start().
if (require.main === module) start();
