// The readable report that ends stderr when a gate fails: which service, why, and what it said.
import type { ContainerDiagnostics, HealthcheckRun } from "./container-diagnostics";
import { formatSeconds } from "./progress";
import type { ProbeOutcome } from "./types";

export interface ReportInput {
  gate: string;
  elapsedMs: number;
  outcomes: readonly ProbeOutcome[];
  /** Diagnostics of failed containers, by target. */
  diagnostics: ReadonlyMap<string, ContainerDiagnostics>;
  logLines: number;
}

export function failureReport(input: ReportInput): string[] {
  const unreachable = input.outcomes.find((o) => o.engineUnreachable);
  if (unreachable) return [`berth gate "${input.gate}": ${unreachable.detail}`];
  const failed = input.outcomes.filter((o) => o.status !== "healthy" && !o.cancelled);
  const lines = [
    `berth gate "${input.gate}" failed after ${formatSeconds(input.elapsedMs)}: ${failed.map(reason).join("; ")}`,
  ];
  for (const outcome of failed) {
    const diagnostics = input.diagnostics.get(outcome.target);
    if (diagnostics) lines.push(...containerSection(outcome.target, diagnostics, input.logLines));
  }
  for (const outcome of input.outcomes.filter((o) => o.cancelled)) {
    lines.push(`  still waiting when the gate stopped: ${label(outcome)} (${outcome.lastDetail})`);
  }
  return lines;
}

/**
 * The JSON detail of a failed container, completed with what the diagnostics found: the memory
 * limit that was hit, or the newest healthcheck output.
 */
export function withDiagnostics(outcome: ProbeOutcome, diagnostics: ContainerDiagnostics | undefined): ProbeOutcome {
  if (!diagnostics) return outcome;
  if (outcome.status === "oom" && diagnostics.memoryLimitBytes > 0) {
    return { ...outcome, detail: `${outcome.detail} (memory limit ${formatBytes(diagnostics.memoryLimitBytes)})` };
  }
  const newest = diagnostics.healthLog[diagnostics.healthLog.length - 1];
  if (!newest || (outcome.status !== "unhealthy" && outcome.status !== "timeout")) return outcome;
  const firstLine = newest.output.trim().split("\n")[0].slice(0, MAX_NOTE_CHARS);
  return {
    ...outcome,
    detail: `${outcome.detail}; last healthcheck: [exit ${newest.exitCode}] ${firstLine || "(no output)"}`,
  };
}

const MAX_NOTE_CHARS = 200;

export function formatBytes(bytes: number): string {
  const mib = bytes / 1024 / 1024;
  return mib >= 1 ? `${Number(mib.toFixed(1))} MiB` : `${bytes} bytes`;
}

/** "container x is unhealthy", "postgres://u:***@db/app was not healthy within 5s; last: …" */
export function reason(outcome: ProbeOutcome): string {
  const who = label(outcome);
  switch (outcome.status) {
    case "unhealthy":
      return `${who} is unhealthy`;
    case "exited":
      return `${who} ${outcome.detail}`;
    case "oom":
      return `${who} was ${outcome.detail}`;
    case "timeout":
      return `${who} was ${outcome.detail}`;
    default:
      return `${who}: ${outcome.detail}`;
  }
}

/** URLs name themselves; containers and TCP addresses get their kind in front. */
function label(outcome: ProbeOutcome): string {
  return /^[a-z]+:\/\//.test(outcome.target) ? outcome.target : `${outcome.kind} ${outcome.target}`;
}

export function containerSection(name: string, diagnostics: ContainerDiagnostics, logLines: number): string[] {
  const lines = [`  last healthcheck outputs of ${name} (newest last):`];
  if (diagnostics.healthLog.length === 0) lines.push("    (none recorded)");
  for (const run of diagnostics.healthLog) lines.push(...healthcheckRun(run));
  if (logLines === 0) return lines;
  lines.push(`  last ${logLines} log lines of ${name}:`);
  if (diagnostics.logsError) lines.push(`    (could not read the logs: ${diagnostics.logsError})`);
  else if (diagnostics.logLines.length === 0) lines.push("    (no output)");
  else lines.push(...diagnostics.logLines.map((line) => `    ${line}`));
  return lines;
}

/** `[exit 1] first line`, continuation lines aligned under it. */
function healthcheckRun(run: HealthcheckRun): string[] {
  const prefix = `[exit ${run.exitCode}] `;
  const output = run.output.replace(/\s+$/, "").split("\n");
  if (output.length === 1 && output[0] === "") return [`    ${prefix}(no output)`];
  return output.map((line, i) => `    ${i === 0 ? prefix : " ".repeat(prefix.length)}${line}`);
}
