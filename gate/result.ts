// Settles how each probe ended and builds the one JSON document printed on stdout.
import type { GateResult } from "../components/gate/result";
import { FinalStatus, Observation, ProbeKind, ProbeOutcome, TERMINAL_STATES } from "./types";

export type Ending = "passed" | "failed" | "timeout";

export interface ProbeTrack {
  kind: ProbeKind;
  target: string;
  observation?: Observation;
  /** Gate-relative time of the latest transition to healthy. */
  healthyAtMs: number | null;
}

export function settle(tracks: readonly ProbeTrack[], ending: Ending, timeoutSeconds: number): ProbeOutcome[] {
  return tracks.map((track) => {
    const seen = track.observation;
    const last = seen ? `${seen.detail}${seen.pending ? `; ${seen.pending}` : ""}` : "no answer yet";
    const base = {
      kind: track.kind,
      target: track.target,
      lastDetail: last,
      cancelled: false,
      engineUnreachable: seen?.engineUnreachable === true,
      exitCode: seen?.exitCode,
    };
    if (seen?.state === "healthy")
      return { ...base, status: "healthy", detail: seen.detail, timeToHealthyMs: track.healthyAtMs };
    if (seen && TERMINAL_STATES.has(seen.state))
      return { ...base, status: seen.state as FinalStatus, detail: seen.detail, timeToHealthyMs: null };
    if (ending === "timeout")
      return {
        ...base,
        status: "timeout",
        detail: `not healthy within ${timeoutSeconds}s; last: ${last}`,
        timeToHealthyMs: null,
      };
    // Another probe failed the gate first; the contract has no "cancelled" status, so "error" says it did not pass.
    return {
      ...base,
      status: "error",
      cancelled: true,
      detail: `cancelled: another probe failed the gate first; last: ${last}`,
      timeToHealthyMs: null,
    };
  });
}

export function gateResult(gate: string, elapsedMs: number, outcomes: readonly ProbeOutcome[]): GateResult {
  return {
    gate,
    status: outcomes.every((o) => o.status === "healthy") ? "passed" : "failed",
    elapsedMs: Math.round(elapsedMs),
    probes: outcomes.map((o) => ({
      kind: o.kind,
      target: o.target,
      status: o.status,
      timeToHealthyMs: o.timeToHealthyMs === null ? null : Math.round(o.timeToHealthyMs),
      detail: o.detail,
    })),
  };
}
