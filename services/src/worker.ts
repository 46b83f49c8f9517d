// Entry point: node dist/worker.js. Registers as WORKER_ID, serves GET /health on WORKER_PORT,
// runs tasks from NAMESPACES; SIGTERM finishes the current task, deregisters and exits 0 (1 when
// deregistering does not finish within lifecycle's clean-up budget).
import http from "node:http";
import { loadConfigOrExit, parseWorkerConfig } from "./config";
import { createPool } from "./db";
import { closeServer, createRouter, listen, sendJson } from "./http";
import { onShutdownSignal, runMain } from "./lifecycle";
import { createLogger } from "./log";
import { createRedis, TaskQueue } from "./queue";
import { WorkerRunner } from "./worker-runner";

/** Starts the worker: the image's launcher calls it once the bundle is loaded. */
export function start(): void {
  runMain("worker", async () => {
    const config = loadConfigOrExit(parseWorkerConfig);
    const log = createLogger(config.logLevel, { role: "worker", workerId: config.workerId });
    const pool = createPool(config.databaseUrl, log);
    const redis = createRedis(config.redisUrl, log, { commandTimeout: 5000 });
    const blocking = createRedis(config.redisUrl, log);
    const runner = new WorkerRunner({
      config,
      pool,
      redis,
      blocking,
      queue: new TaskQueue(redis, config.redisKeyPrefix),
      log,
    });

    // Health answers from the start (503 until registered), so a gate sees a clear "not yet".
    const server = http.createServer(
      createRouter(
        [
          {
            method: "GET",
            path: /^\/health$/,
            handle: async (_req, res) => sendJson(res, runner.healthy() ? 200 : 503, runner.status()),
          },
        ],
        log,
      ),
    );
    let started = false;
    // Installed before startup: a stop while still connecting just exits (nothing taken yet).
    onShutdownSignal(log, {
      drain: async () => {
        if (started) await runner.drain();
      },
      cleanup: async () => {
        if (!started) return;
        await runner.deregister();
        await closeServer(server);
        await redis.quit(); // runner.drain() closed the blocking connection
        await pool.end();
      },
    });
    await listen(server, config.port);
    await runner.start();
    started = true;
    log.info("worker listening", { port: config.port });
  });
}

// Run directly (`npm run build`'s dist/), the module starts itself. Loaded by the image's launcher,
// or by the build that makes the code cache after running the bundle's top level, it only defines start().
if (require.main === module) start();
