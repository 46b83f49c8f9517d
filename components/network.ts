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
}

/** One user-defined bridge network per stack. */
export class Network extends pulumi.ComponentResource {
  public readonly network: docker.Network;
  public readonly name: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super("berth:index:Network", name, {}, opts);
    this.network = new docker.Network(
      name,
      {
        name: args.networkName ?? defaultObjectName(name),
        driver: "bridge",
        internal: args.internal ?? false,
        attachable: false,
        labels: labelList(args.labels ?? defaultLabels()),
      },
      childOptions(this, opts),
    );
    this.name = this.network.name;
    this.registerOutputs({ name: this.name });
  }
}
