// "A tier behind a gate": the gate of one tier of an Environment, watching the tier's services
// with the tier's budget, and a failure hint that names the stack file and the keys to change.
import * as pulumi from "@pulumi/pulumi";
import { Gated, HealthGate, HealthGateArgs } from "../gate/health-gate";
import { tierHint, TierName, TierSettings } from "../config/tiers";

export interface TierGateArgs extends Pick<HealthGateArgs, "http" | "httpMinItems" | "swarm"> {
  tier: TierName;
  settings: TierSettings;
  stackFile: string;
  /** berth: keys of the tier's services, named in the failure hint. */
  serviceKeys: string[];
  watch: Gated[];
  /** The gates of the tiers before this one: when one of them runs again, this one does too. @default [] */
  after?: HealthGate[];
}

export function tierGate(environment: string, a: TierGateArgs, opts: pulumi.ComponentResourceOptions): HealthGate {
  return new HealthGate(
    `${environment}-${a.tier}-gate`,
    {
      gateName: a.tier,
      hint: tierHint(a.stackFile, a.tier, a.settings.gateTimeoutSeconds, a.serviceKeys),
      watch: a.watch,
      swarm: a.swarm,
      http: a.http,
      httpMinItems: a.httpMinItems,
      timeoutSeconds: a.settings.gateTimeoutSeconds,
      after: a.after,
    },
    opts,
  );
}
