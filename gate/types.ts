// Shared vocabulary of the gate: what a probe reports while running and how it ends.
import type { FinalStatus, ProbeKind } from "../components/gate/result";

export type { FinalStatus, ProbeKind };

/** A probe's state while the gate runs. "starting" means "not ready yet, keep waiting". */
export type LiveState = "starting" | "healthy" | "unhealthy" | "exited" | "oom" | "error";

/** States that end the gate at once: waiting longer cannot turn them healthy. */
export const TERMINAL_STATES: ReadonlySet<LiveState> = new Set(["unhealthy", "exited", "oom", "error"]);

export interface Observation {
  state: LiveState;
  /** Human-readable, already redacted: what the probe saw last. */
  detail: string;
  /** Set when the Docker engine could not be reached: the report then says only that. */
  engineUnreachable?: boolean;
  /** Container exit code, when the container exited or was OOM-killed. */
  exitCode?: number;
  /** While waiting: what a container's --ready probe said last (shown when the gate times out). */
  pending?: string;
}

export interface ProbeContext {
  /** Aborted when the gate ends (passed, failed or timed out): stop and release connections. */
  signal: AbortSignal;
  update(observation: Observation): void;
}

export interface Probe {
  kind: ProbeKind;
  /** What the probe checks, safe to print (passwords redacted). */
  target: string;
  /** Runs until the probe ends or ctx.signal aborts; reports through ctx.update. */
  run(ctx: ProbeContext): Promise<void>;
}

/** How one probe ended, as the gate runner settled it. */
export interface ProbeOutcome {
  kind: ProbeKind;
  target: string;
  status: FinalStatus;
  detail: string;
  /** The probe's own last word (detail explains the status around it). */
  lastDetail: string;
  timeToHealthyMs: number | null;
  /** Still waiting when another probe failed the gate. */
  cancelled: boolean;
  engineUnreachable: boolean;
  exitCode?: number;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
