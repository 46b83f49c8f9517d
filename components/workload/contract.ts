// What the orchestrator and the workers share: the workload image's contract (env, ports,
// healthcheck, which works on Alpine and Debian alike).
import * as pulumi from "@pulumi/pulumi";

export const ORCHESTRATOR_PORT = 8080;
/** The workload image's non-root user (services/Dockerfile), on both image stacks. */
export const APP_USER = "1000:1000";
export const WORKER_PORT = 8081;
/** The name berth's workers answer to on the stack's network, one engine or a swarm service alike. */
export const WORKERS_ALIAS = "worker";

/**
 * Replica i's health port. A WorkerPool's replicas share one network namespace, so each listens
 * on a port of its own: WORKER_PORT, the next one, and so on.
 */
export function workerPort(replica: number): number {
  return WORKER_PORT + replica;
}

/**
 * The container that holds a WorkerPool's network namespace runs this in the workload image: it
 * only waits, and ends at once on SIGTERM (as PID 1 it gets no default handler). sh and sleep
 * exist on both image stacks.
 */
export const NETWORK_HOLDER_COMMAND = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 3600 & wait $!; done"];
/** Its berth.service label: not a worker, so restarting the "workers" service leaves it alone. */
export const NETWORK_HOLDER_SERVICE = "workers-network";
/** Its healthcheck: its interface on the stack's network is there (the engine removes it on disconnect). */
export const NETWORK_HOLDER_HEALTHCHECK = ["sh", "-c", "test -e /sys/class/net/eth0"];
/** Every workload service answers 200 here once it is ready (services/README.md). */
export const HEALTH_PATH = "/health";
/** The orchestrator lists the registered workers here: { workers: [...] }. */
export const WORKERS_PATH = "/v1/workers";
/** The field of WORKERS_PATH's answer that lists them: a workers gate wants one item per replica. */
export const WORKERS_KEY = "workers";

/**
 * Docker healthcheck in exec form: the workload image's probe script, which asks GET /health with
 * bash or busybox's wget when the image has them and starts node only when it has neither. Docker
 * runs it every interval for as long as the stack runs: a probe without node costs half the CPU.
 */
export function appHealthcheck(port: number): string[] {
  return ["sh", "/app/dist/healthcheck.sh", String(port)];
}

export interface AppEnv {
  databaseUrl: pulumi.Input<string>;
  redisUrl: pulumi.Input<string>;
  namespaces: string[];
  logLevel: string;
  extra: Record<string, string>;
}

/** The workload's environment, secret because DATABASE_URL carries the password. */
/** The orchestrator's variable naming the Postgres container it migrated (OrchestratorArgs.databaseContainerId). */
export const DATABASE_CONTAINER_VARIABLE = "BERTH_DATABASE_CONTAINER";

export function appEnvs(env: AppEnv): pulumi.Output<string[]> {
  return pulumi.secret(
    pulumi
      .all([env.databaseUrl, env.redisUrl])
      .apply(([databaseUrl, redisUrl]) => [
        `DATABASE_URL=${databaseUrl}`,
        `REDIS_URL=${redisUrl}`,
        `NAMESPACES=${env.namespaces.join(",")}`,
        `LOG_LEVEL=${env.logLevel}`,
        ...Object.entries(env.extra).map(([k, v]) => `${k}=${v}`),
      ]),
  );
}
