// The docker-compose baselines: a file generated from bench/compose/template.ts, timed from the
// `docker-compose up -d` call to every container healthy (the engine's health events, what
// `up --wait` of newer compose versions waits for), then torn down with `down -v`.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Docker from "dockerode";
import { composeContainers, composeFile, ComposeVariant } from "./compose/template";
import type { BenchImages, IdleWindow } from "./engine-run";
import { nowMs } from "../lab/clock";
import { HealthWatch } from "./health-watch";
import { IdleCpu, idleCpu } from "./idle-cpu";
import { Tier, tierHealthyAt } from "./tiers";

const run = promisify(execFile);

export interface ComposeRun {
  variant: ComposeVariant;
  workers: number;
  /** `docker-compose up -d` call → every container healthy. */
  allHealthyMs: number;
  /** How long `docker-compose up -d` itself ran (it waits for each healthy dependency). */
  upCommandMs: number;
  tierHealthyMs: Record<Tier, number>;
  idle?: IdleCpu;
}

/** One project: its generated file in a directory of its own, removed by down(). */
export class ComposeProject {
  private readonly dir: string;
  private readonly file: string;

  constructor(
    readonly name: string,
    readonly variant: ComposeVariant,
    readonly workers: number,
    private readonly images: BenchImages,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), `${name}-`));
    this.file = join(this.dir, "docker-compose.yml");
    writeFileSync(this.file, composeFile(variant, workers));
  }

  compose(args: string[]) {
    return run("docker-compose", ["-p", this.name, "-f", this.file, ...args], {
      env: { ...process.env, DATA_IMAGE: this.images.data, APP_IMAGE: this.images.app },
      maxBuffer: 16 * 1024 * 1024,
    });
  }

  async down(): Promise<void> {
    try {
      await this.compose(["down", "-v", "--remove-orphans", "--timeout", "10"]);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

export async function composeRun(
  docker: Docker,
  project: ComposeProject,
  idle: IdleWindow,
  timeoutMs = 300_000,
): Promise<ComposeRun> {
  const label = `com.docker.compose.project=${project.name}`;
  const watch = await HealthWatch.start(docker, { label: [label] });
  try {
    const startMs = nowMs();
    await project.compose(["up", "-d", "--no-build"]);
    const upCommandMs = nowMs() - startMs;
    const healthyAt = await watch.allHealthy(composeContainers(project.workers), timeoutMs);
    const measured = idle.windowMs > 0 ? await idleCpu(docker, label, idle.settleMs, idle.windowMs) : undefined;
    return {
      variant: project.variant,
      workers: project.workers,
      allHealthyMs: healthyAt - startMs,
      upCommandMs,
      tierHealthyMs: tierHealthyAt(watch.events, startMs),
      ...(measured ? { idle: measured } : {}),
    };
  } finally {
    watch.stop();
  }
}
