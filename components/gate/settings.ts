// A gate's time budget: how long a tier may take to become ready before `pulumi up` fails with
// the slow service's logs. Separate from the containers' healthcheck timing on purpose: the gate
// fails fast on its own (exit, OOM, unhealthy) and the budget only bounds the waiting.
import { z } from "zod";
import { EnvironmentType, wholeNumber } from "../fields";

export const gateBudgetSchema = z.strictObject({
  gateTimeoutSeconds: wholeNumber(1, 3600)
    .describe("the tier's gate fails when it is not ready within this time")
    .optional(),
});

const GATE_TIMEOUT_SECONDS: Record<EnvironmentType, number> = { test: 90, dev: 300, prod: 300 };

export function gateTimeoutDefault(environment: EnvironmentType): number {
  return GATE_TIMEOUT_SECONDS[environment];
}

/** A HealthGate's budget when none is given: the test environment's. */
export const DEFAULT_GATE_TIMEOUT_SECONDS = gateTimeoutDefault("test");
