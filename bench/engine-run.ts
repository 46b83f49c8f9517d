// Side A: berth's test stack brought up through the e2e engine mode (engine-child.ts, a fresh
// process per run) and timed to all-healthy by the engine's own health events.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import Docker from "dockerode";
import { REPO_ROOT } from "../lab/berth-program";
import type { ChildResult } from "./engine-child";
import { HealthWatch, nowMs } from "./health-watch";
import { gateSplit, GateSplit, Tier, tierHealthyAt } from "./tiers";

export interface BenchImages {
  data: string;
  app: string;
}

export interface EngineRun {
  /** up() call → every container healthy (engine event time). */
  allHealthyMs: number;
  /** Process spawn → every container healthy: adds node start-up and loading the Pulumi SDK. */
  spawnToHealthyMs: number;
  /** up() call → up() returned (every gate passed, outputs resolved). */
  upMs: number;
  /** up() call → each tier's last container healthy. */
  tierHealthyMs: Record<Tier, number>;
  gates: GateSplit;
  containers: number;
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

export async function engineRun(docker: Docker, stack: string, config: Record<string, unknown>, timeoutMs = 300_000): Promise<EngineRun> {
  const watch = await HealthWatch.start(docker, { label: [`berth.stack=${stack}`] });
  const spawnedAtMs = nowMs();
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", join(__dirname, "engine-child.ts"), JSON.stringify({ stack, configFrom: "test", config })], {
    cwd: REPO_ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  child.stdin.on("error", () => undefined); // a child that already failed has closed its stdin
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  let failed = false;
  try {
    const line = await Promise.race([
      new Promise<string>((resolve) => createInterface({ input: child.stdout }).once("line", resolve)),
      exited.then((code) => Promise.reject(new Error(`engine-mode up of ${stack} exited ${code}:\n${stderr}`))),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`engine-mode up of ${stack} took over ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
    const result = JSON.parse(line) as ChildResult;
    const healthyAt = await watch.allHealthy(result.containers, 10_000);
    return {
      allHealthyMs: healthyAt - result.upCalledAtMs,
      spawnToHealthyMs: healthyAt - spawnedAtMs,
      upMs: result.upMs,
      tierHealthyMs: tierHealthyAt(watch.events, result.upCalledAtMs),
      gates: gateSplit(result.timeline),
      containers: result.containers,
    };
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    watch.stop();
    child.stdin.end("destroy\n");
    const code = await exited;
    // A failed up already says why; a failed destroy after a good up must not pass silently.
    if (code !== 0 && !failed) throw new Error(`engine-mode destroy of ${stack} exited ${code}:\n${stderr}`);
  }
}
