import * as pulumi from "@pulumi/pulumi";
import { childOptions } from "../options";
import * as command from "@pulumi/command";
import type { GateResult } from "../../gate/result";
import { dockerEnvironment, gateCommandLine } from "./command-line";
import { DEFAULT_GATE_TIMEOUT_SECONDS } from "./settings";

export interface HealthGateArgs {
  /** Shown in progress lines and failure reports, e.g. "data". @default the resource name */
  gateName?: string;
  /** Names of containers whose Docker health must be `healthy`. @default [] */
  containers?: pulumi.Input<pulumi.Input<string>[]>;
  /** URLs that must answer 200. @default [] */
  httpUrls?: pulumi.Input<pulumi.Input<string>[]>;
  /** Each HTTP body's top-level `key` must list at least `count` items. @default no body check */
  httpMinItems?: { key: string; count: number };
  /** host:port endpoints that must accept TCP connections. @default [] */
  tcp?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * The whole gate's time budget. A container that exits, is OOM-killed or turns unhealthy fails it at once.
   * @default 90 - DEFAULT_GATE_TIMEOUT_SECONDS, the test environment's budget
   */
  timeoutSeconds?: number;
  /** The gate runs again when any of these change: pass the guarded containers' ids. */
  triggers: pulumi.Input<unknown>[];
  /** @default the local engine (or DOCKER_HOST) */
  dockerHost?: string;
  /** Printed after a failure report, e.g. which stack file and key to change. @default none */
  hint?: string;
}

/**
 * Waits until a tier is ready and fails fast, naming the service with its healthcheck output and
 * logs. Dependents list the gate in `dependsOn`; `dependsOn` alone only orders creation.
 */
export class HealthGate extends pulumi.ComponentResource {
  public readonly command: command.local.Command;
  /** The gate's JSON report: per probe, status and time to healthy. */
  public readonly result: pulumi.Output<GateResult | undefined>;

  constructor(name: string, args: HealthGateArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("berth:index:HealthGate", name, {}, opts);
    const gateName = args.gateName ?? name;
    const probes = pulumi.all([args.containers ?? [], args.httpUrls ?? [], args.tcp ?? []]);
    const create = probes.apply(([containers, httpUrls, tcp]) => {
      if (containers.length + httpUrls.length + tcp.length === 0) {
        throw new pulumi.ResourceError(`HealthGate ${name} has nothing to watch: give containers, httpUrls or tcp`, this);
      }
      return gateCommandLine(gateName, args.timeoutSeconds ?? DEFAULT_GATE_TIMEOUT_SECONDS, { containers, httpUrls, tcp, httpMinItems: args.httpMinItems, hint: args.hint });
    });
    this.command = new command.local.Command(
      `${name}-wait`,
      {
        create,
        environment: dockerEnvironment(args.dockerHost),
        triggers: args.triggers,
        // Progress goes to stderr and shows in `pulumi up`; stdout carries the JSON result.
        logging: "stderr",
      },
      childOptions(this, opts),
    );
    this.result = this.command.stdout.apply((out) => (out ? (JSON.parse(out) as GateResult) : undefined));
    this.registerOutputs({ result: this.result });
  }
}
