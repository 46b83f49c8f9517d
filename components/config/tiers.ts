// The environment's tiers (data → orchestrator → workers): each one's containers share a
// healthcheck timing and a stop grace, and each tier waits behind a gate with its own time budget.
import { z } from "zod";
import { ConfigProblem } from "../problems";
import { Assert, EnvironmentType, Same } from "../fields";
import {
  healthcheckDefaults,
  healthcheckSchema,
  HealthcheckTiming,
  stopGraceDefault,
  stopSchema,
} from "../container/settings";
import { gateBudgetSchema, gateTimeoutDefault } from "../gate/settings";

/** The tiers of an Environment, in the order they come up: data (Postgres, Redis), orchestrator, workers. */
export type TierName = "data" | "orchestrator" | "workers";
export const TIERS = ["data", "orchestrator", "workers"] as const;
export type TiersListed = Assert<Same<(typeof TIERS)[number], TierName>>;

/** The config keys of one tier: the healthcheck timing and stop grace of its containers, and its gate's budget. */
export const tierSchema = z.strictObject({
  ...healthcheckSchema.shape,
  ...stopSchema.shape,
  ...gateBudgetSchema.shape,
});
export type TierInput = z.infer<typeof tierSchema>;

export interface TierSettings {
  healthcheck: HealthcheckTiming;
  stopGraceSeconds: number;
  gateTimeoutSeconds: number;
}

/**
 * A tier's config keys with every default filled in (the shape of the stack file). `published`:
 * the services publish host ports, so the gates ask them directly and Docker's checks may be calm.
 */
export function tierDefaults(environment: EnvironmentType, published = true): Required<TierInput> {
  return {
    ...healthcheckDefaults(environment, published),
    stopGraceSeconds: stopGraceDefault(environment),
    gateTimeoutSeconds: gateTimeoutDefault(environment),
  };
}

export function tierSettings(filled: Required<TierInput>): TierSettings {
  const { gateTimeoutSeconds, stopGraceSeconds, ...healthcheck } = filled;
  return { healthcheck, stopGraceSeconds, gateTimeoutSeconds };
}

/** Paths are relative to the tier's key (berth:tiers.<tier>). */
export function tierProblems(t: TierSettings): ConfigProblem[] {
  const startSeconds = t.healthcheck.startPeriodMs / 1000;
  if (t.gateTimeoutSeconds >= startSeconds) return [];
  return [
    {
      path: ["gateTimeoutSeconds"],
      given: t.gateTimeoutSeconds,
      allowed: `at least the start period (startPeriodMs ${t.healthcheck.startPeriodMs}, i.e. ${startSeconds} s): the gate would give up while a slow start is still forgiven; raise it or shorten startPeriodMs`,
    },
  ];
}

/** The line a tier's gate prints after a failure: the stack file and the keys to change. */
export function tierHint(stackFile: string, tier: TierName, timeoutSeconds: number, serviceKeys: string[]): string {
  return (
    `To change this, edit ${stackFile}: the settings of these services are under ${serviceKeys.map((k) => `berth:${k}`).join(", ")}; ` +
    `raise berth:tiers.${tier}.gateTimeoutSeconds (now ${timeoutSeconds}) only if they are healthy but slow.`
  );
}
