import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import { engineEnvironment, engineOf } from "../container/engine";
import { hardenedContainerArgs } from "../container/hardened";
import { mergedEnvs, ServiceArgs, withDefaults } from "../container/service";
import { componentLabels, defaultObjectName } from "../naming";
import { distInvocation, shellQuote } from "../gate/command-line";
import { childOptions } from "../options";
import { APP_USER, appEnvs, appHealthcheck, WORKER_PORT } from "./contract";
import { workersDefaults } from "./settings";
import { DEFAULT_SWARM_CONSTRAINTS } from "./swarm-settings";
import { swarmServiceArgs } from "./swarm-spec";

const DEFAULTS = workersDefaults("test");

/**
 * WORKER_ID of a replica, expanded by swarm per task: unique per task, so a replacement on another
 * node never shares an id with a worker that is still finishing its task (the orchestrator re-queues
 * a dead worker's tasks when its heartbeat expires).
 */
export const SWARM_WORKER_ID = "worker-{{.Task.Slot}}-{{.Task.ID}}";

export interface SwarmWorkerPoolArgs extends Omit<ServiceArgs, "containerName" | "aliases" | "networkName"> {
  /** The swarm service's name, unique on the swarm. @default `<project>-<stack>-<name>` */
  serviceName?: pulumi.Input<string>;
  /** Every replica answers to this DNS name on the network (DNS round robin). @default name - the component's name */
  alias?: string;
  /** The attachable overlay network's id (Network.networkId), which the service joins. */
  networkId: pulumi.Input<string>;
  /** Workload image as every node pulls it, e.g. `registry:5000/team/app@sha256:…` (services/README.md). */
  image: pulumi.Input<string>;
  /** Postgres URL reachable from the network (secret). */
  databaseUrl: pulumi.Input<string>;
  /** Redis URL reachable from the network. */
  redisUrl: pulumi.Input<string>;
  /** How many replicas. @default 2 */
  replicas?: number;
  /** Namespaces every replica serves. @default ["default"] */
  namespaces?: string[];
  /** @default "1000:1000" - the workload image's user */
  user?: string;
  /** Memory limit of each replica in MB. @default 256 */
  memoryMb?: number;
  /** CPU limit of each replica in cores. @default 0.5 */
  cpus?: number;
  /** Swarm placement constraints. @default ["node.role==worker"] - off the manager */
  constraints?: string[];
  /** @default "info" */
  logLevel?: string;
}

/**
 * The worker pool as one replicated swarm service: the same hardened container as WorkerPool's,
 * spread over the swarm's nodes by the swarm's scheduler, on an attachable overlay network. The
 * pids limit is set on the service right after create (the provider has no argument for it), which
 * rolls the replicas once; the workers gate waits for the replicas of that final spec.
 */
export class SwarmWorkerPool extends pulumi.ComponentResource {
  public readonly service: docker.Service;
  /** Sets and reads back the service's pids limit (TaskTemplate.Resources.Limits.Pids). */
  public readonly pidsLimit: command.local.Command;
  public readonly serviceName: pulumi.Output<string>;
  /** Replica count; with `service` this is what a HealthGate's `swarm` watches. */
  public readonly replicas: number;

  constructor(name: string, args: SwarmWorkerPoolArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("berth:index:SwarmWorkerPool", name, {}, opts);
    this.replicas = args.replicas ?? DEFAULTS.replicas;
    const { hardening, healthcheck, stopGraceSeconds } = withDefaults(args);
    if (!hardening.noNewPrivileges) {
      throw new pulumi.ResourceError(
        `SwarmWorkerPool ${name}: hardening.noNewPrivileges cannot be turned off for one service: a swarm service spec has no such setting before Engine API 1.44, so the nodes' dockerd decides for every container`,
        this,
      );
    }
    const serviceName = args.serviceName ?? defaultObjectName(name);
    const labels = componentLabels(`SwarmWorkerPool ${name}`, args.labels, "workers");
    const envs = mergedEnvs(
      appEnvs({
        databaseUrl: args.databaseUrl,
        redisUrl: args.redisUrl,
        namespaces: args.namespaces ?? (DEFAULTS.namespaces as string[]),
        logLevel: args.logLevel ?? "info",
        extra: { WORKER_ID: SWARM_WORKER_ID, WORKER_PORT: String(WORKER_PORT) },
      }),
      args.env,
    );
    const container = hardenedContainerArgs({
      containerName: serviceName,
      image: args.image,
      user: args.user ?? APP_USER,
      memoryMb: args.memoryMb ?? DEFAULTS.memoryMb,
      cpus: args.cpus ?? DEFAULTS.cpus,
      hardening,
      healthcheck: { test: appHealthcheck(WORKER_PORT), timing: healthcheck },
      stopGraceSeconds,
      networkName: args.networkId,
      aliases: [args.alias ?? name],
      labels,
      envs,
      command: ["node", "/app/dist/worker.js"],
    });
    let serviceArgs: docker.ServiceArgs;
    try {
      serviceArgs = swarmServiceArgs(container, {
        serviceName,
        replicas: this.replicas,
        networkId: args.networkId,
        labels,
        constraints: args.constraints ?? [...DEFAULT_SWARM_CONSTRAINTS],
      });
    } catch (err) {
      throw new pulumi.ResourceError(
        `SwarmWorkerPool ${name}: ${err instanceof Error ? err.message : String(err)}`,
        this,
      );
    }
    this.service = new docker.Service(name, serviceArgs, childOptions(this, opts));
    this.serviceName = this.service.name;
    this.pidsLimit = new command.local.Command(
      `${name}-pids-limit`,
      {
        create: this.service.name.apply(
          (s) =>
            `${distInvocation("tools/set-service-pids")} --service ${shellQuote(s)} --pids-limit ${hardening.pidsLimit}`,
        ),
        environment: engineEnvironment(engineOf(this)),
        // A provider update rewrites the whole spec (it knows no pids limit): set it again then.
        // A hash, not the spec: the spec holds the database URL.
        triggers: [
          this.service.id,
          pulumi
            .all([this.service.taskSpec, this.service.mode])
            .apply((spec) => createHash("sha256").update(JSON.stringify(spec)).digest("hex")),
        ],
      },
      pulumi.mergeOptions(childOptions(this, opts), { dependsOn: [this.service] }),
    );
    this.registerOutputs({ serviceName: this.serviceName });
  }
}
