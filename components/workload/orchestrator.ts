import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { PublishedServiceArgs, serviceContainer } from "../container/service";
import {
  APP_USER,
  appEnvs,
  DATABASE_CONTAINER_VARIABLE,
  appHealthcheck,
  HEALTH_PATH,
  ORCHESTRATOR_PORT,
} from "./contract";
import { orchestratorDefaults } from "./settings";

const DEFAULTS = orchestratorDefaults("test");

export interface OrchestratorArgs extends PublishedServiceArgs {
  /** Workload image (services/Dockerfile or one that keeps its contract, services/README.md). */
  image: pulumi.Input<string>;
  /** Postgres URL reachable from the network (secret). */
  databaseUrl: pulumi.Input<string>;
  /** Redis URL reachable from the network. */
  redisUrl: pulumi.Input<string>;
  /** Namespaces the orchestrator accepts tasks for. @default ["default"] */
  namespaces?: string[];
  /** @default "1000:1000" - the workload image's user */
  user?: string;
  /** @default 256 */
  memoryMb?: number;
  /** @default 0.5 */
  cpus?: number;
  /** @default "info" */
  logLevel?: string;
  /**
   * The id of the Postgres container `databaseUrl` reaches. The orchestrator migrates the schema
   * only when it starts: given, a new database container (recreated after drift, or replaced by an
   * edit) replaces the orchestrator too, so the new database gets its schema. @default none
   */
  databaseContainerId?: pulumi.Input<string>;
}

/** The reference orchestrator: HTTP API on 8080, healthy when Postgres and Redis answer. */
export class Orchestrator extends pulumi.ComponentResource {
  public readonly container: docker.Container;
  /** The containers a HealthGate watches for this service. */
  public readonly containers: docker.Container[];
  public readonly containerName: pulumi.Output<string>;
  /** DNS names on the network; `url` uses the first. */
  public readonly aliases: string[];
  public readonly hostPort: pulumi.Output<number | undefined>;
  /** The API for containers on the network, by the first alias. */
  public readonly url: pulumi.Output<string>;
  /** The API for clients on the machine running Pulumi (undefined when not published). */
  public readonly hostUrl: pulumi.Output<string | undefined>;
  /** Per container, the health endpoint the gate asks to see the API ready (undefined when not published). */
  public readonly readyUrls: pulumi.Output<(string | undefined)[]>;

  constructor(name: string, args: OrchestratorArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("berth:index:Orchestrator", name, {}, opts);
    const made = serviceContainer(
      this,
      name,
      "orchestrator",
      args,
      {
        image: args.image,
        user: args.user ?? APP_USER,
        memoryMb: args.memoryMb ?? DEFAULTS.memoryMb,
        cpus: args.cpus ?? DEFAULTS.cpus,
        healthcheckTest: appHealthcheck(ORCHESTRATOR_PORT),
        port: ORCHESTRATOR_PORT,
        command: ["node", "/app/dist/orchestrator.js"],
        envs: pulumi
          .all([
            appEnvs({
              databaseUrl: args.databaseUrl,
              redisUrl: args.redisUrl,
              namespaces: args.namespaces ?? ["default"],
              logLevel: args.logLevel ?? "info",
              extra: { ORCHESTRATOR_PORT: String(ORCHESTRATOR_PORT) },
            }),
            args.databaseContainerId,
          ])
          .apply(([envs, database]) =>
            database === undefined ? envs : [...envs, `${DATABASE_CONTAINER_VARIABLE}=${database}`],
          ),
      },
      opts,
    );
    this.container = made.container;
    this.containers = [made.container];
    this.containerName = made.containerName;
    this.aliases = made.aliases;
    this.hostPort = made.hostPort;
    this.url = pulumi.output(`http://${made.aliases[0]}:${ORCHESTRATOR_PORT}`);
    this.hostUrl = pulumi
      .all([made.hostAddress, made.hostPort])
      .apply(([host, port]) => (port === undefined ? undefined : `http://${host}:${port}`));
    this.readyUrls = this.hostUrl.apply((url) => [url === undefined ? undefined : `${url}${HEALTH_PATH}`]);
    this.registerOutputs({
      containerName: this.containerName,
      hostPort: this.hostPort,
      url: this.url,
      hostUrl: this.hostUrl,
    });
  }
}
