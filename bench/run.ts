// `npm run bench`: berth's test stack against two docker-compose baselines on the same engine and
// images (typical: healthchecks every 5–10 s; tuned: every 500 ms), in rounds at 2 and at 16
// workers, each round running the three back to back in rotating order; the idle CPU of each
// running stack; the gate's start-up and latency; program evaluation; day two (destroy, rescale,
// up after a kill, unchanged up, restarts: day-two.ts). Progress goes to stderr, the
// Markdown report to stdout (and to --out). Needs a Docker engine, docker-compose, `npm run build`
// (the gate CLI) and root for the first, offline image build.
import { writeFileSync } from "node:fs";
import { Command } from "commander";
import Docker from "dockerode";
import { GATE_CLI, requireBuilt } from "../lab/gate-runner";
import { ComposeProject, ComposeRun, composeRun } from "./compose-run";
import type { ComposeVariant } from "./compose/template";
import { BenchImages, engineRun, EngineRun, IdleWindow, NO_IDLE } from "./engine-run";
import { benchImages, benchLog, CALM_PROBE_SECONDS, count, runBench } from "./entry";
import { evaluationScaling } from "./eval-scaling";
import { gateLatencies } from "./gate-latency";
import { gateStartups } from "./gate-startup";
import { describeMachine, foreignContainers, waitForQuiet } from "./machine";
import { BenchResults, formatFailedSection, formatReport, Round } from "./report";
import { measureDayTwo } from "./day-two";
import { formatDayTwoSection } from "./day-two-report";
import { formatFreshDatabaseSection, measureFreshDatabase } from "./fresh-database";
import { formatSwarmSection, swarmBench } from "./swarm";
import { removeTemplates, templateHelpersDone } from "./templates";

/**
 * After up, before the idle window: the services' start-up tail dies down. ~8–10 s after a
 * container starts, V8's memory reducer collects each Node service's start-up garbage and the calm
 * healthchecks run their first, costlier round (per second, per container: bench/HISTORY.md,
 * "Code-cached workload, idle window").
 */
const IDLE_SETTLE_MS = 12_000;

const program = new Command("bench")
  .description(
    "time to a usable environment: berth (engine mode) vs a typical and a tuned docker-compose file; idle CPU; the gate's start-up and latency; day two (destroy, rescale, restarts)",
  )
  .option("--rounds <n>", "rounds (berth, tuned, typical) at --workers", count(1), 5)
  .option("--large-rounds <n>", "rounds at --large-workers (0: none)", count(0), 3)
  .option(
    "--cold-rounds <n>",
    "rounds at --workers on a cold engine, after the warm ones: before each berth run, remove every Postgres template of the engine that no container uses (as on a fresh CI engine), and after it wait for the helper that makes the next one (0: none)",
    count(0),
    3,
  )
  .option("--workers <n>", "workers of the small rounds", count(1), 2)
  .option("--large-workers <n>", "workers of the large rounds", count(2), 16)
  .option("--no-warm-up", "skip the uncounted first round")
  .option("--cold", "every round on a cold engine, as --cold-rounds (the warm-up round too)")
  .option(
    "--idle-seconds <n>",
    `idle-CPU window after each small round's bring-up (0: not measured); ${CALM_PROBE_SECONDS} s holds one of the calm healthchecks' intervals`,
    count(0),
    CALM_PROBE_SECONDS,
  )
  .option("--eval-rounds <n>", "rounds of program evaluation at 1, 10, 100 workers (0: none)", count(0), 3)
  .option("--latency-runs <n>", "gate latency runs (0: none)", count(0), 20)
  .option("--startup-runs <n>", "gate start-up runs (0: none)", count(0), 20)
  .option("--fresh-db-rounds <n>", "clones per schema for the fresh-database section (0: none)", count(0), 50)
  .option(
    "--day-two-rounds <n>",
    "rounds of the day-two section: destroy, rescale, up after a kill, unchanged up, restarts (0: none)",
    count(0),
    3,
  )
  .option("--swarm-workers <list>", 'worker counts of the swarm section, e.g. "8,32" ("": none)', "8,32")
  .option("--swarm-rounds <n>", "pairs (one engine, swarm) per swarm worker count", count(1), 1)
  .option(
    "--smoke",
    "a quick run: 1 small round, no large rounds, no warm-up, short idle window, few gate runs (explicit flags still win)",
  )
  .option("--timeline-out <file>", "write berth's engine-mode timelines (JSON) to this file")
  .option("--out <file>", "also write the report to this file");

interface Options {
  rounds: number;
  largeRounds: number;
  coldRounds: number;
  workers: number;
  largeWorkers: number;
  warmUp: boolean;
  cold?: boolean;
  idleSeconds: number;
  evalRounds: number;
  latencyRuns: number;
  startupRuns: number;
  freshDbRounds: number;
  dayTwoRounds: number;
  swarmWorkers: string;
  swarmRounds: number;
  smoke?: boolean;
  timelineOut?: string;
  out?: string;
}

const SMOKE: Partial<Options> = {
  rounds: 1,
  largeRounds: 0,
  coldRounds: 0,
  warmUp: false,
  idleSeconds: 3,
  evalRounds: 1,
  latencyRuns: 3,
  startupRuns: 3,
  freshDbRounds: 0,
  dayTwoRounds: 1,
  swarmWorkers: "",
};

function options(): Options {
  program.parse();
  const opts = program.opts<Options>();
  if (!opts.smoke) return opts;
  const given = (key: string) => program.getOptionValueSource(key) === "cli";
  return { ...opts, ...Object.fromEntries(Object.entries(SMOKE).filter(([key]) => !given(key))) };
}

const log = benchLog;
const RUN = `${Date.now().toString(36).slice(-4)}${process.pid.toString(36)}`;
// Stack and project names: unique per run, so nothing collides with a concurrent test run.
const stack = (part: string) => `bench-${RUN}-${part}`;
const OWN_PREFIXES = [`berth-bench-${RUN}-`, `bench-${RUN}-`, "berth-gatetest-bench-"];
const SIDES = ["berth", "tuned", "typical"] as const;

async function main(): Promise<void> {
  const opts = options();
  const docker = new Docker();
  await docker.ping().catch((err) => {
    throw new Error(`no Docker engine answers (${err.message}): run \`eval "$(bash .ci/services.sh)"\` as root first`);
  });
  requireBuilt(GATE_CLI);
  const startedAt = new Date().toISOString();
  const machine = await describeMachine(docker);
  const images: BenchImages = benchImages(log);
  log(`images ${images.data}, ${images.app}`);

  const foreign: string[] = [];
  const settles: BenchResults["settles"] = [];
  // Before every run: note other containers, then let the engine finish cleaning up the last run.
  const sample = async () => {
    foreign.push(...(await foreignContainers(docker, OWN_PREFIXES)));
    settles.push(await waitForQuiet());
  };
  const berth = async (part: string, workers: number, idle: IdleWindow, cold: boolean): Promise<EngineRun> => {
    if (cold) log(`cold: removed the templates ${(await removeTemplates(docker)).join(", ") || "(none)"}`);
    await sample();
    const run = await engineRun(docker, stack(part), images, workers, idle);
    // The helper making the next template runs on idle CPU; the next side must not share with it.
    if (cold) await templateHelpersDone(docker);
    log(`berth ${part}: up() returned after ${(run.upMs / 1000).toFixed(2)} s (${run.containers} containers)`);
    return run;
  };
  const compose = async (
    part: string,
    variant: ComposeVariant,
    workers: number,
    idle: IdleWindow,
  ): Promise<ComposeRun> => {
    await sample();
    const project = new ComposeProject(`berth-bench-${RUN}-${part}`, variant, workers, images);
    let run: ComposeRun;
    try {
      run = await composeRun(docker, project, idle);
    } catch (err) {
      // The bring-up's error says why; a failing clean-up after it must not hide it.
      await project.down().catch((down: Error) => log(`compose ${variant} ${part}: down failed too: ${down.message}`));
      throw err;
    }
    await project.down();
    log(`compose ${variant} ${part}: all healthy after ${(run.allHealthyMs / 1000).toFixed(2)} s`);
    return run;
  };
  const round = async (
    part: string,
    workers: number,
    index: number,
    idle: IdleWindow,
    cold = opts.cold === true,
  ): Promise<Round> => {
    // Rotating order: no side always runs first (or right after the same other side).
    const order = SIDES.map((_, i) => SIDES[(i + index) % SIDES.length]);
    const done: Partial<Pick<Round, (typeof SIDES)[number]>> = {};
    for (const side of order) {
      if (side === "berth") done.berth = await berth(`${part}-berth`, workers, idle, cold);
      else done[side] = await compose(`${part}-${side}`, side, workers, idle);
    }
    return { workers, cold, order: [...order], berth: done.berth!, tuned: done.tuned!, typical: done.typical! };
  };

  // Evaluation first: it is CPU-bound and needs no engine, so nothing of ours runs beside it.
  const evaluation =
    opts.evalRounds > 0
      ? (log(`evaluation: ${opts.evalRounds} round(s) of 1, 10, 100 workers`),
        await evaluationScaling([1, 10, 100], opts.evalRounds))
      : [];

  const measureIdle: IdleWindow = { settleMs: IDLE_SETTLE_MS, windowMs: opts.idleSeconds * 1000 };
  if (opts.warmUp) {
    log(`warm-up: one round at ${opts.workers} workers (not counted)`);
    await round("warm", opts.workers, 0, NO_IDLE);
  }
  const rounds: Round[] = [];
  for (let i = 0; i < opts.rounds; i++) rounds.push(await round(`r${i + 1}`, opts.workers, i, measureIdle));
  for (let i = 0; i < opts.largeRounds; i++) rounds.push(await round(`l${i + 1}`, opts.largeWorkers, i, NO_IDLE));
  // Idle is measured in the warm rounds: here the helper making the next template would share the window.
  for (let i = 0; i < opts.coldRounds; i++) rounds.push(await round(`c${i + 1}`, opts.workers, i, NO_IDLE, true));

  let gateLatencyMs: number[] = [];
  if (opts.latencyRuns > 0) {
    log(`gate latency: ${opts.latencyRuns} runs`);
    await sample();
    gateLatencyMs = await gateLatencies(opts.latencyRuns);
  }
  let startups: BenchResults["gateStartups"] = [];
  if (opts.startupRuns > 0) {
    log(`gate start-up: ${opts.startupRuns} runs`);
    await sample();
    startups = await gateStartups(opts.startupRuns);
  }
  const sections: string[] = [];
  const failedSections: string[] = [];
  // A section that fails is reported as failed; the figures measured before it are kept.
  const section = async (name: string, measure: () => Promise<string>): Promise<void> => {
    try {
      sections.push(await measure());
    } catch (err) {
      const why = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(`${name} failed: ${why}`);
      failedSections.push(name);
      sections.push(formatFailedSection(name, why));
    }
  };
  if (opts.dayTwoRounds > 0) {
    log(`day two: ${opts.dayTwoRounds} round(s)`);
    await sample();
    await section("day two", async () =>
      formatDayTwoSection(await measureDayTwo({ images, stackName: stack, rounds: opts.dayTwoRounds, docker, log })),
    );
  }
  if (opts.freshDbRounds > 0) {
    log(`fresh database: ${opts.freshDbRounds} clones per schema`);
    await sample();
    await section("fresh database", async () =>
      formatFreshDatabaseSection(
        await measureFreshDatabase({ images, stackName: stack, rounds: opts.freshDbRounds, docker, log }),
      ),
    );
  }
  const swarmWorkers = opts.swarmWorkers
    .split(",")
    .filter((w) => w.trim() !== "")
    .map((w) => count(1)(w.trim()));
  if (swarmWorkers.length > 0) {
    log(`swarm: ${swarmWorkers.join(", ")} workers, ${opts.swarmRounds} pair(s) each`);
    await sample();
    await section("swarm", async () =>
      formatSwarmSection(await swarmBench({ images, workerCounts: swarmWorkers, rounds: opts.swarmRounds, log })),
    );
  }
  foreign.push(...(await foreignContainers(docker, OWN_PREFIXES)));

  if (opts.timelineOut) {
    const timelines = rounds.map((r) => ({
      workers: r.workers,
      cold: r.cold,
      upMs: r.berth.upMs,
      timeline: r.berth.timeline,
    }));
    writeFileSync(opts.timelineOut, `${JSON.stringify(timelines, null, 1)}\n`);
  }
  const report = formatReport({
    command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim().replace(/ --$/, ""),
    startedAt,
    finishedAt: new Date().toISOString(),
    machine,
    foreignContainers: foreign,
    settles,
    rounds,
    evaluation,
    gateLatencyMs,
    gateStartups: startups,
    sections,
  });
  process.stdout.write(report);
  if (opts.out) writeFileSync(opts.out, report);
  if (failedSections.length > 0)
    throw new Error(`the report is written, but without figures for: ${failedSections.join(", ")}`);
}

runBench(main);
