import * as pulumi from "@pulumi/pulumi";
import { childOptions } from "../options";
import * as docker from "@pulumi/docker";
import * as command from "@pulumi/command";
import { DEFAULT_HOST_IP } from "../environment/ports";
import { orchestratorDefaults } from "./settings";
import { APP_USER, appEnvs, appHealthcheck, ORCHESTRATOR_PORT } from "./contract";
import { createHardenedContainer, PublishedServiceArgs, withDefaults } from "../container/hardened";

const DEFAULTS = orchestratorDefaults("test");

export interface OrchestratorArgs extends PublishedServiceArgs {
  /** Docker container name, unique on the engine. */
  containerName: string;
  /** Network the container joins, answering to the alias `orchestrator`. */
  networkName: pulumi.Input<string>;
  /** Workload image (services/Dockerfile or a compatible one). */
  image: pulumi.Input<string>;
  /** Postgres URL reachable from the network (secret). */
  databaseUrl: pulumi.Input<string>;
  /** Redis URL reachable from the network. */
  redisUrl: pulumi.Input<string>;
  /** Namespaces the orchestrator accepts tasks for. @default ["default"] */
  namespaces?: string[];
  /** @default "1000:1000" */
  user?: string;
  /** @default 256 */
  memoryMb?: number;
  /** @default 0.5 */
  cpus?: number;
  /** @default "info" */
  logLevel?: string;
}

/** The reference orchestrator: HTTP API on 8080, healthy when Postgres and Redis answer. */
export class Orchestrator extends pulumi.ComponentResource {
  public readonly container: docker.Container;
  public readonly pidsLimit: command.local.Command;
  public readonly containerName: pulumi.Output<string>;
  public readonly hostPort: pulumi.Output<number | undefined>;

  constructor(name: string, args: OrchestratorArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("berth:index:Orchestrator", name, {}, opts);
    const { hardening, healthcheck } = withDefaults(args);
    const { container, pidsLimit } = createHardenedContainer(
      name,
      {
        containerName: args.containerName,
        image: args.image,
        user: args.user ?? APP_USER,
        memoryMb: args.memoryMb ?? DEFAULTS.memoryMb,
        cpus: args.cpus ?? DEFAULTS.cpus,
        hardening,
        healthcheck: { test: appHealthcheck(ORCHESTRATOR_PORT), timing: healthcheck },
        networkName: args.networkName,
        aliases: ["orchestrator"],
        labels: args.labels,
        command: ["node", "/app/dist/orchestrator.js"],
        envs: appEnvs({
          databaseUrl: args.databaseUrl,
          redisUrl: args.redisUrl,
          namespaces: args.namespaces ?? ["default"],
          logLevel: args.logLevel ?? "info",
          extra: { ORCHESTRATOR_PORT: String(ORCHESTRATOR_PORT) },
        }),
        ports: args.publish === false ? [] : [{ internal: ORCHESTRATOR_PORT, external: args.hostPort, hostIp: args.hostIp ?? DEFAULT_HOST_IP }],
      },
      args.dockerHost,
      childOptions(this, opts),
    );
    this.container = container;
    this.pidsLimit = pidsLimit;
    this.containerName = container.name;
    this.hostPort = container.ports.apply((ports) => ports?.[0]?.external);
    this.registerOutputs({ containerName: this.containerName, hostPort: this.hostPort });
  }
}
