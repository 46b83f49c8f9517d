// The gate CLI's command line, built from plain values (pure: tested without mocks).
import { gateInvocation, shellQuote } from "./cli-location";

export interface GateProbes {
  /** Containers whose Docker health the gate waits for. */
  containers: string[];
  /** URLs that must answer with 200. */
  httpUrls: string[];
  /** Each HTTP body's top-level `key` must list at least `count` items. */
  httpMinItems?: { key: string; count: number };
  /** host:port that must accept a TCP connection. */
  tcp: string[];
  /** Printed after a failure report: which stack file and key to change. */
  hint?: string;
}

export function gateCommandLine(gateName: string, timeoutSeconds: number, probes: GateProbes): string {
  const words = ["--name", gateName, "--timeout-seconds", String(timeoutSeconds)];
  for (const c of probes.containers) words.push("--container", c);
  for (const url of probes.httpUrls) words.push("--http", url);
  if (probes.httpMinItems && probes.httpUrls.length > 0) words.push("--http-min-items", `${probes.httpMinItems.key}=${probes.httpMinItems.count}`);
  for (const t of probes.tcp) words.push("--tcp", t);
  if (probes.hint) words.push("--hint", probes.hint);
  return [gateInvocation("cli"), ...words.map(shellQuote)].join(" ");
}

/** The line a tier's gate prints after a failure: the stack file and the keys to change. */
export function tierHint(stackFile: string, tier: string, timeoutSeconds: number, serviceKeys: string[]): string {
  return (
    `To change this, edit ${stackFile}: the settings of these services are under ${serviceKeys.map((k) => `berth:${k}`).join(", ")}; ` +
    `raise berth:tiers.${tier}.gateTimeoutSeconds (now ${timeoutSeconds}) only if they are healthy but slow.`
  );
}

/** What the gate prints on stdout when it ends. */
export interface GateResult {
  gate: string;
  status: "passed" | "failed";
  elapsedMs: number;
  probes: { kind: string; target: string; status: string; timeToHealthyMs: number | null; detail?: string }[];
}
