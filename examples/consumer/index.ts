// A team's own integration-test environment, built from berth's components: one Postgres, one
// Redis and two workers of the team's image, each tier behind a health gate.
//
//   network → Postgres ∥ Redis → data gate → workers → workers gate
//
// `dependsOn` only orders creation; each HealthGate waits until its tier is healthy and fails fast
// with the failing container's logs. (berth's own program builds all of this, plus an
// orchestrator, with one `new Environment(...)`.)
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as random from "@pulumi/random";
import { HealthGate, IMAGE_STACKS, labelMap, Network, objectName, Postgres, Redis, stackPrefix, WorkerPool } from "berth";

const config = new pulumi.Config();
const workerImage = config.require("workerImage");
const replicas = config.getNumber("workerReplicas") ?? 2;

// Docker names and labels come from project + stack, so two stacks can share one engine.
const project = pulumi.getProject();
const stack = pulumi.getStack();
const prefix = stackPrefix(project, stack);
const labels = (service?: string) => labelMap({ project, stack, environment: "test" }, service);
const images = IMAGE_STACKS.alpine; // image reference and the uid:gid it runs as

const network = new Network("orders-network", { networkName: objectName(prefix, "net"), labels: labels() });
const password = new random.RandomPassword("orders-postgres-password", { length: 32, special: false }).result;
const pull = (role: "postgres" | "redis") => new docker.RemoteImage(`orders-${role}-image`, { name: images[role].ref, keepLocally: true }).imageId;

const postgres = new Postgres(
  "orders-postgres",
  {
    containerName: objectName(prefix, "postgres"),
    networkName: network.name,
    image: pull("postgres"),
    user: images.postgres.user,
    password,
    database: "orders",
    labels: labels("postgres"),
  },
  { dependsOn: [network] },
);
const redis = new Redis(
  "orders-redis",
  { containerName: objectName(prefix, "redis"), networkName: network.name, image: pull("redis"), user: images.redis.user, labels: labels("redis") },
  { dependsOn: [network] },
);
const dataGate = new HealthGate(
  "orders-data-gate",
  { containers: [postgres.containerName, redis.containerName], timeoutSeconds: 90, triggers: [postgres.container.id, redis.container.id] },
  { dependsOn: [postgres, redis] },
);

const workers = new WorkerPool(
  "orders-worker",
  {
    containerNamePrefix: objectName(prefix, "worker"),
    networkName: network.name,
    image: workerImage,
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    replicas,
    namespaces: [["orders"]],
    labels: labels("workers"),
  },
  { dependsOn: [dataGate] },
);
new HealthGate(
  "orders-workers-gate",
  { containers: workers.containerNames, timeoutSeconds: 120, triggers: workers.containers.map((c) => c.id) },
  { dependsOn: [workers] },
);

export const containerNames = pulumi.all([postgres.containerName, redis.containerName, workers.containerNames]).apply(([pg, r, w]) => ({ postgres: pg, redis: r, workers: w }));
/** Host ports the engine picked (the team's tests connect through them). */
export const hostPorts = pulumi.all([postgres.hostPort, redis.hostPort]).apply(([pg, r]) => ({ postgres: pg, redis: r }));
/** Secret: the URL carries the password. */
export const databaseUrl = postgres.url;
