// berth: the test stack brought up through the e2e engine mode (engine-child.ts, a fresh process
// per run). Its figure is the time to a usable environment: up() returned, so every gate passed.
// The engine's health events give the per-tier Docker view beside it.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import Docker from "dockerode";
import type { TimelineEntry } from "../testing/engine/mode";
import { berthRequest, REPO_ROOT } from "../lab/berth-program";
import { requireBuilt } from "../lab/gate-runner";
import { ENGINE_CHILD } from "./child-process";
import { DOCKER_HEALTH_WAIT_MS } from "./entry";
import type { ChildRequest, ChildResult } from "./engine-child";
import { nowMs } from "../lab/clock";
import { HealthWatch } from "./health-watch";
import { IdleCpu, idleCpu } from "./idle-cpu";
import { gateSplit, GateSplit, Tier, tierHealthyAt } from "./tiers";

export interface BenchImages {
  data: string;
  app: string;
}

/** After up: how long to let start-up work die down, then how long to measure idle CPU (0: not measured). */
export interface IdleWindow {
  settleMs: number;
  windowMs: number;
}

export interface EngineRun {
  workers: number;
  /** up() call → up() returned: every gate passed, outputs resolved. */
  upMs: number;
  /** Process spawn → up() returned: adds Node start-up and loading the Pulumi SDK. */
  spawnToUpMs: number;
  /** up() call → each tier's last container healthy by Docker's own healthcheck (undefined: not within the wait). */
  tierHealthyMs?: Record<Tier, number>;
  gates: GateSplit;
  containers: number;
  idle?: IdleCpu;
  timeline: TimelineEntry[];
}

/** The test stack's config with the locally built images, as tests/e2e/stack.test.ts passes them. */
export function engineConfig(images: BenchImages, workers?: number): Record<string, unknown> {
  return {
    "berth:useAlpine": false,
    "berth:images": { postgres: images.data, redis: images.data, app: images.app },
    "berth:hardening": { postgres: { user: "999:999" }, redis: { user: "999:999" } },
    ...(workers === undefined ? {} : { "berth:workers": { replicas: workers, namespaces: ["default"] } }),
  };
}

/** No idle-CPU measurement after up. */
export const NO_IDLE: IdleWindow = { settleMs: 0, windowMs: 0 };

/**
 * Brings `stack` up in a fresh engine-mode process (engine-child.ts) with the test stack's config
 * and `config` over it, hands its result to `measure` while the stack runs, then destroys it. A
 * failed up says why; a failed destroy after a good up fails too. `label` names the side in errors.
 */
export async function withEngineChild<T>(
  label: string,
  stack: string,
  config: Record<string, unknown>,
  timeoutMs: number,
  measure: (result: ChildResult) => Promise<T>,
): Promise<T> {
  requireBuilt(ENGINE_CHILD);
  // A program is a function, which JSON cannot carry: the child makes it from workDir's Pulumi.yaml.
  const { program: _madeByChild, ...request } = berthRequest(stack, "test", config);
  const childRequest: ChildRequest = { ...request, workDir: REPO_ROOT };
  const child = spawn(process.execPath, [ENGINE_CHILD, JSON.stringify(childRequest)], {
    cwd: REPO_ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  child.stdin.on("error", () => undefined); // a child that already failed has closed its stdin
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  let result: T;
  try {
    const line = await Promise.race([
      new Promise<string>((resolve) => createInterface({ input: child.stdout }).once("line", resolve)),
      exited.then((code) => Promise.reject(new Error(`${label} up of ${stack} exited ${code}:\n${stderr}`))),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`${label} up of ${stack} took over ${timeoutMs} ms`)), timeoutMs).unref(),
      ),
    ]);
    result = await measure(JSON.parse(line) as ChildResult);
  } catch (err) {
    // The up failed: destroy what it made, and say why the up failed.
    child.stdin.end("destroy\n");
    await exited;
    throw err;
  }
  child.stdin.end("destroy\n");
  const code = await exited;
  if (code !== 0) throw new Error(`${label} destroy of ${stack} exited ${code}:\n${stderr}`);
  return result;
}

/** One bring-up of the test stack with `workers` workers; `extra` config ("berth:…") layered over. */
export async function engineRun(
  docker: Docker,
  stack: string,
  images: BenchImages,
  workers: number,
  idle: IdleWindow,
  timeoutMs = 300_000,
  extra: Record<string, unknown> = {},
): Promise<EngineRun> {
  const label = `berth.stack=${stack}`;
  const watch = await HealthWatch.start(docker, { label: [label] });
  const spawnedAtMs = nowMs();
  try {
    return await withEngineChild(
      "engine-mode",
      stack,
      { ...engineConfig(images, workers), ...extra },
      timeoutMs,
      async (result) => {
        const measured = idle.windowMs > 0 ? await idleCpu(docker, label, idle.settleMs, idle.windowMs) : undefined;
        const dockerHealthy = await watch.allHealthy(result.containers, DOCKER_HEALTH_WAIT_MS).then(
          () => tierHealthyAt(watch.events, result.upCalledAtMs),
          () => undefined,
        );
        return {
          workers,
          upMs: result.upMs,
          spawnToUpMs: result.upCalledAtMs + result.upMs - spawnedAtMs,
          ...(dockerHealthy ? { tierHealthyMs: dockerHealthy } : {}),
          gates: gateSplit(result.timeline),
          containers: result.containers,
          ...(measured ? { idle: measured } : {}),
          timeline: result.timeline,
        };
      },
    );
  } finally {
    watch.stop();
  }
}
