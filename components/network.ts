import * as pulumi from "@pulumi/pulumi";
import { childOptions } from "./options";
import * as docker from "@pulumi/docker";
import { defaultLabels, defaultObjectName, labelList } from "./naming";

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
   * alias. The engine must be a swarm manager.
   * @default false - a bridge on one engine
   */
  overlay?: boolean;
}

/** One user-defined network per stack: a bridge, or an attachable overlay on a swarm. */
export class Network extends pulumi.ComponentResource {
  public readonly network: docker.Network;
  public readonly name: pulumi.Output<string>;
  /** The engine's network id (a swarm service names its networks by id). */
  public readonly networkId: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super("berth:index:Network", name, {}, opts);
    const overlay = args.overlay ?? false;
    this.network = new docker.Network(
      name,
      // Attachable: without it only swarm services could join an overlay, not the data tier's containers.
      {
        name: args.networkName ?? defaultObjectName(name),
        driver: overlay ? "overlay" : "bridge",
        internal: args.internal ?? false,
        attachable: overlay,
        labels: labelList(args.labels ?? defaultLabels()),
      },
      childOptions(this, opts),
    );
    this.name = this.network.name;
    this.networkId = this.network.id;
    this.registerOutputs({ name: this.name, networkId: this.networkId });
  }
}
