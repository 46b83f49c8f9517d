import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import { engineEnvironment, engineOf } from "./container/engine";
import { childOptions } from "./options";
import { componentLabels, defaultObjectName, labelList } from "./naming";
import { DEFAULT_SUBNET_POOL, DEFAULT_SUBNET_PREFIX_LENGTH, pickSubnetCommandLine } from "./subnets";

export interface NetworkArgs {
  /** Docker network name; services find each other by alias on it. @default `<project>-<stack>-<name>` */
  networkName?: pulumi.Input<string>;
  /** Labels for the network. @default berth.project and berth.stack */
  labels?: Record<string, string>;
  /**
   * No route to the outside world; host ports cannot be published either.
   * @default false - a normal user-defined bridge
   */
  internal?: boolean;
  /**
   * An attachable overlay network spanning a swarm's nodes: swarm services and standalone
   * containers (Postgres, Redis, the orchestrator on the manager) join it and find each other by
   * alias. The engine must be a swarm manager. Its subnet comes from the swarm's own pool.
   * @default false - a bridge on one engine
   */
  overlay?: boolean;
  /**
   * The bridge's IPv4 subnet in CIDR notation, e.g. "10.99.0.0/26", for a team that pins one. It
   * must not overlap another network of the engine (the engine refuses it) nor a route of the host.
   * @default picked once from `subnetPool` by the `<name>-subnet` step and kept in the stack's state
   */
  subnet?: pulumi.Input<string>;
  /** The block bridge subnets are picked from. @default "172.16.0.0/16" - DEFAULT_SUBNET_POOL */
  subnetPool?: string;
  /** The prefix length of a picked subnet. @default 26 - DEFAULT_SUBNET_PREFIX_LENGTH: 61 container addresses */
  subnetPrefixLength?: number;
}

/**
 * One user-defined network per stack: a bridge, or an attachable overlay on a swarm. A bridge gets
 * an explicit small subnet, so an engine holds hundreds of stacks (its default pools hold about 30
 * networks): picked by the `<name>-subnet` step (dist/tools/pick-subnet.js) before the network is
 * created, the first free one of `subnetPool` that overlaps none of the engine's networks and, on
 * the local engine, none of the host's routes. A network of the same name already on the engine (a
 * killed run's) keeps its subnet. The step runs once; later ups never move the subnet.
 */
export class Network extends pulumi.ComponentResource {
  public readonly network: docker.Network;
  public readonly name: pulumi.Output<string>;
  /** The engine's network id (a swarm service names its networks by id). */
  public readonly networkId: pulumi.Output<string>;
  /** The bridge's IPv4 subnet (undefined for an overlay: the swarm picks it). */
  public readonly subnet: pulumi.Output<string | undefined>;
  /** The step that picked the subnet (none for an overlay or an explicit `subnet`). */
  public readonly subnetPick?: command.local.Command;

  constructor(name: string, args: NetworkArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super("berth:index:Network", name, {}, opts);
    const overlay = args.overlay ?? false;
    const networkName = args.networkName ?? defaultObjectName(name);
    if (overlay && args.subnet !== undefined) {
      throw new pulumi.ResourceError(
        `Network ${name}: subnet is for a bridge; an overlay network's subnet comes from the swarm's pool`,
        this,
      );
    }
    if (!overlay && args.subnet === undefined) {
      this.subnetPick = new command.local.Command(
        `${name}-subnet`,
        {
          create: pulumi
            .output(networkName)
            .apply((n) =>
              pickSubnetCommandLine(
                n,
                args.subnetPool ?? DEFAULT_SUBNET_POOL,
                args.subnetPrefixLength ?? DEFAULT_SUBNET_PREFIX_LENGTH,
              ),
            ),
          environment: engineEnvironment(engineOf(this)),
          // Its reasoning goes to stderr and shows in `pulumi up`; stdout is the subnet.
          logging: "stderr",
        },
        childOptions(this, opts),
      );
    }
    const subnet: pulumi.Output<string | undefined> = overlay
      ? pulumi.output(undefined)
      : args.subnet !== undefined
        ? pulumi.output(args.subnet)
        : this.subnetPick!.stdout.apply((out) => (out === undefined ? undefined : out.trim()));
    this.network = new docker.Network(
      name,
      // Attachable: without it only swarm services could join an overlay, not the data tier's containers.
      {
        name: networkName,
        driver: overlay ? "overlay" : "bridge",
        internal: args.internal ?? false,
        attachable: overlay,
        labels: labelList(componentLabels(`Network ${name}`, args.labels)),
        ...(overlay ? {} : { ipamConfigs: [{ subnet }] }),
      },
      childOptions(this, opts),
    );
    this.name = this.network.name;
    this.networkId = this.network.id;
    this.subnet = subnet;
    this.registerOutputs({ name: this.name, networkId: this.networkId, subnet: this.subnet });
  }
}
