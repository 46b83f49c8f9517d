// Side B: the same services brought up by docker-compose from bench/compose/docker-compose.yml,
// timed from the `docker-compose up -d` call to every container healthy (the engine's health
// events, as for side A), then torn down with `down -v`.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import Docker from "dockerode";
import type { BenchImages } from "./engine-run";
import { HealthWatch, nowMs } from "./health-watch";
import { Tier, tierHealthyAt } from "./tiers";

const run = promisify(execFile);
export const COMPOSE_FILE = join(__dirname, "compose", "docker-compose.yml");
/** postgres, redis, orchestrator, worker-0, worker-1. */
export const COMPOSE_CONTAINERS = 5;

export interface ComposeRun {
  /** `docker-compose up -d` call → every container healthy. */
  allHealthyMs: number;
  /** How long `docker-compose up -d` itself ran (it waits for each healthy dependency). */
  upCommandMs: number;
  tierHealthyMs: Record<Tier, number>;
}

function compose(project: string, images: BenchImages, args: string[]) {
  return run("docker-compose", ["-p", project, "-f", COMPOSE_FILE, ...args], {
    env: { ...process.env, DATA_IMAGE: images.data, APP_IMAGE: images.app },
    maxBuffer: 16 * 1024 * 1024,
  });
}

export async function composeDown(project: string, images: BenchImages): Promise<void> {
  await compose(project, images, ["down", "-v", "--remove-orphans", "--timeout", "10"]);
}

export async function composeRun(docker: Docker, project: string, images: BenchImages, timeoutMs = 180_000): Promise<ComposeRun> {
  const watch = await HealthWatch.start(docker, { label: [`com.docker.compose.project=${project}`] });
  try {
    const startMs = nowMs();
    await compose(project, images, ["up", "-d", "--no-build"]);
    const upCommandMs = nowMs() - startMs;
    const healthyAt = await watch.allHealthy(COMPOSE_CONTAINERS, timeoutMs);
    return { allHealthyMs: healthyAt - startMs, upCommandMs, tierHealthyMs: tierHealthyAt(watch.events, startMs) };
  } finally {
    watch.stop();
    await composeDown(project, images);
  }
}
