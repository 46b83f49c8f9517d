// Restart one service of a stack and wait on its gate again through the gate CLI
// (dist/gate/cli.js): the gate that guarded it at `up` (from the stack's gateResults output) with
// the same probes — the direct readiness probes too (ready-probes.ts), so a restarted service counts
// ready as soon as it answers, not at Docker's next healthcheck — and so a restart fails fast with
// the same report (the service's healthcheck output and last log lines) as `up` would.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type Docker from "dockerode";
import { LABELS } from "../../components/contract";
import { probeHost } from "../../components/ports";
import { distRoot, probeVariable } from "../../components/gate/command-line";
import { DEFAULT_GATE_TIMEOUT_SECONDS } from "../../components/gate/settings";
import { isNoSuchContainer } from "../../gate/engine-errors";
import type { GateResult } from "../../components/gate/result";
import { nameOf } from "./endpoints";
import { GateReady, readyProbes } from "./ready-probes";
import { StackRef, stackContainers } from "./stack-containers";

export interface RestartOptions {
  /** The gate's time budget. @default DEFAULT_GATE_TIMEOUT_SECONDS (90, the test tiers') */
  timeoutSeconds?: number;
  /**
   * Seconds the container gets to stop before it is killed, as `docker restart -t`. @default the
   * container's own stop timeout (its StopTimeout, else the engine's 10 s): the restart sends none
   */
  stopGraceSeconds?: number;
  /** The stack's `gateResults` output: which gate guards the service, with which probes. @default a gate on the service's containers */
  gateResults?: Record<string, GateResult | undefined>;
  /** The containers to restart (names or ids). @default those labelled berth.service=<service> */
  containers?: string[];
  /**
   * Host ports that moved since `up` (old → new): the gate's HTTP/TCP probes follow them. A
   * function is asked after the restart, so it sees the ports the restart itself moved (an
   * engine-picked host port changes on restart). @default none
   */
  movedPorts?: ReadonlyMap<number, number> | (() => Promise<ReadonlyMap<number, number>>);
  /** The gate CLI's environment (DOCKER_HOST). @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** The gate whose container probes include one of `containers` (the restarted ones), if any. */
function gateOf(containers: string[], gates: Record<string, GateResult | undefined>): GateResult | undefined {
  return Object.values(gates).find((g) =>
    g?.probes.some((p) => p.kind === "container" && containers.includes(p.target)),
  );
}

/** Every container the restarted service's gate watches: its gate's containers at `up`, then the restarted ones. */
export function gateContainers(containers: string[], gates: Record<string, GateResult | undefined> = {}): string[] {
  const recorded = (gateOf(containers, gates)?.probes ?? []).filter((p) => p.kind === "container").map((p) => p.target);
  return [...new Set([...recorded, ...containers])];
}

/** The gate CLI's arguments, and the environment that carries the ready URLs (they may hold passwords: never on the command line). */
export interface GateInvocation {
  args: string[];
  env: Record<string, string>;
}

/**
 * The gate CLI's invocation for a restarted service: the gate whose probes include one of its
 * containers, with all of that gate's container, HTTP and TCP probes (Postgres/Redis probes carry
 * redacted URLs in the results and are left out), else a gate named after the service; and each
 * watched container's direct readiness probe from `ready` (see readyProbes), as `up` gave them.
 */
export function restartGateArgs(
  service: string,
  containers: string[],
  timeoutSeconds: number,
  gates: Record<string, GateResult | undefined> = {},
  /** Host ports that moved since `up` (old → new; see movedPorts): probes recorded then follow them. */
  moved: ReadonlyMap<number, number> = new Map(),
  ready: GateReady = { probes: [] },
): GateInvocation {
  const gate = gateOf(containers, gates);
  const watched = gateContainers(containers, gates);
  const args = ["--name", gate?.gate ?? service, "--timeout-seconds", String(timeoutSeconds)];
  for (const c of watched) args.push("--container", c);
  const env: Record<string, string> = {};
  const asked = ready.probes.filter((r) => watched.includes(r.container));
  asked.forEach((r, i) => {
    env[probeVariable("ready", i)] = r.url;
    args.push("--ready", `${r.container}=env:${probeVariable("ready", i)}`);
  });
  const seen = new Set<string>();
  const flags: Record<string, string> = { http: "--http", tcp: "--tcp" };
  for (const p of (gate?.probes ?? []).filter((q) => q.kind in flags)) {
    const key = `${p.kind} ${p.target}`;
    if (seen.has(key)) continue;
    seen.add(key);
    args.push(flags[p.kind], followPort(p.kind, p.target, moved));
  }
  const http = seen.size > 0 || asked.some((r) => /^https?:/.test(r.url));
  if (ready.httpMinItems && http)
    args.push("--http-min-items", `${ready.httpMinItems.key}=${ready.httpMinItems.count}`);
  return { args, env };
}

/** An HTTP URL or host:port with its port replaced when it moved. */
export function followPort(kind: string, target: string, moved: ReadonlyMap<number, number>): string {
  if (kind === "http") {
    const u = new URL(target);
    const now = moved.get(Number(u.port));
    if (now === undefined) return target;
    u.port = String(now);
    return u.toString();
  }
  const at = target.lastIndexOf(":");
  const now = moved.get(Number(target.slice(at + 1)));
  return now === undefined ? target : `${target.slice(0, at)}:${now}`;
}

/** The compiled gate CLI of this package. */
function gateCliPath(): string {
  const cli = join(distRoot(), "gate", "cli.js");
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` (the gate CLI is compiled there)`);
  return cli;
}

function runGate(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [gateCliPath(), ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Restarts every container of `service` and resolves with the gate's result once it passes again; rejects with the gate's report. */
export async function restartService(
  docker: Docker,
  ref: StackRef,
  service: string,
  opts: RestartOptions = {},
): Promise<GateResult> {
  const before = opts.containers
    ? await Promise.all(opts.containers.map((c) => docker.getContainer(c).inspect()))
    : await stackContainers(docker, ref, service);
  if (before.length === 0) {
    const services = [
      ...new Set((await stackContainers(docker, ref)).map((c) => c.Config.Labels?.[LABELS.service] ?? "-")),
    ].sort();
    throw new Error(
      `no container of service "${service}" in stack ${ref.project}/${ref.stack} (label ${LABELS.service}); its services: ${services.join(", ") || "none — is the stack up?"}`,
    );
  }
  const names = before.map(nameOf).sort();
  // Without t the engine stops each container within its own StopTimeout (Engine API: restart's t
  // is optional; the daemon then takes the container's), as `docker stop` and a destroy do.
  const grace = opts.stopGraceSeconds === undefined ? {} : { t: opts.stopGraceSeconds };
  await Promise.all(before.map((c) => docker.getContainer(c.Id).restart(grace)));
  // The engine resets a restarted container's health to "starting"; the gate's direct probes see it ready first.
  const after = await Promise.all(before.map((c) => docker.getContainer(c.Id).inspect()));
  const notRestarted = after.filter((a, i) => a.State.StartedAt === before[i].State.StartedAt).map(nameOf);
  if (notRestarted.length > 0)
    throw new Error(`restart of ${notRestarted.join(", ")} did not start a new process (StartedAt unchanged)`);

  const timeoutSeconds = opts.timeoutSeconds ?? DEFAULT_GATE_TIMEOUT_SECONDS;
  const moved = typeof opts.movedPorts === "function" ? await opts.movedPorts() : opts.movedPorts;
  const env = opts.env ?? process.env;
  const ready = await restartReady(docker, ref, gateContainers(names, opts.gateResults), env);
  const gate = restartGateArgs(service, names, timeoutSeconds, opts.gateResults, moved, ready);
  const run = await runGate(gate.args, { ...env, ...gate.env });
  if (run.code !== 0)
    throw new Error(`restarted ${service} (${names.join(", ")}) but its gate did not pass:\n${run.stderr.trim()}`);
  return JSON.parse(run.stdout) as GateResult;
}

/** The ready probes of the gate's containers as they are now; a container gone is left to the gate, which reports it. */
async function restartReady(
  docker: Docker,
  ref: StackRef,
  watched: string[],
  env: NodeJS.ProcessEnv,
): Promise<GateReady> {
  const found = await Promise.all(
    watched.map((c) =>
      docker
        .getContainer(c)
        .inspect()
        .catch((err: unknown) => (isNoSuchContainer(err) ? undefined : Promise.reject(err))),
    ),
  );
  const gated = found.filter((i): i is NonNullable<typeof i> => i !== undefined);
  return readyProbes(gated, await stackContainers(docker, ref), (hostIp) => probeHost(env.DOCKER_HOST, hostIp));
}
