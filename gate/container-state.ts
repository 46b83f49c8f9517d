// Pure mapping from what the engine says about a container (inspect, events) to a probe state.
import type { ContainerInspectInfo } from "dockerode";
import type { Observation } from "./types";

export const NO_HEALTHCHECK =
  "has no healthcheck: add one (HEALTHCHECK in the image or a healthcheck in the container spec) so the gate can tell when it is ready";

/** The fields of an engine event the gate reads (GET /events). */
export interface EngineEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  timeNano?: number;
}

/**
 * What `docker inspect` says of a container's life, in one vocabulary for the gate and for the
 * status rows (testing/client/health-report.ts): stopped for good, not running yet, or running
 * with its healthcheck's verdict ("none" when it has no health record).
 */
export type Condition =
  | { kind: "oom"; exitCode: number }
  | { kind: "exited"; exitCode: number }
  | { kind: "created" }
  | { kind: "paused" }
  | { kind: "restarting" }
  | { kind: "running"; health: "healthy" | "unhealthy" | "starting" | "none" };

export function conditionOf(
  state: Pick<
    ContainerInspectInfo["State"],
    "Status" | "Running" | "Paused" | "Restarting" | "OOMKilled" | "ExitCode" | "Health"
  >,
): Condition {
  if (state.Paused) return { kind: "paused" };
  if (state.Restarting) return { kind: "restarting" };
  if (!state.Running) {
    if (state.OOMKilled) return { kind: "oom", exitCode: state.ExitCode };
    if (state.Status === "created") return { kind: "created" };
    return { kind: "exited", exitCode: state.ExitCode };
  }
  const health = state.Health?.Status;
  if (health === undefined || health === "" || health === "none") return { kind: "running", health: "none" };
  return { kind: "running", health: health === "healthy" || health === "unhealthy" ? health : "starting" };
}

export function observeInspect(info: Pick<ContainerInspectInfo, "State" | "Config">): Observation {
  const condition = conditionOf(info.State);
  if (condition.kind === "oom") return oom(condition.exitCode);
  if (condition.kind === "exited") return exited(condition.exitCode);
  // The configured healthcheck (image's merged with the container's) decides: State.Health only
  // appears once a container with one has been started.
  const test = info.Config.Healthcheck?.Test ?? [];
  if (test.length === 0 || test[0] === "NONE") return { state: "error", detail: NO_HEALTHCHECK };
  if (condition.kind !== "running" || condition.health === "none")
    return { state: "starting", detail: `health: not running yet (${info.State.Status})` };
  if (condition.health === "starting") return { state: "starting", detail: "health: starting" };
  return { state: condition.health, detail: `health: ${condition.health}` };
}

/** The state an event moves the container to; undefined for events that change nothing. */
export function observeEvent(event: EngineEvent): Observation | undefined {
  const action = event.Action ?? "";
  if (action === "health_status: healthy") return { state: "healthy", detail: "health: healthy" };
  if (action === "health_status: unhealthy") return { state: "unhealthy", detail: "health: unhealthy" };
  if (action === "oom") return oom(undefined);
  if (action === "die") return exited(Number(event.Actor?.Attributes?.exitCode ?? NaN));
  if (action === "destroy") return { state: "error", detail: "container was removed" };
  return undefined;
}

/** The detail leaves out the exit code: the OOM killer's SIGKILL always makes it 137. */
function oom(exitCode: number | undefined): Observation {
  return { state: "oom", detail: "OOM-killed", exitCode };
}

function exited(exitCode: number): Observation {
  if (Number.isNaN(exitCode)) return { state: "exited", detail: "exited" };
  return { state: "exited", detail: `exited with code ${exitCode}`, exitCode };
}
