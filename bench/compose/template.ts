// The docker-compose baselines of `npm run bench`, for any number of workers, from one template
// (pure: tests/unit/bench-compose.test.ts checks that "typical" with 2 workers is exactly the
// hand-written docker-compose.yml beside this file).
//
// - typical: healthchecks every 5 s (databases) and 10 s (services), as such files are usually
//   written;
// - tuned: identical except that every healthcheck runs every 500 ms: what a team that tuned its
//   compose file for speed would write (and berth's test-stack interval when this was written).
//
// Both keep everything else equal to berth's test stack: the images, commands, environment,
// tmpfs, limits and hardening, host ports picked by the engine, and each tier started by
// depends_on with condition service_healthy.
import { stringify } from "yaml";

export const COMPOSE_VARIANTS = ["typical", "tuned"] as const;
export type ComposeVariant = (typeof COMPOSE_VARIANTS)[number];

const INTERVALS: Record<ComposeVariant, { data: string; app: string }> = {
  typical: { data: "5s", app: "10s" },
  tuned: { data: "500ms", app: "500ms" },
};

/** Containers a compose file for `workers` workers starts: postgres, redis, orchestrator, workers. */
export const composeContainers = (workers: number): number => 3 + workers;

const hardening = {
  read_only: true,
  cap_drop: ["ALL"],
  security_opt: ["no-new-privileges:true"],
  pids_limit: 256,
  restart: "on-failure:3",
};
const appEnv = {
  DATABASE_URL: "postgres://berth:berth@postgres:5432/berth",
  REDIS_URL: "redis://redis:6379",
  NAMESPACES: "default",
  LOG_LEVEL: "info",
};
const app = (image: string, command: string[], port: number, interval: string) => ({
  ...hardening,
  image,
  user: "1000:1000",
  command,
  mem_limit: "256m",
  memswap_limit: "256m",
  cpus: 0.5,
  tmpfs: ["/tmp:rw,noexec,nosuid,size=64m"],
  healthcheck: {
    test: ["CMD", "node", "/app/dist/healthcheck.js", String(port)],
    interval,
    timeout: "3s",
    retries: 3,
    start_period: "20s",
  },
});

/** The compose file's content as data. */
export function composeSpec(
  variant: ComposeVariant,
  workers: number,
): { services: Record<string, Record<string, unknown>> } {
  if (!Number.isInteger(workers) || workers < 1)
    throw new Error(`a compose baseline needs at least 1 worker; got ${workers}`);
  const every = INTERVALS[variant];
  const services: Record<string, Record<string, unknown>> = {
    postgres: {
      ...hardening,
      image: "${DATA_IMAGE:?set DATA_IMAGE to the Postgres/Redis image}",
      user: "999:999",
      command: [
        "postgres",
        "-c",
        "shared_buffers=64MB",
        "-c",
        "listen_addresses=*",
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
      ],
      environment: {
        POSTGRES_USER: "berth",
        POSTGRES_DB: "berth",
        POSTGRES_PASSWORD: "berth",
        PGDATA: "/var/lib/postgresql/data",
      },
      mem_limit: "512m",
      memswap_limit: "512m",
      cpus: 1,
      tmpfs: [
        "/tmp:rw,noexec,nosuid,size=64m",
        "/var/run/postgresql:rw,nosuid,nodev,size=1m,uid=999,gid=999,mode=0775",
        "/var/lib/postgresql/data:rw,nosuid,nodev,size=256m,uid=999,gid=999,mode=0700",
      ],
      ports: ["127.0.0.1::5432"],
      healthcheck: {
        test: ["CMD", "pg_isready", "-h", "127.0.0.1", "-p", "5432", "-U", "berth", "-d", "berth"],
        interval: every.data,
        timeout: "3s",
        retries: 5,
      },
    },
    redis: {
      ...hardening,
      image: "${DATA_IMAGE}",
      user: "999:999",
      command: [
        "redis-server",
        "--maxmemory",
        "64mb",
        "--maxmemory-policy",
        "allkeys-lru",
        "--appendonly",
        "no",
        "--save",
        "",
        "--dir",
        "/data",
      ],
      mem_limit: "128m",
      memswap_limit: "128m",
      cpus: 0.5,
      tmpfs: ["/tmp:rw,noexec,nosuid,size=64m", "/data:rw,nosuid,nodev,size=16m,uid=999,gid=999,mode=0700"],
      ports: ["127.0.0.1::6379"],
      healthcheck: {
        test: ["CMD", "redis-cli", "-h", "127.0.0.1", "ping"],
        interval: every.data,
        timeout: "3s",
        retries: 5,
      },
    },
    orchestrator: {
      ...app("${APP_IMAGE}", ["node", "/app/dist/orchestrator.js"], 8080, every.app),
      environment: { ...appEnv, ORCHESTRATOR_PORT: "8080" },
      ports: ["127.0.0.1::8080"],
      depends_on: { postgres: { condition: "service_healthy" }, redis: { condition: "service_healthy" } },
    },
  };
  for (let i = 0; i < workers; i++) {
    services[`worker-${i}`] = {
      ...app("${APP_IMAGE:?set APP_IMAGE to the workload image}", ["node", "/app/dist/worker.js"], 8081, every.app),
      depends_on: { orchestrator: { condition: "service_healthy" } },
      environment: { ...appEnv, WORKER_ID: `worker-${i}`, WORKER_PORT: "8081" },
    };
  }
  return { services };
}

/** The compose file as YAML, with a header saying what it is. */
export function composeFile(variant: ComposeVariant, workers: number): string {
  const header = [
    `# Generated by bench/compose/template.ts: the "${variant}" docker-compose baseline with ${workers} worker(s).`,
    `# Healthchecks every ${INTERVALS[variant].data} (Postgres, Redis) and ${INTERVALS[variant].app} (orchestrator, workers).`,
    "# Run with DATA_IMAGE and APP_IMAGE set and a unique project name (-p).",
  ];
  // docker-compose 1.29 reads YAML 1.1, where a bare `no` is false: write 1.1 so such strings are quoted.
  return `${header.join("\n")}\n${stringify(composeSpec(variant, workers), { version: "1.1", lineWidth: 0, aliasDuplicateObjects: false })}`;
}
