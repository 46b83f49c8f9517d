// The document the gate CLI (gate/) prints on stdout and a HealthGate exposes as its `result`: the
// contract between the two, kept here so the components never import the CLI. Types only.

/** What a probe checks. */
export type ProbeKind = "container" | "http" | "tcp" | "postgres" | "redis" | "swarm-service";

/** A probe's status in the result. */
export type FinalStatus = "healthy" | "unhealthy" | "exited" | "oom" | "timeout" | "error";

export interface GateResult {
  gate: string;
  status: "passed" | "failed";
  elapsedMs: number;
  probes: Array<{
    kind: ProbeKind;
    target: string;
    status: FinalStatus;
    timeToHealthyMs: number | null;
    detail: string;
  }>;
}
