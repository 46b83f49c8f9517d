// "A tier behind a gate": the gate of one tier of an Environment, watching the tier's containers
// with the tier's budget, and a failure hint that names the stack file and the keys to change.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { HealthGate, HealthGateArgs } from "../gate/health-gate";
import { tierHint, TierName, TierSettings } from "./tiers";

export interface TierGateArgs extends Pick<HealthGateArgs, "httpUrls" | "httpMinItems" | "dockerHost"> {
  tier: TierName;
  settings: TierSettings;
  stackFile: string;
  /** berth: keys of the tier's services, named in the failure hint. */
  serviceKeys: string[];
  containers: docker.Container[];
}

export function tierGate(environment: string, a: TierGateArgs, opts: pulumi.ComponentResourceOptions): HealthGate {
  return new HealthGate(
    `${environment}-${a.tier}-gate`,
    {
      gateName: a.tier,
      hint: tierHint(a.stackFile, a.tier, a.settings.gateTimeoutSeconds, a.serviceKeys),
      containers: a.containers.map((c) => c.name),
      httpUrls: a.httpUrls,
      httpMinItems: a.httpMinItems,
      timeoutSeconds: a.settings.gateTimeoutSeconds,
      triggers: a.containers.map((c) => c.id),
      dockerHost: a.dockerHost,
    },
    opts,
  );
}
