// The gate CLI's command line, built from plain values (pure: tested without mocks), and where the
// compiled gate CLI (dist/gate/) and berth's tools (dist/tools/) live.
import * as path from "node:path";

/** dist/ of this package, whether this file runs from source (ts-node) or compiled. */
export function distRoot(here: string = __dirname): string {
  // here is <root>/components/gate (ts-node) or <root>/dist/components/gate (compiled)
  const parent = path.dirname(path.dirname(here));
  return path.basename(parent) === "dist" ? parent : path.join(parent, "dist");
}

/**
 * The scripts berth's commands run, by their path under dist/ without `.js`: the gate CLI
 * (gate/cli.ts) and the tools (tools/: the swarm service's pids limit, the Postgres
 * template step, the stack's subnet pick).
 */
export type DistScript = "gate/cli" | "tools/set-service-pids" | "tools/build-template" | "tools/pick-subnet";

/**
 * `node <path>/gate/cli.js` (or `<path>/tools/<tool>.js`), quoted for a shell. The path is found
 * from this package itself; it is written relative to the program's directory when the package
 * lies inside it (node_modules/berth, or berth's own checkout), so the command recorded in state is
 * the same on every machine, and absolute otherwise. Pulumi runs the program and its commands in
 * the program's directory.
 */
export function distInvocation(script: DistScript, cwd: string = process.cwd(), here: string = __dirname): string {
  const file = path.join(distRoot(here), `${script}.js`);
  const rel = path.relative(cwd, file);
  return `node ${shellQuote(rel.startsWith("..") || path.isAbsolute(rel) ? file : rel)}`;
}

/** Quotes one word for /bin/sh when it holds anything beyond a safe set. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** What one gate waits for; every list may be empty, but not all of them. */
export interface GateProbes {
  /** Containers (names or ids) whose Docker health must turn healthy. */
  containers: string[];
  /** Pids limits the gate sets (and reads back) on its containers before it watches them. */
  pidsLimits?: { container: string; limit: number }[];
  /** A container also counts ready once the URL in this environment variable answers. */
  ready?: { container: string; env: string }[];
  /** Retry interval of the ready probes. @default the CLI's */
  readyIntervalMs?: number;
  /** URLs that must answer `httpStatus`. */
  http: string[];
  /** @default 200 */
  httpStatus?: number;
  /** Each HTTP body's top-level `key` must list at least `count` items. */
  httpMinItems?: { key: string; count: number };
  /** host:port that must accept a TCP connection. */
  tcp: string[];
  /** Environment variables holding Postgres URLs that must answer SELECT 1 (URLs carry passwords: never on the command line). */
  postgresEnv: string[];
  /** Environment variables holding Redis URLs that must answer PING. */
  redisEnv: string[];
  /** Swarm services whose replicas must all run healthy (with `replicas`: the count the service must ask for). */
  swarmServices?: { name: string; replicas?: number }[];
  /** Retry interval of the HTTP, TCP, Postgres and Redis probes. @default the CLI's */
  intervalMs?: number;
  /** Container log lines shown on failure. @default the CLI's */
  logLines?: number;
  /** Printed after a failure report: which stack file and key to change. */
  hint?: string;
}

export function gateCommandLine(gateName: string, timeoutSeconds: number, probes: GateProbes): string {
  const words = ["--name", gateName, "--timeout-seconds", String(timeoutSeconds)];
  if (probes.intervalMs !== undefined) words.push("--interval-ms", String(probes.intervalMs));
  if (probes.logLines !== undefined) words.push("--log-lines", String(probes.logLines));
  for (const c of probes.containers) words.push("--container", c);
  for (const p of probes.pidsLimits ?? []) words.push("--pids-limit", `${p.container}=${p.limit}`);
  for (const r of probes.ready ?? []) words.push("--ready", `${r.container}=env:${r.env}`);
  if ((probes.ready ?? []).length > 0 && probes.readyIntervalMs !== undefined)
    words.push("--ready-interval-ms", String(probes.readyIntervalMs));
  for (const url of probes.http) words.push("--http", url);
  if (probes.http.length > 0 && probes.httpStatus !== undefined) words.push("--http-status", String(probes.httpStatus));
  if (probes.httpMinItems && (probes.http.length > 0 || (probes.ready ?? []).length > 0))
    words.push("--http-min-items", `${probes.httpMinItems.key}=${probes.httpMinItems.count}`);
  for (const t of probes.tcp) words.push("--tcp", t);
  for (const v of probes.postgresEnv) words.push("--postgres", `env:${v}`);
  for (const v of probes.redisEnv) words.push("--redis", `env:${v}`);
  for (const svc of probes.swarmServices ?? [])
    words.push("--swarm-service", svc.replicas === undefined ? svc.name : `${svc.name}=${svc.replicas}`);
  if (probes.hint) words.push("--hint", probes.hint);
  return [distInvocation("gate/cli"), ...words.map(shellQuote)].join(" ");
}

/** The environment variable that carries the i-th URL of a kind of probe. */
export function probeVariable(kind: "postgres" | "redis" | "ready", index: number): string {
  return `BERTH_GATE_${kind.toUpperCase()}_${index}`;
}
