// Progress lines on stderr while the gate waits: one per state change, plus a periodic summary.
import type { Observation } from "./types";

export const PERIODIC_PROGRESS_MS = 5000;

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** `gate data: postgres-x starting 0.8s (connect ECONNREFUSED 127.0.0.1:5432)` */
export function progressLine(gate: string, target: string, observation: Observation, elapsedMs: number): string {
  // A container's detail ("health: starting") only repeats its state; other probes' details say why.
  const why = observation.detail.startsWith("health: ") ? "" : ` (${observation.detail})`;
  return `gate ${gate}: ${target} ${observation.state} ${formatSeconds(elapsedMs)}${why}`;
}

export interface Waiting {
  target: string;
  observation?: Observation;
}

/** `gate data: still waiting 5.0s for redis://127.0.0.1:6379 (starting)` */
export function periodicLine(gate: string, waiting: readonly Waiting[], elapsedMs: number): string {
  const list = waiting.map((w) => `${w.target} (${w.observation?.state ?? "no answer yet"})`).join(", ");
  return `gate ${gate}: still waiting ${formatSeconds(elapsedMs)} for ${list}`;
}
