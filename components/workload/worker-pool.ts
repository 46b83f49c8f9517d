import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { LABELS } from "../contract";
import { ServiceArgs, serviceContainer } from "../container/service";
import { componentLabels, defaultObjectName } from "../naming";
import {
  APP_USER,
  appEnvs,
  appHealthcheck,
  NETWORK_HOLDER_COMMAND,
  NETWORK_HOLDER_HEALTHCHECK,
  NETWORK_HOLDER_SERVICE,
  workerPort,
} from "./contract";
import { NETWORK_HOLDER_LIMITS, workersDefaults } from "./settings";

const DEFAULTS = workersDefaults("test");

export interface WorkerPoolArgs extends Omit<ServiceArgs, "containerName" | "aliases"> {
  /** Replica i's container is `${containerNamePrefix}-${i}`. @default `<project>-<stack>-<name>` */
  containerNamePrefix?: pulumi.Input<string>;
  /**
   * The name every replica answers to on the network (they share one namespace), replica i on its
   * health port 8081 + i. One name whatever the count, so that rescaling the pool leaves the
   * namespace's container, and with it every worker kept, as it is. @default name - the component's name
   */
  alias?: string;
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
  /**
   * What the workers wait for besides the pool's `dependsOn`, e.g. the orchestrator. The container
   * holding their network namespace waits only for `dependsOn`: it is up meanwhile. @default []
   */
  workersDependOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * N identical workers; replica i is WORKER_ID `worker-i`, healthy on 8081 + i once registered.
 * The replicas share one network namespace, held by a container of their own (`<prefix>-net`,
 * with the pool's alias): the engine makes a namespace and joins it to the bridge for each
 * container it starts, one after the other, and for a pool that was most of its bring-up
 * (bench/HISTORY.md, "Workers in one network namespace"). Restart the workers, not that
 * container alone: a worker keeps the namespace it joined, which a restarted holder has left.
 */
export class WorkerPool extends pulumi.ComponentResource {
  /** Replica i at index i, then the network container: what a HealthGate watches for the pool. */
  public readonly containers: docker.Container[];
  /** The container holding the replicas' network namespace. */
  public readonly networkContainer: docker.Container;
  /** Per container, the URL the gate asks to see the worker ready (all the same: `readyUrl`). */
  public readonly readyUrls: pulumi.Output<(string | undefined)[]>;
  /** The workers' container names, replica i at index i. */
  public readonly containerNames: pulumi.Output<string[]>;
  public readonly workerIds: string[];

  constructor(name: string, args: WorkerPoolArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("berth:index:WorkerPool", name, {}, opts);
    const replicas = args.replicas ?? DEFAULTS.replicas;
    if (!Number.isInteger(replicas) || replicas < 1) {
      throw new pulumi.ResourceError(
        `WorkerPool ${name}: replicas is ${replicas}; give a whole number of at least 1 (for no workers, declare no pool)`,
        this,
      );
    }
    const namespaces = args.namespaces ?? [DEFAULTS.namespaces as string[]];
    if (namespaces.length !== 1 && namespaces.length !== replicas) {
      throw new pulumi.ResourceError(
        `WorkerPool ${name}: namespaces has ${namespaces.length} lists; give one list, or one per replica (${replicas})`,
        this,
      );
    }
    const prefix = args.containerNamePrefix ?? defaultObjectName(name);
    this.workerIds = Array.from({ length: replicas }, (_, i) => `worker-${i}`);
    const user = args.user ?? APP_USER;
    const gatedDirectly = args.readyUrl !== undefined;
    this.networkContainer = serviceContainer(
      this,
      `${name}-net`,
      "workers",
      {
        ...args,
        env: undefined,
        containerName: pulumi.interpolate`${prefix}-net`,
        aliases: [args.alias ?? name],
        labels: {
          ...componentLabels(`WorkerPool ${name}`, args.labels, "workers"),
          [LABELS.service]: NETWORK_HOLDER_SERVICE,
        },
        // It runs sh and sleep: capabilities the workers were given are not its to have.
        hardening: { ...args.hardening, capAdd: [] },
      },
      {
        image: args.image,
        user,
        ...NETWORK_HOLDER_LIMITS,
        healthcheckTest: NETWORK_HOLDER_HEALTHCHECK,
        gatedDirectly,
        command: NETWORK_HOLDER_COMMAND,
      },
      opts,
    ).container;
    const workerOpts = pulumi.mergeOptions(opts, { dependsOn: args.workersDependOn ?? [] });
    const workers = this.workerIds.map(
      (workerId, i) =>
        serviceContainer(
          this,
          `${name}-${i}`,
          "workers",
          { ...args, containerName: pulumi.interpolate`${prefix}-${i}` },
          {
            image: args.image,
            user,
            memoryMb: args.memoryMb ?? DEFAULTS.memoryMb,
            cpus: args.cpus ?? DEFAULTS.cpus,
            healthcheckTest: appHealthcheck(workerPort(i)),
            gatedDirectly,
            command: ["node", "/app/dist/worker.js"],
            envs: appEnvs({
              databaseUrl: args.databaseUrl,
              redisUrl: args.redisUrl,
              namespaces: namespaces.length === 1 ? namespaces[0] : namespaces[i],
              logLevel: args.logLevel ?? "info",
              extra: { WORKER_ID: workerId, WORKER_PORT: String(workerPort(i)) },
            }),
            dockerSocket: args.dockerSocket ?? DEFAULTS.dockerSocket,
            networkNamespaceOf: this.networkContainer.id,
          },
          workerOpts,
        ).container,
    );
    this.containers = [...workers, this.networkContainer];
    this.readyUrls = pulumi.output(args.readyUrl).apply((url) => this.containers.map(() => url));
    this.containerNames = pulumi.all(workers.map((c) => c.name));
    this.registerOutputs({ containerNames: this.containerNames });
  }
}
