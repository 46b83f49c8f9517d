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

export function observeInspect(info: Pick<ContainerInspectInfo, "State" | "Config">): Observation {
  const state = info.State;
  if (state.OOMKilled && !state.Running) return oom(state.ExitCode);
  if (state.Status === "exited" || state.Status === "dead") return exited(state.ExitCode);
  // The configured healthcheck (image's merged with the container's) decides: State.Health only
  // appears once a container with one has been started.
  const test = info.Config.Healthcheck?.Test ?? [];
  if (test.length === 0 || test[0] === "NONE") return { state: "error", detail: NO_HEALTHCHECK };
  if (!state.Health) return { state: "starting", detail: `health: not running yet (${state.Status})` };
  switch (state.Health.Status) {
    case "healthy":
      return { state: "healthy", detail: "health: healthy" };
    case "unhealthy":
      return { state: "unhealthy", detail: "health: unhealthy" };
    default:
      // "starting", or a created/paused container whose healthcheck has not run yet
      return { state: "starting", detail: `health: ${state.Health.Status || "starting"}` };
  }
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
