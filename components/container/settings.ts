// What every hardened container takes from a stack's config: its hardening opt-outs and its
// healthcheck timing. Schema fragments, defaults and types in one place; the components, the stack
// config and README's configuration table all read them from here.
import { z } from "zod";
import { MAX_RESTART_RETRIES } from "../contract";
import { Assert, EnvironmentType, Filled, Same, wholeNumber } from "../fields";

export const hardeningSchema = z.strictObject({
  readOnly: z
    .boolean()
    .describe("read-only root filesystem (writable paths get a tmpfs); false opts out of CIS 5.13")
    .optional(),
  noNewPrivileges: z.boolean().describe("no-new-privileges; false opts out of CIS 5.26").optional(),
  capAdd: z
    .array(z.string().regex(/^[A-Z_]+$/, { message: "a capability name such as NET_BIND_SERVICE" }))
    .describe(
      "capabilities added back after dropping ALL; the policy pack passes only those its allowedCapabilities lists",
    )
    .optional(),
  pidsLimit: wholeNumber(16, 65536).describe("maximum number of processes (CIS 5.29)").optional(),
  user: z
    .string()
    .regex(/^[0-9]+(:[0-9]+)?$/, { message: 'a numeric "uid:gid" such as "1000:1000"' })
    .describe(
      'numeric "uid:gid" the process runs as; unset: the image stack\'s user for the service; root opts out of CIS 4.1',
    )
    .optional(),
  maxRetryCount: wholeNumber(1, MAX_RESTART_RETRIES)
    .describe('restarts allowed by the "on-failure" policy (CIS 5.15)')
    .optional(),
});
/** One service's `hardening` as a stack file gives it (berth:hardening.<service>): the opt-outs, each optional. */
export interface HardeningInput {
  /** Read-only root filesystem (writable paths get a tmpfs); false opts out of CIS 5.13. */
  readOnly?: boolean;
  /** no-new-privileges; false opts out of CIS 5.26. */
  noNewPrivileges?: boolean;
  /** Capabilities added back after dropping ALL; the policy pack passes only those its allowedCapabilities lists. */
  capAdd?: string[];
  /** Maximum number of processes (CIS 5.29). */
  pidsLimit?: number;
  /** Numeric "uid:gid" the process runs as; unset: the image stack's user for the service; root opts out of CIS 4.1. */
  user?: string;
  /** Restarts allowed by the "on-failure" policy (CIS 5.15). */
  maxRetryCount?: number;
}
export type HardeningInputMatchesSchema = Assert<Same<HardeningInput, z.infer<typeof hardeningSchema>>>;

/** The hardening of one container: every rule on unless an explicit opt-out turns it off. */
export interface Hardening {
  /** Read-only root filesystem (CIS 5.13). */
  readOnly: boolean;
  /** no-new-privileges (CIS 5.26). */
  noNewPrivileges: boolean;
  /** Capabilities added back after dropping ALL. */
  capAdd: string[];
  /** Maximum number of processes (CIS 5.29). */
  pidsLimit: number;
  /** Restarts allowed by the "on-failure" policy (CIS 5.15). */
  maxRetryCount: number;
  /** Numeric "uid:gid" the process runs as; unset: the image stack's user for the service. */
  user?: string;
}
export type HardeningMatchesSchema = Assert<Same<Hardening, Filled<Omit<HardeningInput, "user">> & { user?: string }>>;

/** Every rule on; the same in every environment. */
export const DEFAULT_HARDENING: Readonly<Hardening> = Object.freeze({
  readOnly: true,
  noNewPrivileges: true,
  capAdd: [],
  pidsLimit: 256,
  maxRetryCount: 3,
});

// Docker duration strings are built from these, so sub-millisecond values are meaningless.
export const healthcheckSchema = z.strictObject({
  intervalMs: wholeNumber(10, 600_000).describe("time between two healthchecks").optional(),
  timeoutMs: wholeNumber(10, 600_000).describe("one healthcheck's time limit").optional(),
  startPeriodMs: wholeNumber(0, 3_600_000).describe("failures in this period after start do not count").optional(),
  retries: wholeNumber(1, 100).describe("failures in a row that make the container unhealthy").optional(),
});
/** A container's Docker healthcheck timing (its health status, restarts and `npm run status`). */
export interface HealthcheckTiming {
  /** Time between two healthchecks. */
  intervalMs: number;
  /** One healthcheck's time limit. */
  timeoutMs: number;
  /** Failures in this period after start do not count. */
  startPeriodMs: number;
  /** Failures in a row that make the container unhealthy. */
  retries: number;
}
export type HealthcheckTimingMatchesSchema = Assert<Same<HealthcheckTiming, Filled<z.infer<typeof healthcheckSchema>>>>;

// Every probe is a `docker exec` (~55 ms of CPU): at 200 ms an idle 2-worker stack kept 70% of a
// 2-core machine busy and slowed its own bring-up; 500 ms was faster in 6 of 6 paired runs
// (bench/RESULTS.md of 2026-11-23, "What was cut", item 2, in git only: `git show 5b46732:bench/RESULTS.md`).
// The start period only forgives failures: it does not delay the first probe.
const HEALTHCHECK_TIMING: Record<EnvironmentType, HealthcheckTiming> = {
  test: { intervalMs: 500, timeoutMs: 2000, startPeriodMs: 20_000, retries: 3 },
  dev: { intervalMs: 5000, timeoutMs: 3000, startPeriodMs: 30_000, retries: 5 },
  prod: { intervalMs: 5000, timeoutMs: 3000, startPeriodMs: 30_000, retries: 5 },
};

/**
 * A test service that its gate asks directly (a published port: SELECT 1, PING, its HTTP health)
 * does not need Docker's healthcheck to be fast: it only keeps `docker ps`, the status rows and
 * the restart policy informed, and `stack.restart()` asks the service itself too. Each probe is a
 * `runc exec`, most of an idle stack's CPU (about 0.1 s of its shim's CPU each on this machine):
 * every 30 s instead of 10 s took an idle 2-worker stack + engine from 11.2–11.4% to 7.2% of a
 * core, every 60 s to 3.6% (bench/RESULTS.md, "Idle CPU"). One failure, not two in a row, so a
 * service that stops answering is still called unhealthy within 70 s; the 10 s time limit keeps
 * one slow probe on a loaded machine from being that failure. Docker's first probe comes one
 * interval after the start (API 1.41 has no start_interval): `docker ps` says "starting" for the
 * first minute.
 */
export const GATED_DIRECTLY_TIMING = Object.freeze({ intervalMs: 60_000, timeoutMs: 10_000, retries: 1 });

/** `gatedDirectly`: the gate asks the service itself, so Docker's healthcheck may be calm. */
export function healthcheckDefaults(environment: EnvironmentType, gatedDirectly = false): HealthcheckTiming {
  const timing = { ...HEALTHCHECK_TIMING[environment] };
  return environment === "test" && gatedDirectly ? { ...timing, ...GATED_DIRECTLY_TIMING } : timing;
}

/** What a component uses when given no timing: the test environment's, calm when its gate asks it directly. */
export function defaultHealthcheck(gatedDirectly: boolean): HealthcheckTiming {
  return healthcheckDefaults("test", gatedDirectly);
}

// Seconds a container gets to stop on its stop signal before the engine kills it: on destroy,
// replace and scale-down (the provider's destroyGraceSeconds) and on a plain `docker stop` or
// restart (the container's StopTimeout). Every berth service ends within a second on its signal;
// a test stack has nothing worth waiting for beyond that, a dev or prod one gets Docker's 10 s.
// At least 1: the provider drops a StopTimeout of 0 and kills at once with a grace of 0.
export const stopSchema = z.strictObject({
  stopGraceSeconds: wholeNumber(1, 600)
    .describe(
      "seconds a container gets to stop on its stop signal (destroy, replace, docker stop) before it is killed; a change replaces the tier's containers",
    )
    .optional(),
});

const STOP_GRACE_SECONDS: Record<EnvironmentType, number> = { test: 2, dev: 10, prod: 10 };

export function stopGraceDefault(environment: EnvironmentType): number {
  return STOP_GRACE_SECONDS[environment];
}

/** What a component uses when given no stop grace: the test environment's. */
export const DEFAULT_STOP_GRACE_SECONDS = stopGraceDefault("test");

/** Limits of a team's own AppContainer when its args give none. */
export const APP_CONTAINER_DEFAULTS = Object.freeze({ memoryMb: 256, cpus: 0.5 });
