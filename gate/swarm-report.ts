// The swarm probes' part of a failure report: each failed task with its node and logs.
import type { Probe } from "./types";
import type { SwarmProbe } from "./swarm-probe";

export function swarmReport(probes: readonly Probe[]): string[] {
  return probes.filter((p): p is SwarmProbe => p.kind === "swarm-service" && "report" in p).flatMap((p) => p.report());
}
