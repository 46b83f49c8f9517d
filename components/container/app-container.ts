import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { PublishedServiceArgs, serviceContainer } from "./service";
import { APP_CONTAINER_DEFAULTS } from "./settings";

export interface AppContainerArgs extends PublishedServiceArgs {
  /** The team's own image. */
  image: pulumi.Input<string>;
  /** Numeric "uid:gid" the process runs as (CIS 4.1: not root). */
  user: string;
  /** The healthcheck command in exec form, e.g. ["wget", "-qO-", "http://127.0.0.1:3000/health"]. */
  healthcheck: { test: string[] } & PublishedServiceArgs["healthcheck"];
  /** The port clients use; published on the host unless publish is false. @default none */
  port?: number;
  /**
   * An HTTP path on `port` that answers 200 once the service is ready: a gate watching this container
   * asks it (from the machine running Pulumi, through the published port) instead of waiting for
   * Docker's next healthcheck. @default none - the gate waits for Docker's healthcheck
   */
  readyPath?: string;
  /** Command (exec form). @default the image's */
  command?: string[];
  /** Writable tmpfs mounts besides /tmp (the root filesystem is read-only), path → mount options. @default none */
  tmpfs?: Record<string, string>;
  /** @default 256 */
  memoryMb?: number;
  /** @default 0.5 */
  cpus?: number;
}

/** A team's own service in berth's hardened container, behind the same gates as berth's services. */
export class AppContainer extends pulumi.ComponentResource {
  public readonly container: docker.Container;
  /** The containers a HealthGate watches for this service. */
  public readonly containers: docker.Container[];
  public readonly containerName: pulumi.Output<string>;
  /** DNS names on the network. */
  public readonly aliases: string[];
  /** Published host port (undefined when not published or no port). */
  public readonly hostPort: pulumi.Output<number | undefined>;
  /** `http://<first alias>:<port>` for containers on the network (undefined without a port). */
  public readonly url: pulumi.Output<string | undefined>;
  /** `http://<host>:<published port>` for the machine running Pulumi (undefined when not published). */
  public readonly hostUrl: pulumi.Output<string | undefined>;
  /** Per container, `hostUrl` + `readyPath`, which the gate asks to see the service ready (undefined without both). */
  public readonly readyUrls: pulumi.Output<(string | undefined)[]>;

  constructor(name: string, args: AppContainerArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("berth:index:AppContainer", name, {}, opts);
    if (args.healthcheck.test.length === 0) {
      throw new pulumi.ResourceError(
        `AppContainer ${name}: healthcheck.test is empty; give the command that says the service is ready (the gates read it)`,
        this,
      );
    }
    const { test, ...timing } = args.healthcheck;
    const made = serviceContainer(
      this,
      name,
      "app",
      { ...args, healthcheck: timing },
      {
        image: args.image,
        user: args.user,
        memoryMb: args.memoryMb ?? APP_CONTAINER_DEFAULTS.memoryMb,
        cpus: args.cpus ?? APP_CONTAINER_DEFAULTS.cpus,
        healthcheckTest: test,
        port: args.port,
        gatedDirectly: args.readyPath !== undefined && args.port !== undefined && args.publish !== false,
        command: args.command,
        tmpfs: args.tmpfs,
      },
      opts,
    );
    this.container = made.container;
    this.containers = [made.container];
    this.containerName = made.containerName;
    this.aliases = made.aliases;
    this.hostPort = made.hostPort;
    this.url = pulumi.output(args.port === undefined ? undefined : `http://${made.aliases[0]}:${args.port}`);
    this.hostUrl = pulumi
      .all([made.hostAddress, made.hostPort])
      .apply(([host, port]) => (port === undefined ? undefined : `http://${host}:${port}`));
    this.readyUrls = this.hostUrl.apply((url) => [
      url === undefined || args.readyPath === undefined ? undefined : `${url}${args.readyPath}`,
    ]);
    this.registerOutputs({
      containerName: this.containerName,
      hostPort: this.hostPort,
      url: this.url,
      hostUrl: this.hostUrl,
    });
  }
}
