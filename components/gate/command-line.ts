// The gate CLI's command line, built from plain values (pure: tested without mocks), and where the
// compiled gate tools live: a path relative to the directory Pulumi runs the program in, so the
// commands recorded in state do not depend on one machine's checkout path.
import * as path from "node:path";

/** dist/ of this package, whether this file runs from source (ts-node) or compiled. */
export function distRoot(here: string = __dirname): string {
  // here is <root>/components/gate (ts-node) or <root>/dist/components/gate (compiled)
  const parent = path.dirname(path.dirname(here));
  return path.basename(parent) === "dist" ? parent : path.join(parent, "dist");
}

export type GateScript = "cli" | "set-pids-limit";

/** `node dist/gate/cli.js`, quoted for a shell. */
export function gateInvocation(script: GateScript, cwd: string = process.cwd(), here: string = __dirname): string {
  const rel = path.relative(cwd, path.join(distRoot(here), "gate", `${script}.js`));
  return `node ${shellQuote(rel)}`;
}

/** Quotes one word for /bin/sh when it holds anything beyond a safe set. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The environment the gate tools need to reach the right engine. */
export function dockerEnvironment(dockerHost: string | undefined): Record<string, string> {
  return dockerHost === undefined ? {} : { DOCKER_HOST: dockerHost };
}

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
