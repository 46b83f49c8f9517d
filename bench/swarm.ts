// Swarm mode against one engine (issue 15): the test stack with 8 and 32 workers on the local
// engine and on a three-node lab swarm (lab/swarm.ts: a manager and two workers as
// Docker-in-Docker containers of the same machine), in the same run, alternating. Both sides go
// through engine mode in a fresh process (engine-child.ts) and are timed from the up() call to
// up() returned (every gate passed), and to the engines' last health_status: healthy event (read
// on every node for the swarm). The swarm's nodes share the machine's CPUs: this measures what
// berth's swarm path costs (scheduling, the pids update's task roll, image distribution, overlay
// networking), not added capacity.
//
//   const results = await swarmBench({ images, log });   // images: local tags (ensureDataImage/…)
//   process.stdout.write(formatSwarmSection(results));
//
// On its own: `npx ts-node -T bench/swarm.ts [--workers 8,32] [--rounds 1]` (root, the engine
// .ci/services.sh starts, `npm run build`): the section on stdout, progress on stderr.
import { setTimeout as sleep } from "node:timers/promises";
import { Command, InvalidArgumentError } from "commander";
import Docker from "dockerode";
import { LABELS } from "../components/contract";
import { objectName, stackPrefix } from "../components/naming";
import { BERTH_PROJECT } from "../lab/berth-program";
import { engineClient } from "../lab/dind-node";
import { managerClient, pushToSwarm, startSwarm, teardownSwarm, type LabSwarm } from "../lab/swarm";
import { BenchImages, engineConfig, engineRun, NO_IDLE, withEngineChild } from "./engine-run";
import { benchImages, benchLog, CALM_PROBE_SECONDS, count, DOCKER_HEALTH_WAIT_MS, runBench } from "./entry";
import { allHealthyAt, HealthEvent } from "./health-events";
import { HealthWatch } from "./health-watch";
import { waitForQuiet } from "./machine";
import { median } from "./stats";
import { gateSplit, GateSplit } from "./tiers";

export type Where = "one engine" | "swarm";

export interface SwarmBenchRun {
  where: Where;
  workers: number;
  /** up() call → every container (on every node) healthy, by the engines' health events. */
  allHealthyMs: number;
  /** up() call → up() returned: every gate passed, the workers registered with the orchestrator. */
  upMs: number;
  gates: GateSplit;
}

export interface SwarmBenchResults {
  workerCounts: number[];
  rounds: number;
  /** Nodes of the lab swarm and how long it took to start (DinD image cached or built). */
  swarm: { managers: number; workers: number; startSeconds: number; imageBuilt: boolean };
  /** Warm-up runs (not counted): the nodes pull the images once. */
  warmup: SwarmBenchRun[];
  runs: SwarmBenchRun[];
}

export interface SwarmBenchOptions {
  /** Local image tags (the e2e images), pushed to the lab registry for the swarm. */
  images: BenchImages;
  /** @default [8, 32] */
  workerCounts?: number[];
  /** Pairs (one engine, swarm) per worker count. @default 1 */
  rounds?: number;
  log?: (line: string) => void;
}

/** Stacks of this bench: unique per process, so nothing collides with a concurrent run. */
const RUN = `${Date.now().toString(36).slice(-4)}${process.pid.toString(36)}`;
const stackName = (part: string) => `bench-${RUN}-${part}`;
/** The label swarm puts on a task's container. */
const SWARM_TASK_LABEL = "com.docker.swarm.task.id";
/**
 * The workers tier's timing at these counts, the same on both sides: the test stack probes every
 * 500 ms, and 32 workers' probes (a `docker exec` each, ~55 ms of CPU) then need more than the 2
 * cores: healthchecks time out and a worker turns unhealthy on one engine. Every 2 s leaves room.
 */
const WORKERS_TIER = {
  "berth:tiers": {
    workers: { intervalMs: 2000, timeoutMs: 5000, startPeriodMs: 120_000, retries: 5, gateTimeoutSeconds: 600 },
  },
};

/** The test stack's config on the lab swarm: images from its registry, ports forwarded to the manager. */
export function swarmConfig(
  swarm: Pick<LabSwarm, "managerHost" | "managerPorts">,
  images: BenchImages,
  workers: number,
): Record<string, unknown> {
  const [postgres, redis, orchestrator] = swarm.managerPorts;
  return {
    ...engineConfig(images, workers),
    "berth:cluster": "swarm",
    "berth:docker": { host: swarm.managerHost },
    "berth:ports": { publish: "fixed", hostIp: "0.0.0.0", postgres, redis, orchestrator },
    ...WORKERS_TIER,
  };
}

/** One bring-up on the swarm in a fresh process, timed by the health events of every node. */
async function swarmRun(
  swarm: LabSwarm,
  stack: string,
  config: Record<string, unknown>,
  workers: number,
  timeoutMs = 900_000,
): Promise<SwarmBenchRun> {
  const engines = swarm.nodes.map((n) => engineClient(n.engineHost));
  const watches = await Promise.all(
    engines.map((docker) => HealthWatch.start(docker, { label: [`${LABELS.stack}=${stack}`] })),
  );
  try {
    return await withEngineChild("swarm", stack, config, timeoutMs, async (result) => {
      // Only the containers of the final spec count: tasks the pids update replaced (start-first)
      // may still run, and may have reported healthy too.
      const current = new Set(
        (
          (await managerClient(swarm).listTasks({
            filters: {
              service: [objectName(stackPrefix(BERTH_PROJECT, stack), "worker")],
              "desired-state": ["running"],
            },
          })) as Array<{ ID: string }>
        ).map((t) => t.ID),
      );
      const containers = (
        await Promise.all(
          engines.map((docker) => docker.listContainers({ filters: { label: [`${LABELS.stack}=${stack}`] } })),
        )
      ).flat();
      const running = new Set(
        containers
          .filter((c) => c.Labels[SWARM_TASK_LABEL] === undefined || current.has(c.Labels[SWARM_TASK_LABEL]))
          .map((c) => c.Names[0].replace(/^\//, "")),
      );
      const expected = 3 + workers;
      if (running.size !== expected)
        throw new Error(`swarm up of ${stack}: ${running.size} containers run, expected ${expected}`);
      const healthyAt = await allHealthyOnEveryNode(watches, running, DOCKER_HEALTH_WAIT_MS);
      if (healthyAt === undefined) {
        const seen = watches.flatMap((w) => w.events).filter((e) => running.has(e.name));
        throw new Error(
          `swarm up of ${stack}: the ${expected} containers were not all healthy within ${DOCKER_HEALTH_WAIT_MS} ms of up() (seen: ${seen.map((e) => `${e.name} ${e.status}`).join(", ") || "no health event"})`,
        );
      }
      return {
        where: "swarm",
        workers,
        allHealthyMs: healthyAt - result.upCalledAtMs,
        upMs: result.upMs,
        gates: gateSplit(result.timeline),
      };
    });
  } finally {
    watches.forEach((w) => w.stop());
  }
}

/** The engine time at which every one of `names` was healthy at once, by the events of all nodes. */
async function allHealthyOnEveryNode(
  watches: HealthWatch[],
  names: Set<string>,
  timeoutMs: number,
): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events: HealthEvent[] = watches.flatMap((w) => w.events).filter((e) => names.has(e.name));
    const at = allHealthyAt(events, names.size);
    if (at !== undefined || Date.now() > deadline) return at;
    await sleep(100);
  }
}

async function oneEngineRun(
  docker: Docker,
  stack: string,
  images: BenchImages,
  workers: number,
): Promise<SwarmBenchRun> {
  const run = await engineRun(docker, stack, images, workers, NO_IDLE, 900_000, WORKERS_TIER);
  if (!run.tierHealthyMs) throw new Error(`${stack}: not every container turned healthy by Docker's healthcheck`);
  return {
    where: "one engine",
    workers,
    allHealthyMs: Math.max(...Object.values(run.tierHealthyMs)),
    upMs: run.upMs,
    gates: run.gates,
  };
}

/**
 * Starts a lab swarm, pushes the images, warms both sides up once (2 workers: every node pulls),
 * then alternates one engine / swarm for each worker count and round; tears the swarm down.
 */
export async function swarmBench(options: SwarmBenchOptions): Promise<SwarmBenchResults> {
  const log = options.log ?? (() => undefined);
  const workerCounts = options.workerCounts ?? [8, 32];
  const rounds = options.rounds ?? 1;
  const docker = new Docker();
  const swarm = await startSwarm({ prefix: `berth-bench-swarm-${RUN}`, managerPorts: 3, log });
  try {
    const [data, app] = await Promise.all([
      pushToSwarm(swarm, options.images.data),
      pushToSwarm(swarm, options.images.app),
    ]);
    const remote: BenchImages = { data, app };
    const both = async (part: string, workers: number): Promise<SwarmBenchRun[]> => {
      await waitForQuiet();
      const one = await oneEngineRun(docker, stackName(`${part}-one`), options.images, workers);
      log(
        `swarm bench ${part}: one engine, ${workers} workers: all healthy after ${(one.allHealthyMs / 1000).toFixed(2)} s`,
      );
      await waitForQuiet();
      const onSwarm = await swarmRun(swarm, stackName(`${part}-swarm`), swarmConfig(swarm, remote, workers), workers);
      log(
        `swarm bench ${part}: swarm, ${workers} workers: all healthy after ${(onSwarm.allHealthyMs / 1000).toFixed(2)} s`,
      );
      return [one, onSwarm];
    };
    const warmup = await both("warm", 2);
    const runs: SwarmBenchRun[] = [];
    for (let round = 1; round <= rounds; round++)
      for (const workers of workerCounts) runs.push(...(await both(`r${round}w${workers}`, workers)));
    return {
      workerCounts,
      rounds,
      swarm: {
        managers: 1,
        workers: swarm.nodes.length - 1,
        startSeconds: swarm.timings.total,
        imageBuilt: swarm.timings.imageBuilt,
      },
      warmup,
      runs,
    };
  } finally {
    await teardownSwarm(swarm);
  }
}

const s = (ms: number) => (ms / 1000).toFixed(2);
const row = (cells: string[]) => `| ${cells.join(" | ")} |`;

/** Median of one side at one worker count. */
function med(runs: SwarmBenchRun[], where: Where, workers: number, value: (r: SwarmBenchRun) => number): number {
  const values = runs.filter((r) => r.where === where && r.workers === workers).map(value);
  if (values.length === 0) throw new Error(`no ${where} run with ${workers} workers`);
  return median(values);
}

/** The bench report's Markdown section for the swarm (pure). */
export function formatSwarmSection(r: SwarmBenchResults): string {
  const counts = [...r.workerCounts].sort((a, b) => a - b);
  const out: string[] = [];
  out.push(`## Swarm: a ${1 + r.swarm.workers}-node swarm next to one engine`, "");
  out.push(
    `The test stack with \`berth:cluster: swarm\` on a lab swarm of ${r.swarm.managers} manager and ${r.swarm.workers} worker nodes (Docker-in-Docker containers ` +
      `on this machine, started in ${r.swarm.startSeconds.toFixed(1)} s${r.swarm.imageBuilt ? ", node image built first" : ""}; images through the lab registry), ` +
      `and on the local engine, alternating, ${r.rounds} pair(s) per worker count after a warm-up pair with 2 workers (not counted). ` +
      "Both from the up() call: to up() returned (every gate passed, the workers registered: a usable environment) and to the last container's " +
      `health event by Docker's own healthcheck (on every node for the swarm), which comes later: the data tier's and the orchestrator's run every ${CALM_PROBE_SECONDS} s, ` +
      "as their gates ask the services themselves; medians. " +
      "The workers' healthchecks run every 2 s on both sides (500 ms overloads 2 cores at 32 workers). " +
      "The nodes share this machine's CPUs, so the swarm adds no capacity here: the difference is the cost of berth's swarm path.",
    "",
  );
  out.push(
    row([
      "workers",
      "one engine: up() returned (s)",
      "swarm: up() returned (s)",
      "swarm / one engine",
      "one engine: all healthy by Docker (s)",
      "swarm: all healthy by Docker (s)",
    ]),
  );
  out.push(row(["---", "---", "---", "---", "---", "---"]));
  for (const w of counts) {
    const one = med(r.runs, "one engine", w, (x) => x.upMs);
    const sw = med(r.runs, "swarm", w, (x) => x.upMs);
    out.push(
      row([
        String(w),
        s(one),
        s(sw),
        `${(sw / one).toFixed(2)}×`,
        s(med(r.runs, "one engine", w, (x) => x.allHealthyMs)),
        s(med(r.runs, "swarm", w, (x) => x.allHealthyMs)),
      ]),
    );
  }
  out.push("");
  if (counts.length >= 2) {
    const [lo, hi] = [counts[0], counts[counts.length - 1]];
    const perWorker = (where: Where, value: (x: SwarmBenchRun) => number) =>
      ((med(r.runs, where, hi, value) - med(r.runs, where, lo, value)) / (hi - lo)).toFixed(0);
    const up = (x: SwarmBenchRun) => x.upMs;
    const healthy = (x: SwarmBenchRun) => x.allHealthyMs;
    out.push(
      `Growth from ${lo} to ${hi} workers, per added worker: up() returned, one engine ${perWorker("one engine", up)} ms, swarm ${perWorker("swarm", up)} ms; ` +
        `all healthy by Docker, one engine ${perWorker("one engine", healthy)} ms, swarm ${perWorker("swarm", healthy)} ms.`,
      "",
    );
  }
  return `${out.join("\n").trimEnd()}\n`;
}

function counts(value: string): number[] {
  const list = value.split(",").map(Number);
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1))
    throw new InvalidArgumentError("a comma-separated list of worker counts, e.g. 8,32");
  return list;
}

async function main(): Promise<void> {
  const opts = new Command("bench/swarm.ts")
    .description(
      "time to a usable environment and to all-healthy: the test stack on one engine and on a three-node lab swarm",
    )
    .option("--workers <list>", "worker counts", counts, [8, 32])
    .option("--rounds <n>", "pairs per worker count", count(1), 1)
    .parse()
    .opts<{ workers: number[]; rounds: number }>();
  const log = benchLog;
  const images = benchImages(log);
  process.stdout.write(
    formatSwarmSection(await swarmBench({ images, workerCounts: opts.workers, rounds: opts.rounds, log })),
  );
}

if (require.main === module) runBench(main);
