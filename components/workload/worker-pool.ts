import * as pulumi from "@pulumi/pulumi";
import { childOptions } from "../options";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import { workersDefaults } from "./settings";
import { APP_USER, appEnvs, appHealthcheck, WORKER_PORT } from "./contract";
import { createHardenedContainer, ServiceArgs, withDefaults } from "../container/hardened";

const DEFAULTS = workersDefaults("test");

export interface WorkerPoolArgs extends ServiceArgs {
  /** Container name of replica i is `${containerNamePrefix}-${i}`. */
  containerNamePrefix: string;
  /** Network the workers join; replica i answers to the alias `worker-i`. */
  networkName: pulumi.Input<string>;
  /** Workload image (services/Dockerfile or a compatible one). */
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
  /** @default "1000:1000" */
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
}

/** N identical workers; replica i is WORKER_ID `worker-i`, health on 8081 once registered. */
export class WorkerPool extends pulumi.ComponentResource {
  public readonly containers: docker.Container[];
  public readonly pidsLimits: command.local.Command[];
  public readonly containerNames: pulumi.Output<string[]>;
  public readonly workerIds: string[];

  constructor(name: string, args: WorkerPoolArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("berth:index:WorkerPool", name, {}, opts);
    const replicas = args.replicas ?? DEFAULTS.replicas;
    const namespaces = args.namespaces ?? [DEFAULTS.namespaces as string[]];
    if (namespaces.length !== 1 && namespaces.length !== replicas) {
      throw new pulumi.ResourceError(`WorkerPool ${name}: namespaces has ${namespaces.length} lists; give one list, or one per replica (${replicas})`, this);
    }
    const { hardening, healthcheck } = withDefaults(args);
    this.workerIds = Array.from({ length: replicas }, (_, i) => `worker-${i}`);
    const made = this.workerIds.map((workerId, i) =>
      createHardenedContainer(
        `${name}-${i}`,
        {
          containerName: `${args.containerNamePrefix}-${i}`,
          image: args.image,
          user: args.user ?? APP_USER,
          memoryMb: args.memoryMb ?? DEFAULTS.memoryMb,
          cpus: args.cpus ?? DEFAULTS.cpus,
          hardening,
          healthcheck: { test: appHealthcheck(WORKER_PORT), timing: healthcheck },
          networkName: args.networkName,
          aliases: [workerId],
          labels: args.labels,
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
        args.dockerHost,
        childOptions(this, opts),
      ),
    );
    this.containers = made.map((m) => m.container);
    this.pidsLimits = made.map((m) => m.pidsLimit);
    this.containerNames = pulumi.all(this.containers.map((c) => c.name));
    this.registerOutputs({ containerNames: this.containerNames });
  }
}
