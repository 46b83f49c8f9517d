// The outputs a program exports for berth's test kit (berth/testing/client's openStack, restart,
// health; `npm run status`): one contract for berth's own program and a team's, so a key the kit
// needs is a type error, not a convention to guess.
import * as pulumi from "@pulumi/pulumi";
import type { GateResult } from "./gate/result";

/**
 * What the test kit reads from a stack's outputs. Keys are the names test code uses:
 * `stack.url("appDb")`, `stack.restart("appDb")`.
 */
export interface StackOutputs {
  /** Service key → URL from the machine running the tests (a component's `hostUrl`); secret. */
  hostUrls: Record<string, string | undefined>;
  /** Service key → its container's name, or a pool's names: what `health()` and status expect on the engine. */
  containerNames: Record<string, string | string[]>;
  /** Gate key → the gate's result: which gate `restart` runs again for a service. */
  gateResults: Record<string, GateResult | undefined>;
}

/** A service component as the outputs see it: `Postgres`, `Redis`, `Orchestrator`, `AppContainer` or a `WorkerPool`. */
export type OutputService =
  | { containerName: pulumi.Output<string>; hostUrl: pulumi.Output<string | undefined> }
  | { containerNames: pulumi.Output<string[]> };

/** The gates whose results `restart` reuses: anything with a HealthGate's `result`. */
export interface OutputGate {
  result: pulumi.Output<GateResult | undefined>;
}

/** The exportable form of StackOutputs: `export const { hostUrls, containerNames, gateResults } = stackOutputs(…)`. */
export interface StackOutputValues {
  hostUrls: pulumi.Output<StackOutputs["hostUrls"]>;
  containerNames: pulumi.Output<StackOutputs["containerNames"]>;
  gateResults: pulumi.Output<StackOutputs["gateResults"]>;
}

/**
 * Builds the outputs the test kit reads from a program's components, keyed as test code names
 * them. `hostUrls` is secret (database URLs carry passwords). Export all three from the program.
 */
export function stackOutputs(args: {
  services: Record<string, OutputService>;
  gates?: Record<string, OutputGate>;
}): StackOutputValues {
  const entries = Object.entries(args.services);
  if (entries.length === 0)
    throw new Error(
      "stackOutputs: services is empty; give each service component under the key test code will use (e.g. { appDb, cache })",
    );
  const names: Record<string, pulumi.Output<string | string[]>> = {};
  const urls: Record<string, pulumi.Output<string | undefined>> = {};
  for (const [key, service] of entries) {
    if ("containerNames" in service) names[key] = service.containerNames;
    else {
      names[key] = service.containerName;
      urls[key] = service.hostUrl;
    }
  }
  const gates = Object.fromEntries(Object.entries(args.gates ?? {}).map(([key, gate]) => [key, gate.result]));
  return {
    hostUrls: pulumi.secret(pulumi.all(urls)),
    containerNames: pulumi.all(names),
    gateResults: pulumi.all(gates),
  };
}
