import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { ServiceArgs, serviceContainer } from "../container/service";
import { defaultObjectName } from "../naming";
import { APP_USER, appEnvs, appHealthcheck, WORKER_PORT } from "./contract";
import { workersDefaults } from "./settings";

const DEFAULTS = workersDefaults("test");

export interface WorkerPoolArgs extends Omit<ServiceArgs, "containerName" | "aliases"> {
  /** Replica i's container is `${containerNamePrefix}-${i}`. @default `<project>-<stack>-<name>` */
  containerNamePrefix?: pulumi.Input<string>;
  /** Replica i answers to `${aliasPrefix}-${i}` on the network. @default name - the component's name */
  aliasPrefix?: string;
  /** Workload image (services/Dockerfile or one that keeps its contract, services/README.md). */
  image: pulumi.Input<string>;
  /** Postgres URL reachable from the network (secret). */
  databaseUrl: pulumi.Input<string>;
  /** Redis URL reachable from the network. */
  redisUrl: pulumi.Input<string>;
  /** How many workers. @default 2 */
  replicas?: number;
  /**
   * Namespaces each replica serves: one list for all, or one list per replica.
   * @default [["default"]]
   */
  namespaces?: string[][];
  /** @default "1000:1000" - the workload image's user */
  user?: string;
  /** @default 256 */
  memoryMb?: number;
  /** @default 0.5 */
  cpus?: number;
  /**
   * Mount the engine's socket into every worker (they can then control the engine: root on the host).
   * @default false
   */
  dockerSocket?: boolean;
  /** @default "info" */
  logLevel?: string;
  /**
   * A URL (from the machine running Pulumi) whose answer means every worker is ready, e.g. the
   * orchestrator's /v1/workers with the gate's httpMinItems: a gate watching the pool asks it
   * instead of waiting for Docker's next healthcheck. @default none - Docker's healthcheck decides
   */
  readyUrl?: pulumi.Input<string>;
}

/** N identical workers; replica i is WORKER_ID `worker-i`, healthy on 8081 once registered. */
export class WorkerPool extends pulumi.ComponentResource {
  public readonly containers: docker.Container[];
  /** Per container, the URL the gate asks to see the worker ready (all the same: `readyUrl`). */
  public readonly readyUrls: pulumi.Output<(string | undefined)[]>;
  public readonly containerNames: pulumi.Output<string[]>;
  public readonly workerIds: string[];

  constructor(name: string, args: WorkerPoolArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("berth:index:WorkerPool", name, {}, opts);
    const replicas = args.replicas ?? DEFAULTS.replicas;
    const namespaces = args.namespaces ?? [DEFAULTS.namespaces as string[]];
    if (namespaces.length !== 1 && namespaces.length !== replicas) {
      throw new pulumi.ResourceError(`WorkerPool ${name}: namespaces has ${namespaces.length} lists; give one list, or one per replica (${replicas})`, this);
    }
    const prefix = args.containerNamePrefix ?? defaultObjectName(name);
    const aliasPrefix = args.aliasPrefix ?? name;
    this.workerIds = Array.from({ length: replicas }, (_, i) => `worker-${i}`);
    const made = this.workerIds.map((workerId, i) =>
      serviceContainer(
        this,
        `${name}-${i}`,
        "workers",
        { ...args, containerName: pulumi.interpolate`${prefix}-${i}`, aliases: [`${aliasPrefix}-${i}`] },
        {
          image: args.image,
          user: args.user ?? APP_USER,
          memoryMb: args.memoryMb ?? DEFAULTS.memoryMb,
          cpus: args.cpus ?? DEFAULTS.cpus,
          healthcheckTest: appHealthcheck(WORKER_PORT),
          gatedDirectly: args.readyUrl !== undefined,
          command: ["node", "/app/dist/worker.js"],
          envs: appEnvs({
            databaseUrl: args.databaseUrl,
            redisUrl: args.redisUrl,
            namespaces: namespaces.length === 1 ? namespaces[0] : namespaces[i],
            logLevel: args.logLevel ?? "info",
            extra: { WORKER_ID: workerId, WORKER_PORT: String(WORKER_PORT) },
          }),
          dockerSocket: args.dockerSocket ?? DEFAULTS.dockerSocket,
        },
        opts,
      ),
    );
    this.containers = made.map((m) => m.container);
    this.readyUrls = pulumi.output(args.readyUrl).apply((url) => this.containers.map(() => url));
    this.containerNames = pulumi.all(this.containers.map((c) => c.name));
    this.registerOutputs({ containerNames: this.containerNames });
  }
}
